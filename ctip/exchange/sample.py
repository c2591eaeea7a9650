"""Seeded synthetic HTCDS rows (invented people only) for tests, demos and the benchmark."""

import datetime
import random
from collections.abc import Iterator
from typing import Any

GIVEN_LATIN = ["Sokha", "Dara", "Srey Mom", "Vuthy", "Chantha", "Pisey", "Bopha", "Rithy", "Nita"]
GIVEN_KHMER = ["សុខា", "ដារា", "ស្រីមុំ", "វុទ្ធី", "ចន្ថា", "ពិសី", "បុប្ផា", "ឫទ្ធី", "នីតា"]
FAMILY_LATIN = ["Chan", "Sok", "Keo", "Lim", "Heng", "Chea", "Meas", "Pich", "Ouk"]
FAMILY_KHMER = ["ចាន់", "សុខ", "កែវ", "លឹម", "ហេង", "ជា", "មាស", "ពេជ្រ", "អ៊ុក"]
CONTROL = ["DebtBondage", "FalsePromises", "WithholdsDocuments", "PhysicalThreats"]
EXPLOITATION = ["ForcedLabour", "SexualExploitation", "ForcedMarriage", "Other"]
STATUS = ["PossibleVictimOfTrafficking", "ActualVictimOfTrafficking"]
PROVINCES = ["KH-12", "KH-2", "KH-1", "KH-17", "KH-18", "KH-22"]
COUNTRIES = ["KHM", "THA", "VNM", "CHN", "MYS"]

HEADERS = [
    "cas_CaseId",
    "cas_CaseOwner",
    "cas_Status",
    "ctip_CaseKind",
    "ctip_Province",
    "ctip_OpenedOn",
    "prs_PersonId",
    "prs_FirstName",
    "prs_SecondName",
    "ctip_FirstNameKm",
    "ctip_SecondNameKm",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "con_Consent",
]


def rows(
    count: int, *, seed: int = 2024, agency: str = "AHTJP", prefix: str = "S"
) -> Iterator[list[Any]]:
    """`count` victim rows, each its own case, with Khmer and Latin names."""
    rng = random.Random(seed)
    base = datetime.date(2023, 1, 1)
    for i in range(count):
        g = rng.randrange(len(GIVEN_LATIN))
        f = rng.randrange(len(FAMILY_LATIN))
        born = datetime.date(1970, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 35))
        yield [
            f"{prefix}-C{i:07d}",
            agency,
            "Active",
            "trafficking",
            rng.choice(PROVINCES),
            (base + datetime.timedelta(days=rng.randrange(600))).isoformat(),
            f"{prefix}-P{i:07d}",
            GIVEN_LATIN[g],
            FAMILY_LATIN[f],
            GIVEN_KHMER[g],
            FAMILY_KHMER[f],
            born.isoformat(),
            rng.choice(["Feminine", "Masculine"]),
            rng.choice(COUNTRIES),
            rng.choice(STATUS),
            ";".join(rng.sample(CONTROL, rng.randint(1, 2))),
            rng.choice(EXPLOITATION),
            rng.choice(["TRUE", "FALSE"]),
        ]
