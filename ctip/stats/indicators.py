"""The indicator catalogue: one definition per indicator, its counting rule and its query.

Every query receives a case queryset already narrowed to what the acting user may aggregate
(see selectors.aggregate_cases) and a Period, and returns a Cube: counts per combination of the
indicator's disaggregations. Person indicators count each person once per period; the
person's attributes are taken from their first qualifying record in the period, so that each
person falls in exactly one cell of every breakdown and margins always add up.
"""

import datetime
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case as DjCase
from django.db.models import CharField, Count, Q, QuerySet, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Contains
from django.utils.translation import gettext_lazy as _

from ctip.registry.choices import EventKind, ParticipantRole, Verdict
from ctip.registry.models import Arrest, Case, Event, Participant, Proceeding

from .choices import ADULT_AGE, AGE_BANDS, NO_PRISON, SENTENCE_BANDS, UNKNOWN
from .periods import Period

NOT_A_VICTIM = "NotAVictimOfTrafficking"
NATIONAL = "KHM"


@dataclass
class Cube:
    """Counts per cell; a cell is a tuple of values, one per dimension, in `dims` order."""

    dims: tuple[str, ...]
    cells: dict[tuple[str, ...], float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.cells.values())

    def margin(self, *dims: str) -> dict[tuple[str, ...], float]:
        """Sum over every dimension not named: margin("sex") -> {("female",): 12, ...}."""
        index = [self.dims.index(d) for d in dims]
        out: dict[tuple[str, ...], float] = {}
        for cell, value in self.cells.items():
            key = tuple(cell[i] for i in index)
            out[key] = out.get(key, 0) + value
        return dict(sorted(out.items()))

    def by(self, dim: str) -> dict[str, float]:
        return {key[0]: value for key, value in self.margin(dim).items()}


@dataclass(frozen=True)
class Indicator:
    """One indicator: what it counts, in which unit, broken down by what, and how."""

    id: str
    name_en: str
    name_km: str
    unit: str
    disaggregations: tuple[str, ...]
    counting_rule: str
    query: Callable[[QuerySet[Case], Period], Cube]
    derived: bool = False


# --- helpers that turn one record into dimension values -----------------------------------


def _citizenship_text(path: str) -> Cast:
    return Cast(path, TextField())


def nationality_expr(path: str) -> DjCase:
    """In SQL, so no JSON is decoded row by row: Cambodian when "KHM" is among the
    citizenships, else the first one listed, else unknown."""
    return DjCase(
        When(Contains(_citizenship_text(path), '"KHM"'), then=Value(NATIONAL)),
        default=Coalesce(KeyTextTransform("0", path), Value(UNKNOWN)),
        output_field=CharField(),
    )


def nationality_group_of(nationality: str) -> str:
    if nationality == UNKNOWN:
        return UNKNOWN
    return "national" if nationality == NATIONAL else "foreign"


def first_code_expr(path: str) -> Coalesce:
    """The first code of a JSON list column, or unknown."""
    return Coalesce(KeyTextTransform("0", path), Value(UNKNOWN), output_field=CharField())


def age_at(
    day: datetime.date, birth_year: int | None, fallback_age: int | None = None
) -> int | None:
    """Age in whole years in the year of `day` (the registry keeps the year of birth)."""
    if birth_year:
        return max(0, day.year - birth_year)
    return fallback_age


