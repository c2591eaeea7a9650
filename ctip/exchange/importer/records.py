"""Checking one record: each cell parsed (memoised per import), the row's problems collected."""

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.access.policies import can_create_in
from ctip.registry.choices import (
    CLOSED_STATUSES,
    CaseKind,
    CaseSource,
    CaseStatus,
    Sex,
)
from ctip.registry.crypto import blind_index, keyring
from ctip.registry.models import Person
from ctip.registry.names import name_keys
from ctip.registry.validation import text_problem

from .. import values as V
from ..htcds import (
    CHOICES,
    COLUMNS,
    KIND_FROM_EXPLOITATION,
    PERSON_COLUMNS,
    SEX_FROM_GENDER,
    VICTIM_COLUMNS,
    fold,
)
from ..own_ids import mark_own_case_id, mark_own_person_id, own_export_mark
from .reading import MEMO_LIMIT, RowResult


def _cell_parsers(agencies: dict[str, Agency], day_first: bool) -> dict[str, Callable[[Any], Any]]:
    """A parser per ctip column, chosen once by the column's kind (text columns have none)."""

    def date(value: Any) -> Any:
        return V.parse_date(value, day_first=day_first)

    def agency(value: Any) -> Agency:
        found = agencies.get(fold(str(value)))
        if found is None:
            raise V.CellError(
                _("%(value)s is not an agency code.") % {"value": value}, "unknown_code"
            )
        return found

    def code(vocabulary: str) -> Callable[[Any], Any]:
        return lambda value: V.parse_code(value, vocabulary)

    def codes(vocabulary: str) -> Callable[[Any], Any]:
        return lambda value: V.parse_codes(value, vocabulary)

    def choice(vocabulary: str) -> Callable[[Any], Any]:
        lookup = V.choice_lookup(CHOICES[vocabulary])
        return lambda value: V.parse_code(value, vocabulary, lookup)

    parsers: dict[str, Callable[[Any], Any]] = {}
    for spec in COLUMNS:
        if spec.kind == "date":
            parsers[spec.name] = date
        elif spec.kind == "int":
            parsers[spec.name] = V.parse_int
        elif spec.kind == "code":
            parsers[spec.name] = code(spec.vocabulary)
        elif spec.kind == "codes":
            parsers[spec.name] = codes(spec.vocabulary)
        elif spec.kind == "bool":
            parsers[spec.name] = V.parse_bool
        elif spec.kind == "countries":
            parsers[spec.name] = V.parse_countries
        elif spec.kind == "province":
            parsers[spec.name] = V.parse_province
        elif spec.kind == "choice" and spec.vocabulary == "case_status":
            parsers[spec.name] = V.parse_case_status
        elif spec.kind == "choice":
            parsers[spec.name] = choice(spec.vocabulary)
        elif spec.kind == "agency":
            parsers[spec.name] = agency
    return parsers


