"""HTCDS 2.0 names: the standard's columns, ctip's extension columns, and value translation.

An import row is read into a dict keyed by these column names, whatever the file's own
headers were (an HTCDS template, a saved column mapping, an ODK/Kobo export). Exports write
the same names, so an export imports back without a mapping.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext_lazy as _

from ctip.registry.choices import CaseKind, CaseSource, CaseStatus, Sex


@dataclass(frozen=True)
class Column:
    """One column ctip reads and writes; `vocabulary` names the reference terms it takes."""

    name: str
    label: object
    kind: str = "text"  # text, date, int, code, codes, bool, countries, agency, province, choice
    vocabulary: str = ""


# The HTCDS 2.0 spreadsheet template's columns that ctip stores, then ctip's own columns (the
# `ctip_` prefix), which the template lacks but a case file needs (province, kind, dates).
COLUMNS: tuple[Column, ...] = (
    Column("cas_CaseId", _("Case id"), "text"),
    Column("cas_CaseOwner", _("Case owner (agency code)"), "agency"),
    Column("cas_Status", _("Case status"), "choice", "case_status"),
    Column("cas_ReasonForCaseClosure", _("Reason for case closure"), "text"),
    Column("cas_IncomingReferralDate", _("Incoming referral date"), "date"),
    Column("ctip_CaseKind", _("Case kind"), "choice", "case_kind"),
    Column("ctip_CaseSource", _("Case source"), "choice", "case_source"),
    Column("ctip_Province", _("Province (ISO 3166-2 code or name)"), "province"),
    Column("ctip_OpenedOn", _("Opened on"), "date"),
    Column("ctip_ClosedOn", _("Closed on"), "date"),
    Column("prs_PersonId", _("Person id"), "text"),
    Column("prs_FirstName", _("First name"), "text"),
    Column("prs_SecondName", _("Second name"), "text"),
    Column("ctip_FirstNameKm", _("First name (Khmer script)"), "text"),
    Column("ctip_SecondNameKm", _("Second name (Khmer script)"), "text"),
    Column("prs_Birthdate", _("Birthdate"), "date"),
    Column("ctip_EstimatedAge", _("Estimated age"), "int"),
    Column("prs_Gender", _("Gender"), "code", "gender"),
    Column("ctip_Sex", _("Sex"), "choice", "sex"),
    Column("prs_Citizenship", _("Citizenship"), "countries"),
    Column("prs_MobilePhone", _("Mobile phone"), "text"),
    Column("prs_MailingStreet", _("Mailing street"), "text"),
    Column("prs_MailingCity", _("Mailing city"), "text"),
    Column("prs_MailingState", _("Mailing state/province"), "text"),
    Column("con_Consent", _("Consent"), "bool"),
    Column("vic_TraffickingStatus", _("Trafficking status"), "code", "trafficking_status"),
    Column(
        "vic_TraffickinStatusDecisionMakingOrg",
        _("Trafficking status decision making organization"),
        "code",
        "status_decided_by",
    ),
    Column("vic_MethodOfRecruitment", _("Method of recruitment"), "codes", "recruitment_method"),
    Column("vic_MethodsOfControl", _("Methods of control"), "codes", "means_of_control"),
    Column("vic_TypeOfExploitation", _("Type of exploitation"), "codes", "exploitation_type"),
    Column("vic_ForcedLabourIndustry", _("Forced labour industry"), "codes", "labour_industry"),
    Column(
        "vic_TypeOfSexExploitation", _("Type of sex exploitation"), "codes", "sex_exploitation_type"
    ),
    Column("ctip_AgeWhenTrafficked", _("Age when trafficked"), "int"),
    # Which installation wrote the file (see own_export_mark): its case references and person
    # ids are this installation's own, recognised on import (decision 0404).
    Column("ctip_ExportedFrom", _("Exported from (installation mark)"), "text"),
)
COLUMN_BY_NAME = {column.name: column for column in COLUMNS}
COLUMN_NAMES = tuple(column.name for column in COLUMNS)
PERSON_COLUMNS = frozenset(
    name for name in COLUMN_NAMES if name.startswith("prs_") or "NameKm" in name
) | {"ctip_EstimatedAge", "ctip_Sex"}
VICTIM_COLUMNS = frozenset(n for n in COLUMN_NAMES if n.startswith("vic_")) | {
    "con_Consent",
    "ctip_AgeWhenTrafficked",
}

# Other spellings of our column names met in the wild: the template's typo fixed, the XLSForm's
# underscored names. Headers are compared after `header_key`, so case and underscores vanish.
ALIASES = {
    "vic_TraffickingStatusDecisionMakingOrg": "vic_TraffickinStatusDecisionMakingOrg",
    "prs_First_Name": "prs_FirstName",
    "prs_Second_Name": "prs_SecondName",
    "vic_Methods_of_Control": "vic_MethodsOfControl",
}

# HTCDS cas_Status value names and ctip's case statuses.
CASE_STATUS_TO_HTCDS: dict[str, str] = {
    CaseStatus.ACTIVE: "Active",
    CaseStatus.FOLLOW_UP: "FollowUp",
    CaseStatus.CLOSED: "Closed",
    CaseStatus.CLOSED_REFERRED: "ClosedReferred",
}
HTCDS_TO_CASE_STATUS = {v: k for k, v in CASE_STATUS_TO_HTCDS.items()}
# Sex is not gender; it is only inferred from gender when the file gives no sex of its own.
SEX_FROM_GENDER = {"Feminine": Sex.FEMALE, "Masculine": Sex.MALE}
# A case's kind, when the file does not give one, from the first type of exploitation.
KIND_FROM_EXPLOITATION = {
    "SexualExploitation": CaseKind.SEXUAL_EXPLOITATION,
    "ForcedLabour": CaseKind.FORCED_LABOUR,
    "ChildLabour": CaseKind.FORCED_LABOUR,
    "ForcedMarriage": CaseKind.FORCED_MARRIAGE,
}
CHOICES = {
    "case_kind": CaseKind,
    "case_source": CaseSource,
    "sex": Sex,
}


def fold(text: str) -> str:
    """Lower-case letters and digits only, Khmer kept: how headers and labels are compared."""
    text = unicodedata.normalize("NFKC", str(text)).casefold()
    return re.sub(r"[^0-9a-z\u1780-\u17ff]+", "", text)


def header_key(text: str) -> str:
    return fold(text)


@lru_cache(maxsize=1)
def _header_lookup() -> dict[str, str]:
    lookup = {}
    for column in COLUMNS:
        lookup[header_key(column.name)] = column.name
    for alias, name in ALIASES.items():
        lookup[header_key(alias)] = name
    return lookup


@lru_cache(maxsize=1)
def _label_lookup() -> dict[str, str]:
    """English labels of the HTCDS template's second header row."""
    labels = {
        "Case Owner": "cas_CaseOwner",
        "First Name": "prs_FirstName",
        "Second Name": "prs_SecondName",
        "Consent": "con_Consent",
        "Birthdate": "prs_Birthdate",
        "Gender": "prs_Gender",
        "Citizenship": "prs_Citizenship",
        "Mobile Phone": "prs_MobilePhone",
        "Mailing Street": "prs_MailingStreet",
        "Mailing City": "prs_MailingCity",
        "Mailing State/Province": "prs_MailingState",
        "Trafficking Status": "vic_TraffickingStatus",
        "Trafficking Status Decision Making Organization": "vic_TraffickinStatusDecisionMakingOrg",
        "Method of Recruitment": "vic_MethodOfRecruitment",
        "Methods of Control": "vic_MethodsOfControl",
        "Type of Exploitation": "vic_TypeOfExploitation",
        "Forced Labour Industry": "vic_ForcedLabourIndustry",
        "Type of Sex Exploitation": "vic_TypeOfSexExploitation",
        "Status": "cas_Status",
        "Incoming Referral Date": "cas_IncomingReferralDate",
        "Reason for Case Closure": "cas_ReasonForCaseClosure",
    }
    return {header_key(k): v for k, v in labels.items()}


def column_for_header(header: object) -> str | None:
    """The ctip column a header names (by HTCDS field name, alias or template label)."""
    if header is None:
        return None
    key = header_key(str(header))
    if not key:
        return None
    return _header_lookup().get(key) or _label_lookup().get(key)
