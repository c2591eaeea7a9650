"""The CTDC global dataset layout (codebook v2024), with k-anonymity for publication.

One row per victim. For publication, records whose quasi-identifiers (year, gender, age band,
citizenship, country of exploitation) are shared by fewer than k = 11 records are generalised
step by step (the rarest attributes blanked first, as CTDC hides rare countries), and records
still in a group below k are left out. Blanking is what the codebook's "empty = missing or
hidden" allows (docs/decisions/0401-ctdc-k-anonymity.md).
"""

import csv
import datetime
from collections import Counter
from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.choices import EventKind, ParticipantRole
from ctip.registry.models import Event, Participant
from ctip.registry.selectors import case_queryset

from .export import mask_row, neutralise

K = 11
CTDC_COLUMNS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
    "traffickMonths",
    "meansDebtBondageEarnings",
    "meansThreats",
    "meansAbusePsyPhySex",
    "meansFalsePromises",
    "meansDrugsAlcohol",
    "meansDenyBasicNeeds",
    "meansExcessiveWorkHours",
    "meansWithholdDocs",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
    "typeOfLabourAgriculture",
    "typeOfLabourConstruction",
    "typeOfLabourDomesticWork",
    "typeOfLabourHospitality",
    "typeOfSexProstitution",
    "typeOfSexPornography",
    "recruiterRelationIntimatePartner",
    "recruiterRelationFriend",
    "recruiterRelationFamily",
    "recruiterRelationOther",
]
QUASI_IDENTIFIERS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
]
# Blanked in this order when a group is too small: the most identifying first.
GENERALISE_ORDER = ["citizenship", "CountryOfExploitation", "ageBroad", "gender"]
# The codebook spells the bands with an en dash.
DASH = "\u2013"
AGE_BANDS = [
    (0, 8, f"0{DASH}8"),
    (9, 17, f"9{DASH}17"),
    (18, 20, f"18{DASH}20"),
    (21, 23, f"21{DASH}23"),
    (24, 26, f"24{DASH}26"),
    (27, 29, f"27{DASH}29"),
    (30, 38, f"30{DASH}38"),
    (39, 47, f"39{DASH}47"),
    (48, 200, "48+"),
]
FLAGS = {
    "means_of_control": {
        "meansDebtBondageEarnings": {"DebtBondage", "TakesEarnings"},
        "meansThreats": {"PhysicalThreats", "ThreatsLawEnforcement", "ThreatensChildrenFamily"},
        "meansAbusePsyPhySex": {"PsychologicalAbuse", "PhysicalAbuse", "SexualAbuse"},
        "meansFalsePromises": {"FalsePromises"},
        "meansDrugsAlcohol": {"PsychoactiveSubstance"},
        "meansDenyBasicNeeds": {
            "RestrictsFinancialAccess",
            "RestrictsMedicalCare",
            "WithholdsNecessities",
        },
        "meansExcessiveWorkHours": {"ExcessiveWorkingHours"},
        "meansWithholdDocs": {"WithholdsDocuments"},
    },
    "exploitation_types": {
        "isForcedLabour": {"ForcedLabour", "ChildLabour"},
        "isSexualExploit": {"SexualExploitation"},
        "isOtherExploit": {
            "ForcedMarriage",
            "Servitude",
            "ForcedMilitaryByNonStateActors",
            "OrganRemoval",
            "ForcedBegging",
            "ForcedAdoption",
            "Surrogacy",
            "Other",
        },
    },
    "labour_industries": {
        "typeOfLabourAgriculture": {"A_AgricultureForestryAndFishing"},
        "typeOfLabourConstruction": {"F_Construction"},
        "typeOfLabourDomesticWork": {"T_ActivitiesOfHouseholdsAsEmployers"},
        "typeOfLabourHospitality": {"I_AccommodationAndFoodServiceActivities"},
    },
    "sex_exploitation_types": {
        "typeOfSexProstitution": {"Prostitution"},
        "typeOfSexPornography": {"Pornography"},
    },
}
GENDER = {
    "Feminine": "Woman",
    "Masculine": "Man",
    "TransgenderFeminine": "Trans/Transgender/NonConforming",
    "TransgenderMasculine": "Trans/Transgender/NonConforming",
    "NonConforming": "Trans/Transgender/NonConforming",
}
SEX_GENDER = {"female": "Woman", "male": "Man"}
RELATION = {
    "IntimatePartner": "recruiterRelationIntimatePartner",
    "Friend": "recruiterRelationFriend",
    "Family": "recruiterRelationFamily",
}


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    return next(label for low, high, label in AGE_BANDS if low <= age <= high)