@dataclass
class Context:
    """What validation needs beyond the row: the actor's rights, the default agency, and the
    lookups and memories loaded once per import."""

    actor: Any
    default_agency: Agency
    day_first: bool = True
    agencies: dict[str, Agency] = field(default_factory=dict)
    # Duplicates are looked for among persons registered before this import began, so that
    # the check and the apply pass (which sees its own earlier chunks) agree.
    person_ceiling: int = 0
    parsers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    memo: dict[str, dict[Any, Any]] = field(default_factory=dict)
    allowed: dict[int, bool] = field(default_factory=dict)
    name_memo: dict[str, tuple[str, ...]] = field(default_factory=dict)
    dob_memo: dict[str, str] = field(default_factory=dict)
    scripts_memo: dict[str, tuple[str, str]] = field(default_factory=dict)
    json_memo: dict[tuple[str, ...], str] = field(default_factory=dict)
    today: datetime.date = field(default_factory=timezone.localdate)
    export_mark: str = ""

    def __post_init__(self) -> None:
        if not self.export_mark:
            self.export_mark = own_export_mark()
        if not self.agencies:
            self.agencies = {fold(a.code): a for a in Agency.objects.all()}
        if not self.person_ceiling:
            self.person_ceiling = (
                Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )
        self.parsers = _cell_parsers(self.agencies, self.day_first)
        self.memo = {column: {} for column in self.parsers}

    def may_create_in(self, agency: Agency) -> bool:
        allowed = self.allowed.get(agency.pk)
        if allowed is None:
            allowed = self.allowed[agency.pk] = can_create_in(self.actor, agency.pk)
        return allowed

    def keys_of(self, *names: str) -> str:
        """name_keys(*names), from each name's keys remembered (names recur all the time)."""
        found: set[str] = set()
        for name in names:
            if name:
                keys = self.name_memo.get(name)
                if keys is None:
                    if len(self.name_memo) >= MEMO_LIMIT:
                        self.name_memo.clear()
                    keys = self.name_memo[name] = tuple(name_keys(name).split())
                found.update(keys)
        return f" {' '.join(sorted(found))} " if found else ""

    def scripts(self, text: str) -> tuple[str, str]:
        found = self.scripts_memo.get(text)
        if found is None:
            if len(self.scripts_memo) >= MEMO_LIMIT:
                self.scripts_memo.clear()
            found = self.scripts_memo[text] = V.split_scripts(text)
        return found

    def as_json(self, values: list[str]) -> str:
        key = tuple(values)
        text = self.json_memo.get(key)
        if text is None:
            if len(self.json_memo) >= MEMO_LIMIT:
                self.json_memo.clear()
            text = self.json_memo[key] = json.dumps(values)
        return text

    def dob_index(self, iso: str) -> str:
        index = self.dob_memo.get(iso)
        if index is None:
            if len(self.dob_memo) >= MEMO_LIMIT:
                self.dob_memo.clear()
            index = self.dob_memo[iso] = blind_index(iso, purpose="dob")
        return index

    def fingerprint(self) -> str:
        """What the checked rows depend on besides the file: who checks, the batch's settings,
        the day, the encryption key and the reference data. Checked rows are only reused
        while this is unchanged."""
        lookups = {
            "agencies": sorted((k, a.pk, a.province_id) for k, a in self.agencies.items()),
            "provinces": sorted(V.province_lookup().items()),
            "countries": sorted(V.country_lookup().items()),
            "terms": {
                spec.vocabulary: sorted(V.term_lookup(spec.vocabulary).items())
                for spec in COLUMNS
                if spec.kind in ("code", "codes")
            },
        }
        return _fingerprint(
            getattr(self.actor, "pk", None),
            self.default_agency.pk,
            self.day_first,
            self.today.isoformat(),
            keyring().current_id.hex(),
            lookups,
        )


def _fingerprint(*parts: Any) -> str:
    data = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


# Names: one line of plain text. Other text columns (addresses, notes) may break lines.
SINGLE_LINE_COLUMNS = frozenset(
    {"prs_FirstName", "prs_SecondName", "ctip_FirstNameKm", "ctip_SecondNameKm"}
)


def _cell(result: "RowResult", record: dict[str, Any], column: str, ctx: Context) -> Any:
    """Parse one cell by its column's kind; a problem is added and None returned if it fails.

    Each column remembers what its distinct values parsed to (or the error they gave): most
    columns hold a handful of codes or a few thousand dates, so most cells are one lookup."""
    value = record[column]
    # NUL (which PostgreSQL cannot store), other controls and bidi overrides: the row is
    # refused naming the column, before the value reaches a parser, a message or the database.
    if type(value) is str and (
        problem := text_problem(value, multiline=column not in SINGLE_LINE_COLUMNS)
    ):
        result.add(column, "control_character", problem)
        return None
    parse = ctx.parsers.get(column)
    if parse is None:  # text, and submission meta (id, time): kept as text
        return str(value).strip()
    memo = ctx.memo[column]
    # True == 1 == 1.0 in a dict: non-text values are told apart by their type too.
    key = value if type(value) is str else (type(value), value)
    found = memo.get(key, memo)
    if found is memo:
        try:
            found = parse(value)
        except V.CellError as error:
            found = error
        if len(memo) >= MEMO_LIMIT:
            memo.clear()
        memo[key] = found
    if isinstance(found, V.CellError):
        result.add(column, found.code, str(found))
        return None
    return found


