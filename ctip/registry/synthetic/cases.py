"""Building a batch of generated cases: the story of each case and its records but persons."""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import Any

from .. import synthetic_data as pools
from ..choices import (
    CaseSource,
    CaseStatus,
    EventKind,
    ParticipantRole,
    ProceedingStage,
    Verdict,
)
from ..services import case_reference
from .drawing import (
    MAX_SUSPECTS,
    MAX_VICTIMS,
    YEARS,
    Batch,
    CasePeople,
    CaseStory,
    PersonPool,
    Reference,
    Weighted,
    geometric,
)
from .persons import PersonRows


class BatchBuilder(PersonRows):
    """Builds the rows of a batch of cases from a seed; knows nothing about the database."""

    def __init__(self, ref: Reference, *, seed: int, until: datetime.date, timestamp: str) -> None:
        self.ref, self.seed, self.timestamp = ref, seed, timestamp
        self.until = until.toordinal()
        first_year = until.year - YEARS + 1
        self.year_bounds = [
            (datetime.date(year, 1, 1).toordinal(), datetime.date(year, 12, 31).toordinal())
            for year in range(first_year, until.year + 1)
        ]
        self.kinds = Weighted(pools.CASE_KIND_WEIGHTS)
        self.year_pick = {
            kind: Weighted(
                enumerate(pools.YEAR_TREND.get(kind, pools.YEAR_TREND["default"])[-YEARS:])
            )
            for kind in pools.CASE_KIND_WEIGHTS
        }
        population = {
            num: pop * pools.HOTSPOTS.get(num, 1.0) for num, pop in ref.province_population.items()
        }
        general = Weighted(population)
        self.province_pick: dict[str, Weighted] = {
            "forced_criminality": Weighted(
                {
                    **{n: p * 0.002 for n, p in ref.province_population.items()},
                    **pools.SCAM_PROVINCES,
                }
            ),
            "forced_marriage": Weighted(pools.MARRIAGE_PROVINCES),
        }
        self.general_provinces = general
        self.industries = Weighted(
            ((industry, weight) for industry, weight, _provinces in pools.LABOUR_INDUSTRIES)
        )
        self.industry_provinces = {
            industry: Weighted(provinces) for industry, _w, provinces in pools.LABOUR_INDUSTRIES
        }
        self.scam_victims = Weighted(pools.SCAM_VICTIM_NATIONALITIES)
        self.scam_suspects = Weighted(pools.SCAM_SUSPECT_NATIONALITIES)
        self.other_suspects = Weighted(pools.OTHER_FOREIGN_SUSPECTS)
        self.abroad = {kind: Weighted(w) for kind, w in pools.ABROAD.items()}
        self.sources = Weighted(
            {
                CaseSource.OPERATION: 34,
                CaseSource.HOTLINE: 15,
                CaseSource.TIP: 14,
                CaseSource.NGO: 15,
                CaseSource.FOREIGN_REFERRAL: 9,
                CaseSource.MEDIA: 6,
                CaseSource.OTHER: 7,
            }
        )
        self._iso: dict[int, str] = {}
        self._keys: dict[str, tuple[str, ...]] = {}
        self._json: dict[tuple[str, ...], str] = {}

    # the batch -----------------------------------------------------------------------------

    def build(self, index: int, count: int, next_ids: dict[str, int]) -> Batch:
        """Rows for `count` cases; `next_ids` gives the next free id per table and advances."""
        rng = random.Random(f"ctip-demo:{self.seed}:{index}")
        batch = Batch()
        pool = PersonPool()
        for _number in range(count):
            self._case(rng, batch, pool, next_ids)
        return batch

    def _case(
        self, rng: random.Random, batch: Batch, pool: PersonPool, ids: dict[str, int]
    ) -> None:
        """One case and every record in it. The parts draw from `rng` in this order, which
        the seed's data depend on: keep it when changing any of them."""
        story = self._story(rng, ids)
        people = self._people(rng, batch, pool, ids, story)
        self._participants(rng, batch.rows, ids, story, people)
        place = self._timeline(rng, batch.rows, ids, story, people)
        self._arrests(rng, batch.rows, ids, story, people)
        if story.rescue is not None and rng.random() < 0.6:
            referral = min(story.rescue + int(rng.random() * 10), self.until)
            self._event(rng, batch.rows, ids, story.case_id, EventKind.REFERRAL, referral, "KHM",
                        story.province, "", ())  # fmt: skip
        self._shares(rng, batch.rows, ids, story, people)
        self._case_row(rng, batch.rows, story, people, place)

    def _story(self, rng: random.Random, ids: dict[str, int]) -> CaseStory:
        """What kind of case, where and when, who owns it, and how it ended so far."""
        kind = self.kinds.draw(rng)
        industry = ""
        if kind == "forced_labour":
            industry = self.industries.draw(rng)
            province = self.industry_provinces[industry].draw(rng)
        elif kind in self.province_pick:
            province = self.province_pick[kind].draw(rng)
        else:
            province = self.general_provinces.draw(rng)
        year_lo, year_hi = self.year_bounds[self.year_pick[kind].draw(rng)]
        opened = min(year_lo + int(rng.random() * (year_hi - year_lo + 1)), self.until)
        case_id = self._next(ids, "case")
        owner = self._owner(rng, kind, province)
        source = self.sources.draw(rng)
        if kind == "forced_criminality" and rng.random() < 0.3:
            source = CaseSource.FOREIGN_REFERRAL

        # The story: recruited, moved, exploited for a while, then the case opens and a rescue
        # follows within days. Nothing is later than `until`.
        until = self.until
        exploitation = opened - 7 - int(rng.expovariate(1 / 90))
        transit = exploitation - int(rng.random() * 4)
        recruitment = transit - int(rng.expovariate(1 / 25))
        rescued = rng.random() < (
            0.9 if kind in ("forced_criminality", "sexual_exploitation") else 0.75
        )
        rescue = min(opened + int(rng.expovariate(1 / 8)), until) if rescued else None
        abroad = ""
        if kind in self.abroad and rng.random() < (0.12 if kind == "forced_criminality" else 0.3):
            abroad = self.abroad[kind].draw(rng)
        if kind == "forced_marriage":
            abroad = "CHN"

        # Status: older cases are more often closed; a closure follows the opening.
        closed_on, status, reason = None, CaseStatus.ACTIVE, ""
        age_days = until - opened
        if age_days > 60 and rng.random() < min(0.85, age_days / 900):
            closed_on = min(opened + 30 + int(rng.expovariate(1 / 200)), until)
            referred = rng.random() < 0.2
            status = CaseStatus.CLOSED_REFERRED if referred else CaseStatus.CLOSED
            reason = (
                "Referred to another agency for follow-up."
                if referred
                else rng.choice(
                    (
                        "Suspects convicted; victims reintegrated.",
                        "Victims repatriated and reintegrated.",
                        "Investigation completed; case sent to court.",
                        "Insufficient evidence to proceed.",
                        "Victims returned to their families.",
                    )
                )
            )
        elif age_days > 365 and rng.random() < 0.5:
            status = CaseStatus.FOLLOW_UP
        return CaseStory(
            case_id, kind, industry, province, opened, owner, source, exploitation, transit,
            recruitment, rescue, abroad, closed_on, status, reason,
        )  # fmt: skip

    def _people(
        self,
        rng: random.Random,
        batch: Batch,
        pool: PersonPool,
        ids: dict[str, int],
        story: CaseStory,
    ) -> CasePeople:
        """The case's victims, suspects and others (guardian, witness, reporter, interpreter),
        as person rows: new persons, or persons seen before (see PersonRows._person)."""
        kind, province, owner, opened = story.kind, story.province, story.owner, story.opened
        n_victims = 1 + geometric(rng, pools.EXTRA_VICTIMS[kind], MAX_VICTIMS - 1)
        n_suspects = 0 if rng.random() < 0.12 else 1 + geometric(rng, 0.3, MAX_SUSPECTS - 1)
        people = CasePeople()
        persons_in_case: set[tuple[int, str]] = set()
        minor_share = pools.MINOR_SHARE[kind]
        female_share = pools.FEMALE_SHARE[kind]
        for _number in range(n_victims):
            if kind == "forced_criminality" and not story.abroad:
                nationality = self.scam_victims.draw(rng)
            else:
                nationality = "KHM"
            minor = rng.random() < minor_share
            age = (12 + int(rng.random() * 6)) if minor else 18 + int(rng.expovariate(1 / 7))
            age = min(age, 70)
            female = rng.random() < female_share
            person_id, age = self._person(
                rng, batch, pool, ids, nationality, female, age, story.recruitment,
                story.identified, owner, ParticipantRole.VICTIM, province,
            )  # fmt: skip
            if (person_id, ParticipantRole.VICTIM) in persons_in_case:
                continue
            persons_in_case.add((person_id, ParticipantRole.VICTIM))
            people.victims.append((person_id, age, age < 18, nationality))
        for _number in range(n_suspects):
            foreign = rng.random() < (0.45 if kind == "forced_criminality" else 0.05)
            if foreign:
                nationality = (
                    self.scam_suspects if kind == "forced_criminality" else self.other_suspects
                ).draw(rng)
            else:
                nationality = "KHM"
            female = rng.random() < (
                0.25 if kind in ("sexual_exploitation", "forced_marriage") else 0.12
            )
            age = 20 + int(rng.expovariate(1 / 14))
            person_id, _age = self._person(
                rng, batch, pool, ids, nationality, female, min(age, 75), opened, opened,
                owner, ParticipantRole.SUSPECT, province,
            )  # fmt: skip
            if (person_id, ParticipantRole.SUSPECT) in persons_in_case:
                continue
            persons_in_case.add((person_id, ParticipantRole.SUSPECT))
            people.suspects.append((person_id, nationality))
        others: list[tuple[str, str]] = []
        if any(minor for _p, _a, minor, _n in people.victims) and rng.random() < 0.5:
            others.append((ParticipantRole.GUARDIAN, "KHM"))
        if rng.random() < 0.12:
            others.append((ParticipantRole.WITNESS, "KHM"))
        if story.source in (CaseSource.TIP, CaseSource.HOTLINE) and rng.random() < 0.25:
            others.append((ParticipantRole.REPORTER, "KHM"))
        if any(nat != "KHM" for _p, _a, _m, nat in people.victims) and rng.random() < 0.3:
            others.append((ParticipantRole.INTERPRETER, "KHM"))
        for role, nationality in others:
            person_id, _age = self._person(
                rng, batch, pool, ids, nationality, rng.random() < 0.6,
                25 + int(rng.random() * 35), opened, opened, owner, role, province,
                remember=False,
            )  # fmt: skip
            people.others.append((person_id, role))
        return people

    def _participants(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        story: CaseStory,
        people: CasePeople,
    ) -> None:
        """Participant rows, victims first, and a victim profile for each victim."""
        case_id = story.case_id
        participant_ids: dict[int, int] = {}
        for person_id, _age, _minor, _nat in people.victims:
            participant_ids[person_id] = pid = self._next(ids, "participant")
            rows["participant"].append((pid, case_id, person_id, ParticipantRole.VICTIM, ""))
        for person_id, _nat in people.suspects:
            pid = self._next(ids, "participant")
            rows["participant"].append((pid, case_id, person_id, ParticipantRole.SUSPECT, ""))
        for person_id, role in people.others:
            pid = self._next(ids, "participant")
            rows["participant"].append((pid, case_id, person_id, role, ""))
        for person_id, age, minor, _nat in people.victims:
            self._victim_profile(
                rng, rows, ids, participant_ids[person_id], story.kind, story.industry, age,
                minor, story.identified,
            )  # fmt: skip

    def _timeline(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        story: CaseStory,
        people: CasePeople,
    ) -> str:
        """Events: recruited at home, moved across a border when the story crosses one,
        exploited, rescued. Returns the place of exploitation."""
        case_id, province, abroad = story.case_id, story.province, story.abroad
        victim_ids = [v[0] for v in people.victims]
        home_country = people.victims[0][3] if people.victims else "KHM"
        home_province = province if home_country == "KHM" else None
        self._event(rng, rows, ids, case_id, EventKind.RECRUITMENT, story.recruitment,
                    home_country, home_province, "", victim_ids[:1])  # fmt: skip
        border = abroad if abroad else home_country if home_country != "KHM" else ""
        if border:
            crossing = {"THA": 1, "VNM": 20, "LAO": 19}.get(border, 12)
            self._event(rng, rows, ids, case_id, EventKind.TRANSIT, story.transit, "KHM",
                        crossing, pools.BORDER_CROSSINGS.get(crossing, ""), ())  # fmt: skip
        place = rng.choice(pools.PLACES[story.kind])
        if story.industry == "A_AgricultureForestryAndFishing" and rng.random() < 0.5:
            place = "fishing boat"
        self._event(rng, rows, ids, case_id, EventKind.EXPLOITATION, story.exploitation,
                    abroad or "KHM", None if abroad else province, place, ())  # fmt: skip
        if story.rescue is not None:
            self._event(rng, rows, ids, case_id, EventKind.RESCUE, story.rescue,
                        abroad or "KHM", None if abroad else province, place,
                        victim_ids)  # fmt: skip
        return place

    def _arrests(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        story: CaseStory,
        people: CasePeople,
    ) -> None:
        """Arrests (police units of the province, the national department, the gendarmerie),
        their event, and the court proceedings that follow some of them."""
        case_id, province = story.case_id, story.province
        charges = self._charges(rng, story.kind, any(v[2] for v in people.victims))
        rescue_or_opened = story.rescue if story.rescue is not None else story.opened
        arrest_day = rescue_or_opened + int(rng.expovariate(1 / 6))
        if arrest_day > self.until or not people.suspects:
            return
        arrested = [s for s in people.suspects if rng.random() < 0.8]
        if not arrested:
            return
        agency = self._arresting_agency(rng, story.kind, province)
        self._event(rng, rows, ids, case_id, EventKind.ARREST, arrest_day, "KHM",
                    province, "", [s[0] for s in arrested])  # fmt: skip
        for person_id, _nat in arrested:
            rows["arrest"].append((
                self._next(ids, "arrest"), case_id, person_id, self.iso(arrest_day),
                agency, self.ref.province_ids[province],
                pools.PROVINCE_TOWNS[province][0], self.as_json(charges),
            ))  # fmt: skip
            if rng.random() < 0.75:
                self._proceeding(rng, rows, ids, case_id, person_id, province,
                                 arrest_day, charges)  # fmt: skip

    def _shares(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        story: CaseStory,
        people: CasePeople,
    ) -> None:
        """Agencies the case is shared with: social affairs for victim care, an NGO, the
        national department, the foreign partner of foreign victims."""
        shares: set[int] = set()
        if rng.random() < 0.35:
            candidates = [
                f"DOSVY-{story.province}", rng.choice(pools.NGO_CODES), "AHTJP", "NCCT"
            ]  # fmt: skip
            for code in candidates[: 1 + int(rng.random() * 2)]:
                shares.add(self.ref.agency_ids.get(code, 0))
        foreign_victims = {v[3] for v in people.victims} - {"KHM"}
        for nationality in sorted(foreign_victims):  # sorted: set order varies between processes
            partner = self.ref.agency_ids.get(f"FP-{nationality}")
            if partner and rng.random() < 0.5:
                shares.add(partner)
        shares.discard(0)
        shares.discard(story.owner)
        for agency_id in sorted(shares):
            rows["share"].append(
                (self._next(ids, "share"), story.case_id, agency_id, "shared", self.timestamp)
            )

    def _case_row(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        story: CaseStory,
        people: CasePeople,
        place: str,
    ) -> None:
        """The case itself, with a summary for about one case in five."""
        summary = ""
        if rng.random() < 0.2:
            summary = self._summary(
                story.kind, len(people.victims), len(people.suspects), story.province, place
            )
        rows["case"].append((
            story.case_id, case_reference(story.case_id, datetime.date.fromordinal(story.opened)),
            story.kind, story.status, story.source, story.owner,
            self.ref.province_ids[story.province], self.iso(story.opened),
            self.iso(story.closed_on) if story.closed_on else None, story.reason,
            self.enc(summary), self.timestamp, self.timestamp,
        ))  # fmt: skip

    # parts of a case ----------------------------------------------------------------------

    def _owner(self, rng: random.Random, kind: str, province: int) -> int:
        agencies = self.ref.agency_ids
        draw = rng.random()
        if kind == "forced_criminality":
            code = (
                f"PAHT-{province}" if draw < 0.4 else "AHTJP" if draw < 0.65
                else "ACYB" if draw < 0.8 else "GDI" if draw < 0.9 else f"PCCT-{province}"
            )  # fmt: skip
        elif draw < 0.5:
            code = f"PAHT-{province}"
        elif draw < 0.62:
            code = "AHTJP"
        elif draw < 0.67:
            code = "GEN-AHT"
        elif draw < 0.8:
            code = f"PCCT-{province}"
        elif draw < 0.86:
            code = f"DOSVY-{province}"
        else:
            code = rng.choice(pools.NGO_CODES)
        return agencies.get(code) or agencies["AHTJP"]

    def _arresting_agency(self, rng: random.Random, kind: str, province: int) -> int:
        draw = rng.random()
        code = (
            f"PAHT-{province}" if draw < 0.6 else "AHTJP" if draw < 0.8
            else "ACYB" if kind == "forced_criminality" else "GEN-AHT"
        )  # fmt: skip
        return self.ref.agency_ids.get(code) or self.ref.agency_ids["AHTJP"]

    @staticmethod
    def _charges(rng: random.Random, kind: str, minors: bool) -> list[str]:
        if kind == "sexual_exploitation":
            charges = [rng.choice(("LSHTSE-23", "LSHTSE-28", "LSHTSE-23"))]
            if minors:
                charges.append(rng.choice(("LSHTSE-34", "LSHTSE-35", "LSHTSE-41")))
        elif kind == "forced_criminality":
            charges = [rng.choice(("LSHTSE-12", "LSHTSE-15", "LSHTSE-19"))]
            if rng.random() < 0.4:
                charges.append("PENAL-OTHER")
        elif kind == "forced_marriage":
            charges = [rng.choice(("LSHTSE-12", "LSHTSE-15", "LSHTSE-17"))]
        elif kind == "forced_labour":
            charges = [rng.choice(("LSHTSE-10", "LSHTSE-12", "LSHTSE-19"))]
        else:
            charges = [
                rng.choice(("LSHTSE-10", "LSHTSE-12", "LSHTSE-15", "LSHTSE-17", "LSHTSE-19"))
            ]
        return sorted(set(charges))

    def _victim_profile(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        participant_id: int,
        kind: str,
        industry: str,
        age: int,
        minor: bool,
        identified: int,
    ) -> None:
        draw = rng.random()
        status = (
            "ActualVictimOfTrafficking" if draw < 0.7
            else "PossibleVictimOfTrafficking" if draw < 0.95 else "NotAVictimOfTrafficking"
        )  # fmt: skip
        decided_by = rng.choice(
            ("Police", "Police", "Police", "NGO", "CourtOrProsecution",
             "NonPoliceGovernmentalOrganization")
        )  # fmt: skip
        relationship = rng.choice(pools.RELATIONSHIPS.get(kind, pools.RELATIONSHIPS["default"]))
        methods = pools.RECRUITMENT_METHODS.get(kind, pools.RECRUITMENT_METHODS["default"])
        recruitment_methods = [rng.choice(methods)]
        platforms: list[str] = []
        if "Online" in recruitment_methods[0]:
            platforms = [rng.choice(pools.PLATFORMS)]
        controls = pools.MEANS_OF_CONTROL.get(kind, pools.MEANS_OF_CONTROL["default"])
        first = int(rng.random() * len(controls))
        means = sorted({controls[first], controls[(first + int(rng.random() * 3)) % len(controls)]})
        exploitation = pools.EXPLOITATION_TYPES.get(kind) or [
            rng.choice(("ForcedLabour", "SexualExploitation", "Servitude"))
        ]
        if minor and kind == "forced_labour":
            exploitation = ["ChildLabour", "ForcedLabour"]
        industries: list[str] = []
        if kind == "forced_criminality":
            industries = ["J_InformationAndCommunication"]
        elif industry:
            industries = [industry]
        sex_types: list[str] = []
        if kind == "sexual_exploitation":
            sex_types = [rng.choice(("Prostitution", "Prostitution", "PrivateSexualServices",
                                     "Pornography", "RemoteInteractiveServices"))]  # fmt: skip
        consent = rng.random() < 0.4
        rows["victim"].append((
            self._next(ids, "victim"), participant_id, status, decided_by,
            self.iso(identified), self.iso(identified), age, relationship,
            self.as_json(recruitment_methods), self.as_json(platforms), self.as_json(means),
            self.as_json(exploitation), self.as_json(industries), self.as_json(sex_types),
            consent, self.iso(identified) if consent else None, "",
        ))  # fmt: skip

    def _event(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        case_id: int,
        kind: str,
        day: int,
        country: str,
        province: int | None,
        place: str,
        persons: Sequence[int],
    ) -> None:
        event_id = self._next(ids, "event")
        latitude = longitude = None
        if province is not None:
            _town, lat, lon = pools.PROVINCE_TOWNS[province]
            latitude = f"{lat + (rng.random() - 0.5) * 0.2:.5f}"
            longitude = f"{lon + (rng.random() - 0.5) * 0.2:.5f}"
        rows["event"].append((
            event_id, case_id, kind, self.iso(min(day, self.until)),
            self.ref.country_ids.get(country),
            self.ref.province_ids[province] if province is not None else None, "",
            place or (pools.PROVINCE_TOWNS[province][0] if province is not None else ""),
            latitude, longitude, "",
        ))  # fmt: skip
        for person_id in persons:
            rows["event_person"].append((self._next(ids, "event_person"), event_id, person_id))

    def _proceeding(
        self,
        rng: random.Random,
        rows: dict[str, list[tuple[Any, ...]]],
        ids: dict[str, int],
        case_id: int,
        person_id: int,
        province: int,
        arrested: int,
        charges: list[str],
    ) -> None:
        filed = arrested + 2 + int(rng.random() * 30)
        if filed > self.until:
            return
        verdict, verdict_on, stage = Verdict.PENDING, None, ProceedingStage.INVESTIGATION
        sentence = fine = None
        decided = filed + 90 + int(rng.expovariate(1 / 240))
        if decided <= self.until and rng.random() < 0.85:
            draw = rng.random()
            verdict = (
                Verdict.CONVICTED if draw < 0.8 else Verdict.ACQUITTED if draw < 0.9
                else Verdict.DISMISSED
            )  # fmt: skip
            verdict_on, stage = decided, ProceedingStage.CLOSED
            if verdict == Verdict.CONVICTED:
                sentence = rng.choice((24, 36, 60, 84, 120, 144, 180))
                fine = rng.choice((None, 2_000_000, 5_000_000, 10_000_000))
                if rng.random() < 0.1:
                    stage = ProceedingStage.APPEAL
        elif self.until - filed > 60:
            stage = rng.choice((ProceedingStage.PROSECUTION, ProceedingStage.TRIAL))
        court = self.ref.agency_ids.get(
            "COURT-APPEAL" if stage == ProceedingStage.APPEAL else f"COURT-{province}"
        )
        rows["proceeding"].append((
            self._next(ids, "proceeding"), case_id, person_id, court, self.as_json(charges),
            self.iso(filed), stage, verdict, self.iso(verdict_on) if verdict_on else None,
            sentence, fine,
        ))  # fmt: skip

    def _summary(self, kind: str, victims: int, suspects: int, province: int, place: str) -> str:
        where = self.ref.province_names[province]
        what = {
            "sexual_exploitation": "sexual exploitation at a",
            "forced_criminality": "forced work in an",
            "forced_labour": "forced labour at a",
            "forced_marriage": "forced marriage; last seen at the",
            "trafficking": "trafficking through a",
            "other": "exploitation at a",
        }[kind]
        return (
            f"{victims} victim(s) of {what} {place} in {where}; {suspects} suspect(s) identified."
        )