def _age(person: Any, on: datetime.date) -> int | None:
    if person.date_of_birth:
        born = person.date_of_birth
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    if person.birth_year:
        return on.year - person.birth_year
    return None


def ctdc_rows(*, actor: Any) -> Iterator[dict[str, str]]:
    """One CTDC row per victim in the cases the actor may see (not yet anonymised)."""
    victims = Participant.objects.filter(role=ParticipantRole.VICTIM).select_related(
        "person", "victim_profile"
    )
    exploitation = Event.objects.filter(kind=EventKind.EXPLOITATION).select_related("country")
    cases = (
        case_queryset(actor=actor)
        .prefetch_related(
            Prefetch("participants", queryset=victims, to_attr="victims"),
            Prefetch("events", queryset=exploitation, to_attr="exploitation"),
        )
        .order_by("id")
    )
    for case in cases.iterator(chunk_size=500):
        where = next((e.country.alpha3 for e in case.exploitation if e.country), "")  # type: ignore[attr-defined]
        for participant in case.victims:  # type: ignore[attr-defined]
            person = participant.person
            profile = getattr(participant, "victim_profile", None)
            row = dict.fromkeys(CTDC_COLUMNS, "")
            row["yearOfRegistration"] = str(case.opened_on.year)
            row["gender"] = GENDER.get(person.gender, SEX_GENDER.get(person.sex, ""))
            row["ageBroad"] = age_band(_age(person, case.opened_on))
            row["citizenship"] = (person.citizenships or [""])[0]
            row["CountryOfExploitation"] = where
            if profile is not None:
                for field, flags in FLAGS.items():
                    codes = set(getattr(profile, field) or [])
                    for column, members in flags.items():
                        if codes & members:
                            row[column] = "1"
                relation = profile.relationship_to_trafficker
                if relation:
                    row[RELATION.get(relation, "recruiterRelationOther")] = "1"
            yield mask_row(actor=actor, row=row, layout="ctdc")


def k_anonymise(rows: list[dict[str, str]], k: int = K) -> tuple[list[dict[str, str]], int]:
    """Generalise rare quasi-identifier combinations, then drop what is still below k.

    Returns the rows kept and how many were left out.
    """

    def key(row: dict[str, str]) -> tuple[str, ...]:
        return tuple(row[q] for q in QUASI_IDENTIFIERS)

    for column in GENERALISE_ORDER:
        sizes = Counter(key(r) for r in rows)
        for row in rows:
            if sizes[key(row)] < k:
                row[column] = ""
    sizes = Counter(key(r) for r in rows)
    kept = [r for r in rows if sizes[key(r)] >= k]
    return kept, len(rows) - len(kept)


def ctdc_write(*, actor: Any, handle: Any, publication: bool = True, k: int = K) -> int:
    """Write the CTDC layout as CSV; for publication, k-anonymous. Audited as an export."""
    rows = list(ctdc_rows(actor=actor))
    dropped = 0
    if publication:
        rows, dropped = k_anonymise(rows, k)
    writer = csv.writer(handle)
    writer.writerow(CTDC_COLUMNS)
    for row in rows:
        writer.writerow([neutralise(row[c]) for c in CTDC_COLUMNS])
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="registry.case",
        detail={
            "layout": "ctdc",
            "rows": len(rows),
            "publication": publication,
            "k": k,
            "left_out": dropped,
        },
    )
    return len(rows)