def age_group_of(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    return "minor" if age < ADULT_AGE else "adult"


def age_band_of(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return UNKNOWN


def sentence_band_of(months: int | None) -> str:
    if not months:
        return NO_PRISON
    for label, low, high in SENTENCE_BANDS:
        if low <= months <= high:
            return label
    return NO_PRISON


def _first_per_person(
    rows: Iterable[tuple[Any, ...]], dims: tuple[str, ...], to_cell: Callable[..., tuple[str, ...]]
) -> Cube:
    """Count each person (the first item of each row) once, in the cell of their first row.

    Rows must come ordered by date then id, so "first" is the earliest record in the period.
    """
    seen: set[Any] = set()
    counts: Counter[tuple[str, ...]] = Counter()
    for row in rows:
        if row[0] in seen:
            continue
        seen.add(row[0])
        counts[to_cell(*row[1:])] += 1
    return Cube(dims, dict(counts))


def _in(period: Period) -> tuple[datetime.date, datetime.date]:
    return (period.start, period.end)


# --- queries ---------------------------------------------------------------------------------


def cases_query(cases: QuerySet[Case], period: Period) -> Cube:
    rows = (
        cases.filter(opened_on__range=_in(period))
        .values_list("kind", "status", "province__code", "owning_agency__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    return Cube(
        ("kind", "status", "province", "agency"),
        {(k, s, p, a): n for k, s, p, a, n in rows},
    )


def arrests_query(cases: QuerySet[Case], period: Period) -> Cube:
    rows = (
        Arrest.objects.filter(case__in=cases, arrested_on__range=_in(period))
        .order_by("arrested_on", "id")
        .values_list(
            "person_id",
            "person__sex",
            nationality_expr("person__citizenships"),
            Coalesce("province__code", "case__province__code"),
            "case__kind",
        )
    )
    return _first_per_person(
        rows,
        ("sex", "nationality_group", "nationality", "province", "case_kind"),
        lambda sex, nat, prov, kind: (sex, nationality_group_of(nat), nat, prov, kind),
    )


def suspects_query(cases: QuerySet[Case], period: Period) -> Cube:
    rows = (
        Participant.objects.filter(
            case__in=cases, role=ParticipantRole.SUSPECT, case__opened_on__range=_in(period)
        )
        .order_by("case__opened_on", "id")
        .values_list(
            "person_id",
            "person__sex",
            nationality_expr("person__citizenships"),
            "case__kind",
        )
    )
    return _first_per_person(
        rows,
        ("sex", "nationality_group", "nationality", "case_kind"),
        lambda sex, nat, kind: (sex, nationality_group_of(nat), nat, kind),
    )


VICTIM_DIMS = ("sex", "age_group", "age_band", "nationality", "exploitation", "province")


def _victim_cell(
    day: datetime.date,
    sex: str,
    birth_year: int | None,
    fallback_age: int | None,
    nationality: str,
    exploitation: str,
    province: str,
) -> tuple[str, ...]:
    age = age_at(day, birth_year, fallback_age)
    return (sex, age_group_of(age), age_band_of(age), nationality, exploitation, province)


def victims_identified_query(cases: QuerySet[Case], period: Period) -> Cube:
    # The date is identified_on, else the case's opening date. Written as an OR of two plain
    # ranges rather than a filter on COALESCE(...) so that the database can use its indexes.
    in_period = Q(victim_profile__identified_on__range=_in(period)) | Q(
        victim_profile__identified_on__isnull=True, case__opened_on__range=_in(period)
    )
    rows = (
        Participant.objects.filter(case__in=cases, role=ParticipantRole.VICTIM)
        .filter(in_period)
        .exclude(victim_profile__trafficking_status=NOT_A_VICTIM)
        .annotate(day=Coalesce("victim_profile__identified_on", "case__opened_on"))
        .order_by("day", "id")
        .values_list(
            "person_id",
            "day",
            "person__sex",
            "person__birth_year",
            "victim_profile__age_when_trafficked",
            nationality_expr("person__citizenships"),
            first_code_expr("victim_profile__exploitation_types"),
            "case__province__code",
        )
    )
    return _first_per_person(rows, VICTIM_DIMS, _victim_cell)


def _event_victims(cases: QuerySet[Case], period: Period, kind: str) -> Cube:
    """Victims linked to events of one kind (rescue, referral) dated in the period.

    Two plain queries joined here (event links, then the victims of those cases) instead of
    correlated subqueries per link, which were several times slower on large registries."""
    links = list(
        Event.persons.through.objects.filter(
            event__case__in=cases, event__kind=kind, event__occurred_on__range=_in(period)
        )
        .order_by("event__occurred_on", "event_id", "id")
        .values_list(
            "person_id",
            "event__case_id",
            "event__occurred_on",
            Coalesce("event__province__code", "event__case__province__code"),
        )
    )
    if not links:
        return Cube(VICTIM_DIMS, {})
    event_cases = Event.objects.filter(
        case__in=cases, kind=kind, occurred_on__range=_in(period)
    ).values("case_id")
    victims = {
        (case_id, person_id): rest
        for case_id, person_id, status, *rest in Participant.objects.filter(
            role=ParticipantRole.VICTIM, case_id__in=event_cases
        ).values_list(
            "case_id",
            "person_id",
            "victim_profile__trafficking_status",
            "person__sex",
            "person__birth_year",
            "victim_profile__age_when_trafficked",
            nationality_expr("person__citizenships"),
            first_code_expr("victim_profile__exploitation_types"),
        )
        if status != NOT_A_VICTIM
    }
    rows = []
    for person_id, case_id, day, province in links:
        victim = victims.get((case_id, person_id))
        if victim is not None:
            rows.append((person_id, day, *victim, province))
    return _first_per_person(rows, VICTIM_DIMS, _victim_cell)


def victims_rescued_query(cases: QuerySet[Case], period: Period) -> Cube:
    return _event_victims(cases, period, EventKind.RESCUE)


def victims_referred_query(cases: QuerySet[Case], period: Period) -> Cube:
    return _event_victims(cases, period, EventKind.REFERRAL)


def _defendant_rows(queryset: QuerySet[Proceeding], date_field: str) -> Iterable[tuple[Any, ...]]:
    """Proceedings as rows keyed by defendant; an unnamed defendant counts once per proceeding."""
    for row in queryset.order_by(date_field, "id").values_list(
        "defendant_id",
        "id",
        "defendant__sex",
        "case__kind",
        "case__province__code",
        "sentence_months",
    ):
        defendant, proceeding_id, *rest = row
        key = ("person", defendant) if defendant else ("proceeding", proceeding_id)
        yield (key, *rest)


def prosecutions_query(cases: QuerySet[Case], period: Period) -> Cube:
    qs = Proceeding.objects.filter(case__in=cases, filed_on__range=_in(period))
    return _first_per_person(
        _defendant_rows(qs, "filed_on"),
        ("sex", "case_kind", "province"),
        lambda sex, kind, prov, _months: (sex or UNKNOWN, kind, prov),
    )


def convictions_query(cases: QuerySet[Case], period: Period) -> Cube:
    qs = Proceeding.objects.filter(
        case__in=cases, verdict=Verdict.CONVICTED, verdict_on__range=_in(period)
    )
    return _first_per_person(
        _defendant_rows(qs, "verdict_on"),
        ("sex", "case_kind", "province", "sentence"),
        lambda sex, kind, prov, months: (sex or UNKNOWN, kind, prov, sentence_band_of(months)),
    )


def prison_sentences_query(cases: QuerySet[Case], period: Period) -> Cube:
    qs = Proceeding.objects.filter(
        case__in=cases,
        verdict=Verdict.CONVICTED,
        verdict_on__range=_in(period),
        sentence_months__gt=0,
    )
    return _first_per_person(
        _defendant_rows(qs, "verdict_on"),
        ("sentence", "case_kind"),
        lambda _sex, kind, _prov, months: (sentence_band_of(months), kind),
    )


def victims_per_100k_query(cases: QuerySet[Case], period: Period) -> Cube:
    """Victims identified per 100,000 residents (2019 census), per province and nationally."""
    return rates_per_100k(victims_identified_query(cases, period))


def rates_per_100k(victims_identified: Cube) -> Cube:
    from ctip.reference.models import Province

    victims = victims_identified.by("province")
    populations = dict(
        Province.objects.filter(population_2019__isnull=False).values_list(
            "code", "population_2019"
        )
    )
    cells: dict[tuple[str, ...], float] = {}
    for code, population in populations.items():
        if not population:
            continue
        cells[(code,)] = round(victims.get(code, 0) * 100000 / population, 2)
    return Cube(("province",), cells)


def national_rate_per_100k(victims_total: float) -> float:
    from django.db.models import Sum

    from ctip.reference.models import Province

    population = Province.objects.aggregate(total=Sum("population_2019"))["total"] or 0
    return round(victims_total * 100000 / population, 2) if population else 0.0


CATALOGUE: dict[str, Indicator] = {
    i.id: i
    for i in (
        Indicator(
            "cases",
            "Cases registered",
            "ករណីដែលបានចុះបញ្ជី",
            "cases",
            ("kind", "status", "province", "agency"),
            "Each case once, in the period its opening date (the date it was registered) falls "
            "in. Status is the status today. Province and agency are the case's own.",
            cases_query,
        ),
        Indicator(
            "arrests",
            "Persons arrested",
            "ជនសង្ស័យដែលត្រូវបានចាប់ខ្លួន",
            "persons",
            ("sex", "nationality_group", "nationality", "province", "case_kind"),
            "Each person arrested once per period, however many arrests, by the arrest date. "
            "Foreign: no Cambodian citizenship recorded (dual nationals count as nationals). "
            "Province of the arrest, else of the case. Attributes from the first arrest.",
            arrests_query,
        ),
        Indicator(
            "suspects",
            "Suspects in cases registered",
            "ជនសង្ស័យក្នុងករណីដែលបានចុះបញ្ជី",
            "persons",
            ("sex", "nationality_group", "nationality", "case_kind"),
            "Each person once per period who is a suspect in at least one case registered in "
            "the period; the case kind is that of their first such case.",
            suspects_query,
        ),
        Indicator(
            "victims_identified",
            "Victims identified",
            "ជនរងគ្រោះដែលត្រូវបានកំណត់អត្តសញ្ញាណ",
            "persons",
            VICTIM_DIMS,
            "Each person once per period who is a victim in a case (not marked 'not a victim'), "
            "by the date identified, or the case's opening date when that is not recorded. Age "
            "in the year of identification (from the year of birth, else the age when "
            "trafficked); minors are under 18; CTDC age bands. Nationality: Cambodian when "
            "among the citizenships, else the first listed. Form of exploitation: the first "
            "recorded. Province of the case.",
            victims_identified_query,
        ),
        Indicator(
            "victims_rescued",
            "Victims rescued",
            "ជនរងគ្រោះដែលត្រូវបានជួយសង្គ្រោះ",
            "persons",
            VICTIM_DIMS,
            "Each victim once per period however many rescues, by the date of the rescue event "
            "they are linked to; a victim rescued twice in the period counts once, with the "
            "attributes of the first rescue. Province of the rescue, else of the case. Age "
            "and nationality as for victims identified.",
            victims_rescued_query,
        ),
        Indicator(
            "victims_referred",
            "Victims referred to services",
            "ជនរងគ្រោះដែលត្រូវបានបញ្ជូនទៅសេវា",
            "persons",
            VICTIM_DIMS,
            "Each victim once per period who is linked to a referral event dated in the "
            "period, however many referrals.",
            victims_referred_query,
        ),
        Indicator(
            "prosecutions",
            "Defendants prosecuted",
            "ជនជាប់ចោទដែលត្រូវបានចោទប្រកាន់នៅតុលាការ",
            "persons",
            ("sex", "case_kind", "province"),
            "Each defendant once per period with a court proceeding filed in the period; a "
            "proceeding without a named defendant counts as one defendant.",
            prosecutions_query,
        ),
        Indicator(
            "convictions",
            "Defendants convicted",
            "ជនជាប់ចោទដែលត្រូវបានផ្តន្ទាទោស",
            "persons",
            ("sex", "case_kind", "province", "sentence"),
            "Each defendant once per period with a conviction dated (verdict date) in the "
            "period; sentence band from the first such conviction.",
            convictions_query,
        ),
        Indicator(
            "prison_sentences",
            "Defendants sentenced to prison",
            "ជនជាប់ចោទដែលត្រូវបានកាត់ទោសឱ្យជាប់ពន្ធនាគារ",
            "persons",
            ("sentence", "case_kind"),
            "Each defendant once per period convicted in the period with a prison term of at "
            "least one month, by length of the term.",
            prison_sentences_query,
        ),
        Indicator(
            "victims_per_100k",
            "Victims identified per 100,000 population (SDG 16.2.2)",
            "ជនរងគ្រោះដែលត្រូវបានកំណត់អត្តសញ្ញាណ ក្នុងប្រជាជន ១០០.០០០ នាក់ (SDG 16.2.2)",
            "per 100,000 population",
            ("province",),
            "Victims identified (as above) divided by the 2019 census population, times "
            "100,000; the national rate divides the national count by the national "
            "population. Not additive: the province rates do not sum to the national rate.",
            victims_per_100k_query,
            derived=True,
        ),
    )
}


def indicator(indicator_id: str, field: str = "indicator") -> Indicator:
    """The catalogue entry, or a ValidationError naming the field."""
    from django.core.exceptions import ValidationError

    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        raise ValidationError(
            {field: _("Unknown indicator %(value)r.") % {"value": indicator_id}}
        ) from None


__all__ = ["CATALOGUE", "Cube", "Indicator", "indicator"]