def validate_record(number: int, record: dict[str, Any], ctx: Context) -> RowResult:
    """Check one row and turn it into case, person and victim-profile values."""
    result = RowResult(row=number)
    parsed = {}
    for column in record:
        value = _cell(result, record, column, ctx)
        if value is not None:
            parsed[column] = value
    agency = parsed.get("cas_CaseOwner", ctx.default_agency)
    if not ctx.may_create_in(agency):
        result.add(
            "cas_CaseOwner",
            "not_allowed",
            _("You may not register cases for %(agency)s.") % {"agency": agency.code},
        )
    province = parsed.get("ctip_Province", agency.province_id)
    if province is None:
        result.add("ctip_Province", "missing", _("Missing required field: the case's province."))
    if record.get("_submitted") and not record.get("ctip_OpenedOn"):
        try:
            parsed["ctip_OpenedOn"] = V.parse_date(str(record["_submitted"])[:10])
        except V.CellError as error:
            result.add("_submitted", error.code, str(error))
    opened_on = parsed.get("ctip_OpenedOn") or parsed.get("cas_IncomingReferralDate")
    if opened_on is None and "ctip_OpenedOn" not in result_columns(result):
        result.add(
            "ctip_OpenedOn",
            "missing",
            _("Missing required field: the date the case was opened (or the referral date)."),
        )
    status = parsed.get("cas_Status", CaseStatus.ACTIVE)
    closed_on = parsed.get("ctip_ClosedOn")
    if status in CLOSED_STATUSES and closed_on is None:
        result.add("ctip_ClosedOn", "missing", _("A closed case needs the date it was closed."))
    if closed_on and opened_on and closed_on < opened_on:
        result.add("ctip_ClosedOn", "out_of_range", _("The case is closed before it was opened."))
    if closed_on and status not in CLOSED_STATUSES:
        result.add("ctip_ClosedOn", "out_of_range", _("Only a closed case has a closing date."))
    exploitation = parsed.get("vic_TypeOfExploitation") or []
    kind = parsed.get("ctip_CaseKind") or next(
        (KIND_FROM_EXPLOITATION[e] for e in exploitation if e in KIND_FROM_EXPLOITATION),
        CaseKind.TRAFFICKING,
    )
    case_id = parsed.get("cas_CaseId") or (
        f"kobo:{parsed['_submission']}" if parsed.get("_submission") else ""
    )
    if not case_id:
        case_fields = {
            k: str(record[k]) for k in sorted(record) if k not in PERSON_COLUMNS | VICTIM_COLUMNS
        }
        case_id = f"row:{agency.code}:{_fingerprint(case_fields, record)}"
    elif _own_row(parsed, ctx):
        case_id = mark_own_case_id(case_id)
    result.case = {
        "external_id": case_id,
        "owning_agency_id": agency.pk,
        "province_id": province,
        "kind": kind,
        "source": parsed.get("ctip_CaseSource")
        or (CaseSource.NGO if record.get("cas_ReferringOrganisation") else CaseSource.OTHER),
        "status": status,
        "opened_on": opened_on,
        "closed_on": closed_on,
        "closure_reason": parsed.get("cas_ReasonForCaseClosure", ""),
    }
    if any(column in record for column in PERSON_COLUMNS | VICTIM_COLUMNS):
        _person(result, record, parsed, ctx)
    return result


