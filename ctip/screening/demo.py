"""Generated persons found in a compound raid and their screening (demo and benchmark only):
realistic names, nationalities and languages from the registry's seeded generator tables."""

import datetime
import random
from typing import Any

from ctip.registry.synthetic_data import (
    FOREIGN_NAMES,
    KHMER_FAMILY,
    KHMER_GIVEN_FEMALE,
    KHMER_GIVEN_MALE,
    LANGUAGES,
    SCAM_VICTIM_NATIONALITIES,
)

from .choices import INDICATOR_CODES, LANGUAGE_CODES, Answer, Decision

# How often each indicator is met among people found in scam compounds (demo weights: the
# field reports confiscated passports, debts and threats of arrest above all).
INDICATOR_RATES = {
    "deception": 0.45,
    "debt_bondage": 0.3,
    "documents_confiscated": 0.4,
    "movement_restricted": 0.4,
    "physical_abuse": 0.15,
    "sexual_abuse": 0.04,
    "psychological_abuse": 0.25,
    "threats": 0.2,
    "threat_of_arrest": 0.3,
    "wages_withheld": 0.3,
    "excessive_hours": 0.35,
    "isolation": 0.25,
    "use_of_children": 0.03,
    "forced_criminality": 0.45,
}


def found_rows(rng: random.Random, count: int) -> list[dict[str, Any]]:
    """Rows as the grid or an upload gives them."""
    nationalities = list(SCAM_VICTIM_NATIONALITIES)
    weights = list(SCAM_VICTIM_NATIONALITIES.values())
    rows = []
    for _i in range(count):
        nationality = rng.choices(nationalities, weights)[0]
        female = rng.random() < 0.3
        row: dict[str, Any] = {"sex": "female" if female else "male", "nationality": nationality}
        if nationality == "KHM":
            family_km, family = rng.choice(KHMER_FAMILY)
            given_km, given = rng.choice(KHMER_GIVEN_FEMALE if female else KHMER_GIVEN_MALE)
            row.update(
                family_name=family[0], given_name=given[0], name_km=f"{family_km} {given_km}"
            )
        else:
            families, women, men, _family_first = FOREIGN_NAMES[nationality]
            row.update(
                family_name=rng.choice(families), given_name=rng.choice(women if female else men)
            )
        language = (LANGUAGES.get(nationality) or ["other"])[0]
        row["language"] = language if language in LANGUAGE_CODES else "other"
        row["age"] = max(15, min(55, int(rng.gauss(27, 7))))
        row["age_is_apparent"] = rng.random() < 0.4
        if rng.random() < 0.35:
            row["document_held"] = "passport"
            row["document_number"] = f"{nationality[0]}{rng.randrange(10**7, 10**8)}"
        else:
            row["document_held"] = "none"
        rows.append(row)
    return rows


def interview(rng: random.Random, day: datetime.date, language: str) -> dict[str, Any]:
    """The arguments of one screening_record call (less actor and person)."""
    answers = {
        code: Answer.YES
        if rng.random() < INDICATOR_RATES[code]
        else rng.choice([Answer.NO, Answer.NO, Answer.UNKNOWN])
        for code in INDICATOR_CODES
    }
    found = [c for c, a in answers.items() if a == Answer.YES]
    if len(found) >= 4:
        decision = Decision.IDENTIFIED
        reasons = "Several indicators of forced criminality and control: " + ", ".join(found[:4])
    elif len(found) >= 2:
        decision = Decision.PRESUMED
        reasons = "Some indicators; a second interview with an interpreter is needed."
    else:
        decision = Decision.NOT_VICTIM
        reasons = "Came of their own accord, free to leave, paid as agreed."
    return {
        "interviewed_on": day,
        "language": language or "km",
        "answers": answers,
        "decision": decision,
        "reasons": reasons,
        "interpreter": language not in ("km", ""),
        "consent_to_embassy": decision != Decision.NOT_VICTIM and rng.random() < 0.8,
    }
