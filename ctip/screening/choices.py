"""Value lists of the screening app: operations, decisions, repatriation, the indicators.

The indicators are those victim-identification interviews use in the field (UNODC/IOM
screening tools, Cambodia's victim-identification guidelines). Each is aligned with the
HTCDS 2.0 means-of-control codes (`vic_MethodsOfControl`, stored in the registry's victim
profile) and with the CTDC 2024 `means*` columns it is counted under; an indicator neither
standard has (isolation, restriction of movement) maps to HTCDS "Other".
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class OperationKind(models.TextChoices):
    RAID = "raid", _("Raid")
    RESCUE = "rescue", _("Rescue")
    INTERCEPTION = "interception", _("Interception")


class Decision(models.TextChoices):
    """The officer's decision after a screening interview."""

    PENDING = "pending", _("Not screened yet")
    IDENTIFIED = "identified", _("Identified victim")
    PRESUMED = "presumed", _("Presumed victim, second interview pending")
    NOT_VICTIM = "not_victim", _("Not a victim")


# The decisions an interview may end with (pending is where a person starts).
DECIDED = (Decision.IDENTIFIED, Decision.PRESUMED, Decision.NOT_VICTIM)
# The API's choice of decision, named once for the OpenAPI schema (ENUM_NAME_OVERRIDES).
DECIDED_VALUES = [str(d) for d in DECIDED]
# A person with one of these decisions is protected by the non-punishment principle.
VICTIM_DECISIONS = frozenset({Decision.IDENTIFIED, Decision.PRESUMED})
# The HTCDS trafficking status the registry's victim profile records for each decision.
TRAFFICKING_STATUS = {
    Decision.IDENTIFIED: "ActualVictimOfTrafficking",
    Decision.PRESUMED: "PossibleVictimOfTrafficking",
    Decision.NOT_VICTIM: "NotAVictimOfTrafficking",
}


class Answer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Does not know")
    DECLINED = "declined", _("Declined to answer")


class Repatriation(models.TextChoices):
    """Where a foreign victim's return stands."""

    NOT_ASSESSED = "not_assessed", _("Not assessed")
    NOT_NEEDED = "not_needed", _("Not needed")
    WAITING = "waiting", _("Waiting for the embassy")
    EMBASSY_NOTIFIED = "embassy_notified", _("Embassy notified")
    DOCUMENTS_ISSUED = "documents_issued", _("Travel documents issued")
    TRAVEL_ARRANGED = "travel_arranged", _("Travel arranged")
    RETURNED = "returned", _("Returned home")
    DECLINED = "declined", _("Declined to return")


class DocumentHeld(models.TextChoices):
    """The document a person had on them when found (the number goes to the registry)."""

    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    OTHER = "other", _("Other document")
    NONE = "none", _("No document")


@dataclass(frozen=True)
class Indicator:
    """One screening indicator: its code, the question asked, and the standards' codes."""

    code: str
    label: object
    question: object
    htcds: tuple[str, ...]  # HTCDS means_of_control codes (vic_MethodsOfControl)
    ctdc: str  # the CTDC 2024 column it is counted under ("" where none fits)


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "deception",
        _("Deception in recruitment"),
        _("Were you promised a different job, pay or conditions than what you found?"),
        ("FalsePromises",),
        "meansFalsePromises",
    ),
    Indicator(
        "debt_bondage",
        _("Debt bondage"),
        _(
            "Were you told you owe a debt (travel, recruitment, food, fines) "
            "that you must work off?"
        ),
        ("DebtBondage",),
        "meansDebtBondageEarnings",
    ),
    Indicator(
        "documents_confiscated",
        _("Documents confiscated"),
        _("Did someone take or keep your passport or identity papers?"),
        ("WithholdsDocuments",),
        "meansWithholdDocs",
    ),
    Indicator(
        "movement_restricted",
        _("Restriction of movement"),
        _("Could you leave the place where you worked or lived when you wanted to?"),
        ("Other",),
        "meansDenyBasicNeeds",
    ),
    Indicator(
        "physical_abuse",
        _("Physical abuse"),
        _("Were you beaten, hurt or punished physically?"),
        ("PhysicalAbuse",),
        "meansAbusePsyPhySex",
    ),
    Indicator(
        "sexual_abuse",
        _("Sexual abuse"),
        _("Were you forced into or threatened with sexual acts?"),
        ("SexualAbuse",),
        "meansAbusePsyPhySex",
    ),
    Indicator(
        "psychological_abuse",
        _("Psychological abuse"),
        _("Were you insulted, humiliated or frightened to make you obey?"),
        ("PsychologicalAbuse",),
        "meansAbusePsyPhySex",
    ),
    Indicator(
        "threats",
        _("Threats against you or your family"),
        _("Were you or your family threatened with harm?"),
        ("PhysicalThreats", "ThreatensChildrenFamily"),
        "meansThreats",
    ),
    Indicator(
        "threat_of_arrest",
        _("Threats of arrest or deportation"),
        _("Were you told you would be arrested, jailed or deported if you complained or left?"),
        ("ThreatsLawEnforcement",),
        "meansThreats",
    ),
    Indicator(
        "wages_withheld",
        _("Wages withheld"),
        _("Was your pay kept from you, cut, or never paid?"),
        ("TakesEarnings",),
        "meansDebtBondageEarnings",
    ),
    Indicator(
        "excessive_hours",
        _("Excessive working hours"),
        _("Did you have to work far longer hours than agreed, without real rest days?"),
        ("ExcessiveWorkingHours",),
        "meansExcessiveWorkHours",
    ),
    Indicator(
        "isolation",
        _("Isolation"),
        _("Were you kept from contacting your family or others outside, or your phone taken?"),
        ("Other",),
        "",
    ),
    Indicator(
        "use_of_children",
        _("Use of children"),
        _("Were children made to work there, or were you under 18 when this began?"),
        ("ThreatensChildrenFamily",),
        "meansThreats",
    ),
    Indicator(
        "forced_criminality",
        _("Forced criminality"),
        _("Were you made to commit offences, such as online scams, against your will?"),
        (),
        "isOtherExploit",
    ),
)
INDICATOR_BY_CODE = {i.code: i for i in INDICATORS}
INDICATOR_CODES = tuple(i.code for i in INDICATORS)


def means_of_control(codes: list[str] | tuple[str, ...]) -> list[str]:
    """The HTCDS means-of-control codes of the indicators found, in catalogue order."""
    found: list[str] = []
    for code in INDICATOR_CODES:
        if code in codes:
            for value in INDICATOR_BY_CODE[code].htcds:
                if value not in found:
                    found.append(value)
    return found


# Languages a screening is commonly held in after a compound raid (ISO 639-1 codes); the
# question wording is offered in those with a translation (see docs/screening.md).
LANGUAGES = (
    ("km", _("Khmer")),
    ("en", _("English")),
    ("zh", _("Chinese")),
    ("vi", _("Vietnamese")),
    ("th", _("Thai")),
    ("id", _("Indonesian")),
    ("tl", _("Filipino")),
    ("ms", _("Malay")),
    ("my", _("Burmese")),
    ("lo", _("Lao")),
    ("hi", _("Hindi")),
    ("bn", _("Bengali")),
    ("ne", _("Nepali")),
    ("ur", _("Urdu")),
    ("si", _("Sinhala")),
    ("sw", _("Swahili")),
    ("other", _("Other")),
)
LANGUAGE_CODES = tuple(code for code, _label in LANGUAGES)