def _own_row(parsed: dict[str, Any], ctx: Context) -> bool:
    """Whether this installation exported the row: its references and person ids are ours."""
    return bool(parsed.get("ctip_ExportedFrom")) and parsed["ctip_ExportedFrom"] == ctx.export_mark


def result_columns(result: RowResult) -> set[str]:
    return {p.column for p in result.problems}


def _person(
    result: RowResult, record: dict[str, Any], parsed: dict[str, Any], ctx: Context
) -> None:
    names = {
        "given_name_latin": "",
        "family_name_latin": "",
        "given_name_km": "",
        "family_name_km": "",
    }
    # Khmer and Latin text may share one column: each word goes to the field of its script.
    for column, latin_field, khmer_field in (
        ("prs_FirstName", "given_name_latin", "given_name_km"),
        ("prs_SecondName", "family_name_latin", "family_name_km"),
        ("ctip_FirstNameKm", "given_name_latin", "given_name_km"),
        ("ctip_SecondNameKm", "family_name_latin", "family_name_km"),
    ):
        if parsed.get(column):
            latin, khmer = ctx.scripts(parsed[column])
            if latin:
                names[latin_field] = " ".join(p for p in (names[latin_field], latin) if p)
            if khmer:
                names[khmer_field] = " ".join(p for p in (names[khmer_field], khmer) if p)
    if not any(names.values()):
        result.add("prs_FirstName", "missing", _("Missing required field: a name of the person."))
    gender = parsed.get("prs_Gender", "")
    sex = parsed.get("ctip_Sex") or SEX_FROM_GENDER.get(gender, Sex.UNKNOWN)
    address = ", ".join(
        str(parsed[c])
        for c in ("prs_MailingStreet", "prs_MailingCity", "prs_MailingState")
        if parsed.get(c)
    )
    dob = parsed.get("prs_Birthdate")
    age = parsed.get("ctip_EstimatedAge")
    person_id = parsed.get("prs_PersonId")
    if not person_id:
        person_fields = {k: str(record[k]) for k in sorted(record) if k in PERSON_COLUMNS}
        person_id = f"{result.case['external_id']}/{_fingerprint(person_fields)[:16]}"
    elif _own_row(parsed, ctx):
        person_id = mark_own_person_id(person_id)
    result.person = {
        "external_id": person_id,
        **names,
        "sex": sex,
        "gender": gender,
        "date_of_birth": dob,
        "estimated_age": age,
        "age_recorded_on": ctx.today if age is not None and dob is None else None,
        "citizenships": parsed.get("prs_Citizenship", []),
        "phone": parsed.get("prs_MobilePhone", ""),
        "address": address,
    }
    if any(c in record for c in VICTIM_COLUMNS):
        status = parsed.get("vic_TraffickingStatus")
        if status is None and "vic_TraffickingStatus" not in result_columns(result):
            result.add(
                "vic_TraffickingStatus", "missing", _("Missing required field: trafficking status.")
            )
        result.profile = {
            "trafficking_status": status or "",
            "status_decided_by": parsed.get("vic_TraffickinStatusDecisionMakingOrg", ""),
            "recruitment_methods": parsed.get("vic_MethodOfRecruitment", []),
            "means_of_control": parsed.get("vic_MethodsOfControl", []),
            "exploitation_types": parsed.get("vic_TypeOfExploitation", []),
            "labour_industries": parsed.get("vic_ForcedLabourIndustry", []),
            "sex_exploitation_types": parsed.get("vic_TypeOfSexExploitation", []),
            "consent_to_share": bool(parsed.get("con_Consent", False)),
            "age_when_trafficked": parsed.get("ctip_AgeWhenTrafficked"),
        }


def person_keys(person: dict[str, Any], ctx: Context) -> tuple[str, str]:
    keys = ctx.keys_of(
        person["given_name_km"],
        person["family_name_km"],
        person["given_name_latin"],
        person["family_name_latin"],
    )
    dob = person["date_of_birth"]
    return keys, ctx.dob_index(dob.isoformat()) if dob else ""
