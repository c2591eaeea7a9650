"""The import engine: read a file as ctip columns, check every row, and turn it into table rows.

The check reads the file once, as a stream: each cell is parsed with lookups loaded once per
import (and remembered per distinct value), the database checks run once per chunk of rows,
and each clean row becomes the rows it will be in the registry, identity fields encrypted and
search keys computed (`prepare`). Those rows are kept in a compact file beside the upload
(checked.py), so that applying them only checks the database again, allocates ids in blocks
and streams the rows into the tables (`Loader`: COPY on PostgreSQL). Stable external ids (the
file's own case and person ids, or a fingerprint of the row) make a second import of the same
file a no-op. docs/decisions/0400-bulk-import.md says why.
"""

import datetime
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.models import Agency
from ctip.access.policies import can_create_in, restrict
from ctip.registry.choices import (
    CLOSED_STATUSES,
    CaseKind,
    CaseSource,
    CaseStatus,
    ParticipantRole,
    Sex,
)
from ctip.registry.crypto import blind_index, encrypt, keyring
from ctip.registry.models import Case, Participant, Person, VictimProfile
from ctip.registry.names import name_keys
from ctip.registry.services import case_reference
from ctip.registry.signals import cases_written
from ctip.registry.synthetic import Table as DbTable
from ctip.registry.synthetic import Writer, timestamp_text
from ctip.registry.validation import text_problem

from . import values as V
from .choices import Layout
from .htcds import (
    CHOICES,
    COLUMNS,
    KIND_FROM_EXPLOITATION,
    PERSON_COLUMNS,
    SEX_FROM_GENDER,
    VICTIM_COLUMNS,
    column_for_header,
    fold,
)
from .readers import FileRefused, Table, open_table

CHUNK = 5000
REQUIRED = ("prs_FirstName|prs_SecondName|ctip_FirstNameKm|ctip_SecondNameKm",)
# Kobo/ODK meta columns that identify a submission; used as the case id when none is given.
SUBMISSION_ID_HEADERS = ("_uuid", "meta/instanceID", "instanceID", "KEY", "_id")
# When the form has no opening date, the day the interview ended (or was submitted) opens the case.
SUBMITTED_AT_HEADERS = ("end", "_submission_time", "SubmissionDate")
# The HTCDS template repeats its header as labels in the row below it; only the first few
# data rows are looked at for that (looking at every row cost more than parsing it).
LABEL_ROW_SCAN = 5
# Parsed cells are remembered per distinct value; past this many a column's memory is cleared,
# so that memory stays flat however many rows (and distinct dates) a file has.
MEMO_LIMIT = 50_000


@dataclass
class Problem:
    row: int
    column: str
    code: str
    message: str


@dataclass
class RowResult:
    """One row read as registry values, or the problems that stop it."""

    row: int
    problems: list[Problem] = field(default_factory=list)
    case: dict[str, Any] = field(default_factory=dict)
    person: dict[str, Any] | None = None
    profile: dict[str, Any] | None = None
    keys: tuple[str, str] | None = None  # the person's name keys and birth-date index

    def add(self, column: str, code: str, message: str) -> None:
        self.problems.append(Problem(self.row, column, code, message))


@dataclass
class Source:
    """Where rows come from and how to read them: the file plus the batch's settings."""

    path: Path
    file_format: str
    layout: str
    sheet: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # ctip column -> file header
    day_first: bool = True


def _header_index(source: Source, headers: list[Any]) -> dict[int, str]:
    """Position in the row -> ctip column."""
    index: dict[int, str] = {}
    if source.layout == Layout.MAPPING:
        wanted = {fold(h): column for column, h in source.columns.items() if h}
        for position, header in enumerate(headers):
            column = wanted.get(fold(str(header or "")))
            if column:
                index[position] = column
        return index
    for position, header in enumerate(headers):
        text = str(header or "")
        column = column_for_header(text.rsplit("/", 1)[-1])
        if column and column not in index.values():
            index[position] = column
        elif text in SUBMISSION_ID_HEADERS and "_submission" not in index.values():
            index[position] = "_submission"
        elif text in SUBMITTED_AT_HEADERS and "_submitted" not in index.values():
            index[position] = "_submitted"
    return index


def open_source(source: Source) -> tuple[Table, dict[int, str], list[Problem]]:
    """Open the file, find its header, and check that it fits the layout."""
    if source.layout == Layout.MAPPING:
        wanted = {fold(h) for h in source.columns.values() if h}
        if not wanted:
            raise FileRefused(_("The column mapping maps no columns."))

        def is_header(values: list[Any]) -> bool:
            found = {fold(str(v or "")) for v in values} & wanted
            return len(found) * 2 >= len(wanted)

    else:

        def is_header(values: list[Any]) -> bool:
            known = {column_for_header(str(v).rsplit("/", 1)[-1]) for v in values if v is not None}
            return len(known - {None}) >= 2

    table = open_table(source.path, source.file_format, sheet=source.sheet, is_header=is_header)
    index = _header_index(source, table.headers)
    problems: list[Problem] = []
    if source.layout == Layout.MAPPING:
        present = {fold(h) for h in table.headers}
        missing = [h for c, h in source.columns.items() if h and fold(h) not in present]
        if missing:
            raise FileRefused(
                _("The column mapping no longer fits this file: the file has no column %(cols)s.")
                % {"cols": ", ".join(repr(m) for m in missing)}
            )
    for ref in table.merged:
        problems.append(
            Problem(
                0,
                ref,
                "merged_cells",
                _("Cells %(ref)s are merged; unmerge them and fill in every row.") % {"ref": ref},
            )
        )
    return table, index, problems


def iter_records(table: Table, index: dict[int, str]) -> Iterator[tuple[int, dict[str, Any], int]]:
    """(row number, {ctip column: value}, number of cells) for each non-blank data row."""
    positions = sorted(index.items())
    scanned = 0
    for number, values in table.rows:
        width = len(values)
        record = {}
        for position, column in positions:
            if position < width:
                value = values[position]
                if value is not None:
                    record[column] = value
        if not record:
            continue  # blank rows (or rows with nothing in our columns) are skipped, not errors
        # The HTCDS template numbers its rows in the Case Owner column; a number there is
        # that serial, not an agency, and a row with nothing else is an unused template row.
        if isinstance(record.get("cas_CaseOwner"), int):
            del record["cas_CaseOwner"]
            if not record:
                continue
        if scanned < LABEL_ROW_SCAN:
            scanned += 1
            # The HTCDS template repeats its header as labels in a second row: skip that row.
            filled = [v for v in values if v is not None]
            if sum(1 for v in filled if column_for_header(str(v))) * 2 > len(filled):
                continue
        yield number, record, width


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

    def __post_init__(self) -> None:
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


def _keys(person: dict[str, Any], ctx: Context) -> tuple[str, str]:
    keys = ctx.keys_of(
        person["given_name_km"],
        person["family_name_km"],
        person["given_name_latin"],
        person["family_name_latin"],
    )
    dob = person["date_of_birth"]
    return keys, ctx.dob_index(dob.isoformat()) if dob else ""


# --- what the database already holds --------------------------------------------------------


@dataclass
class Found:
    """What the database holds of a chunk's rows: existing ids, and the problems it causes."""

    cases: dict[str, int]  # case external id -> pk
    persons: dict[str, int]  # person external id -> pk
    problems: dict[int, Problem]  # by position in the chunk


def _by_external_id(model: Any, ids: set[str]) -> dict[str, int]:
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        # One array parameter: an IN list of thousands of values costs more to build than to run.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_id, id FROM {model._meta.db_table} WHERE external_id = ANY(%s)",
                [list(ids)],
            )
            return dict(cursor.fetchall())
    return dict(model.objects.filter(external_id__in=ids).values_list("external_id", "pk"))


def _persons_born(dob_indexes: set[str], ceiling: int) -> dict[str, list[tuple[int, str]]]:
    """Persons registered before the import began, by date-of-birth index: (pk, name keys)."""
    known: dict[str, list[tuple[int, str]]] = {}
    if not dob_indexes:
        return known
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, dob_index, name_keys FROM {Person._meta.db_table} "
                "WHERE dob_index = ANY(%s) AND id <= %s",
                [list(dob_indexes), ceiling],
            )
            found = cursor.fetchall()
    else:
        found = list(
            Person.objects.filter(dob_index__in=dob_indexes, pk__lte=ceiling).values_list(
                "pk", "dob_index", "name_keys"
            )
        )
    for pk, dob_index, keys in found:
        known.setdefault(dob_index, []).append((pk, keys))
    return known


def database_check(rows: list[tuple[int, str, str | None, str, str]], ctx: Context) -> Found:
    """Checks that need the database, done once per chunk: existing ids, rights, duplicates.

    `rows` holds, per row: (row number, case external id, person external id or None, the
    person's name keys, date-of-birth index)."""
    cases = _by_external_id(Case, {r[1] for r in rows})
    persons = _by_external_id(Person, {r[2] for r in rows if r[2] is not None})
    changeable: set[int] = set()
    with_person = {cases[r[1]] for r in rows if r[2] is not None and r[1] in cases}
    if with_person:
        changeable = set(
            restrict(Case.objects.filter(pk__in=with_person), ctx.actor, Action.CHANGE).values_list(
                "pk", flat=True
            )
        )
    fresh = [r for r in rows if r[2] is not None and r[2] not in persons and r[4]]
    known = _persons_born({r[4] for r in fresh}, ctx.person_ceiling)
    problems: dict[int, Problem] = {}
    for position, (row, case_id, person_id, *_keys) in enumerate(rows):
        case_pk = cases.get(case_id)
        if case_pk is not None and person_id is not None and case_pk not in changeable:
            problems[position] = Problem(
                row,
                "cas_CaseId",
                "not_allowed",
                _("Case %(id)s already exists and you may not add to it.") % {"id": case_id},
            )
    for position, (row, _case_id, person_id, keys, dob) in enumerate(rows):
        if person_id is None or person_id in persons or not dob or position in problems:
            continue
        words = set(keys.split())
        for pk, other in known.get(dob, []):
            if words and len(words & set(other.split())) * 2 >= len(words):
                problems[position] = Problem(
                    row,
                    "prs_FirstName",
                    "duplicate",
                    _(
                        "Probably the same person as one already registered (same date of "
                        "birth, similar name, person P%(pk)d); give their person id to link "
                        "them, or check before importing."
                    )
                    % {"pk": pk},
                )
                break
    return Found(cases, persons, problems)


def check_chunk(results: list[RowResult], ctx: Context) -> None:
    """The database checks of a chunk of parsed rows; problems are added to the rows."""
    rows = []
    for result in results:
        if result.person:
            result.keys = _keys(result.person, ctx)
        keys, dob = result.keys or ("", "")
        person_id = result.person["external_id"] if result.person else None
        rows.append((result.row, result.case["external_id"], person_id, keys, dob))
    for position, problem in database_check(rows, ctx).problems.items():
        results[position].problems.append(problem)


def validated_chunks(
    source: Source, ctx: Context, on_progress: Callable[[int, int], None] | None = None
) -> Iterator[tuple[list[RowResult], list[Problem]]]:
    """Chunks of checked rows; file-level problems come with the first chunk."""
    table, index, file_problems = open_source(source)
    total = table.total_rows
    chunk: list[RowResult] = []
    done = 0
    first = True
    width = len(table.headers)
    short_rows = source.file_format != "xlsx"
    for number, record, cells in iter_records(table, index):
        result = validate_record(number, record, ctx)
        if short_rows and cells < width:
            result.add(
                "",
                "short_row",
                _("The row has %(cells)d cells where the header has %(width)d: cut off?")
                % {"cells": cells, "width": width},
            )
        chunk.append(result)
        done += 1
        if len(chunk) >= CHUNK:
            check_chunk(chunk, ctx)
            yield chunk, file_problems if first else []
            first = False
            chunk = []
            if on_progress:
                on_progress(done, max(total, done))
    if chunk or first:
        check_chunk(chunk, ctx)
        yield chunk, file_problems if first else []
    if on_progress:
        on_progress(done, done)


# --- rows as they will be stored ------------------------------------------------------------

# A prepared row is a tuple of plain values (marshal writes them to the checked-rows file):
#   (row number, rejected, case external id, case values, person external id, person values,
#    victim-profile values), or (row number, True) for a rejected row. The values tuples hold
#   what the CASE/PERSON/VICTIM tables below take, less ids, references and timestamps.
Prepared = tuple[Any, ...]


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _enc(text: str) -> str:
    return encrypt(text) if text else ""


def prepare(result: RowResult, ctx: Context) -> Prepared:
    """A checked row as the values it will be stored with: encrypted, keyed, as plain text."""
    if result.problems:
        return (result.row, True)
    c = result.case
    case = (
        str(c["kind"]),
        str(c["status"]),
        str(c["source"]),
        c["owning_agency_id"],
        c["province_id"],
        c["opened_on"].isoformat(),
        _iso(c["closed_on"]),
        c["closure_reason"],
    )
    person = profile = person_id = None
    if result.person:
        p = result.person
        keys, dob_index = result.keys or _keys(p, ctx)
        dob, age = p["date_of_birth"], p["estimated_age"]
        birth_year = None
        if dob:
            birth_year = dob.year
        elif age is not None:
            birth_year = (p["age_recorded_on"] or ctx.today).year - age
        person_id = p["external_id"]
        person = (
            _enc(p["given_name_km"]),
            _enc(p["family_name_km"]),
            _enc(p["given_name_latin"]),
            _enc(p["family_name_latin"]),
            str(p["sex"]),
            p["gender"],
            encrypt(dob.isoformat()) if dob else None,
            age,
            _iso(p["age_recorded_on"]),
            birth_year,
            ctx.as_json(p["citizenships"]),
            _enc(p["phone"]),
            _enc(p["address"]),
            keys,
            dob_index,
            c["owning_agency_id"],
        )
    if result.profile:
        v = result.profile
        profile = (
            v["trafficking_status"],
            v["status_decided_by"],
            v["age_when_trafficked"],
            ctx.as_json(v["recruitment_methods"]),
            ctx.as_json(v["means_of_control"]),
            ctx.as_json(v["exploitation_types"]),
            ctx.as_json(v["labour_industries"]),
            ctx.as_json(v["sex_exploitation_types"]),
            v["consent_to_share"],
        )
    return (result.row, False, c["external_id"], case, person_id, person, profile)


def prepared_chunks(source: Source, ctx: Context) -> Iterator[list[Prepared]]:
    """The file checked again and prepared, for when no checked rows were kept (or they are
    stale: another day, another key, changed reference data)."""
    for chunk, _file_problems in validated_chunks(source, ctx):
        yield [prepare(result, ctx) for result in chunk]


# --- applying -------------------------------------------------------------------------------

# The columns the loader writes: every column of these tables (tests check none is missed).
CASE_TABLE = DbTable(
    "case",
    Case,
    (
        "id", "reference", "kind", "status", "source", "owning_agency", "province", "opened_on",
        "closed_on", "closure_reason", "summary", "external_id", "created_by", "created_at",
        "updated_at",
    ),
)  # fmt: skip
PERSON_TABLE = DbTable(
    "person",
    Person,
    (
        "id", "given_name_km", "family_name_km", "given_name_latin", "family_name_latin",
        "aliases", "sex", "gender", "date_of_birth", "estimated_age", "age_recorded_on",
        "birth_year", "citizenships", "languages", "phone", "address", "name_keys", "dob_index",
        "external_id", "registered_by", "created_at", "updated_at",
    ),
)  # fmt: skip
PARTICIPANT_TABLE = DbTable("participant", Participant, ("id", "case", "person", "role", "notes"))
VICTIM_TABLE = DbTable(
    "victim",
    VictimProfile,
    (
        "id", "participant", "trafficking_status", "status_decided_by", "status_decided_on",
        "identified_on", "age_when_trafficked", "relationship_to_trafficker",
        "recruitment_methods", "recruitment_platforms", "means_of_control", "exploitation_types",
        "labour_industries", "sex_exploitation_types", "consent_to_share", "consent_recorded_on",
        "testimony",
    ),
)  # fmt: skip
LOADED_TABLES = (CASE_TABLE, PERSON_TABLE, PARTICIPANT_TABLE, VICTIM_TABLE)


@dataclass
class Counts:
    cases: int = 0
    persons: int = 0
    participants: int = 0
    profiles: int = 0
    skipped_rows: int = 0
    unchanged_rows: int = 0
    rows: int = 0
    first_case_id: int | None = None
    last_case_id: int | None = None

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in vars(self).items() if not k.endswith("_case_id")}


class DataChanged(ValidationError):
    """A row that passed the check fails now: the whole import is rolled back."""

    def __init__(self) -> None:
        super().__init__({"batch": [_("The data changed since the check; check the file again.")]})


class Loader:
    """Writes prepared rows: ids allocated in blocks, rows streamed with the registry's bulk
    writer (COPY on PostgreSQL, executemany on SQLite), rows already imported left alone."""

    def __init__(self, ctx: Context, counts: Counts, rejected_at_check: int) -> None:
        self.ctx, self.counts, self.rejected_at_check = ctx, counts, rejected_at_check
        self.writer = Writer()
        self.timestamp = timestamp_text(timezone.now())
        self.actor_id = getattr(ctx.actor, "pk", None)
        self.next_free: dict[str, int] = {}
        self.allowed: set[int] = set()
        self.sequences: dict[str, str] = {}

    def ids(self, table: DbTable, count: int) -> list[int]:
        """`count` new ids; on PostgreSQL from the table's sequence, safe beside other writers."""
        if not count:
            return []
        if self.writer.vendor == "postgresql":
            with connection.cursor() as cursor:
                sequence = self.sequences.get(table.key)
                if sequence is None:
                    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table.db_table])
                    sequence = self.sequences[table.key] = cursor.fetchone()[0]
                # Each id comes from nextval, so no other writer ever gets one of them; when
                # no one took an id meanwhile they are one run, told by one row. Otherwise
                # that run is dropped (gaps are harmless) and the ids are fetched one by one.
                cursor.execute(
                    "SELECT min(id), max(id) FROM "
                    "(SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) AS ids",
                    [sequence, count],
                )
                low, high = cursor.fetchone()
                if high - low + 1 == count:
                    return list(range(low, high + 1))
                cursor.execute(
                    "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
                )
                return [row[0] for row in cursor.fetchall()]
        # SQLite has one writer at a time: ids follow the highest there is, or ever was.
        start = self.next_free.get(table.key)
        if start is None:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table.db_table}")
                highest = cursor.fetchone()[0]
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table.db_table])
                row = cursor.fetchone()
            start = max(highest, row[0] if row else 0) + 1
        self.next_free[table.key] = start + count
        return list(range(start, start + count))

    def load(self, records: list[Prepared]) -> None:
        """Write one chunk; a row that passed the check but fails now rolls everything back."""
        counts, ctx, ts = self.counts, self.ctx, self.timestamp
        clean = [r for r in records if not r[1]]
        counts.rows += len(clean)
        counts.skipped_rows += sum(1 for r in records if r[1])
        if counts.skipped_rows > self.rejected_at_check:
            raise DataChanged
        for agency_id in {r[3][3] for r in clean} - self.allowed:
            # The actor's rights are asked again: they may have changed since the check.
            if not can_create_in(ctx.actor, agency_id):
                raise DataChanged
            self.allowed.add(agency_id)
        found = database_check(
            [(r[0], r[2], r[4], r[5][13] if r[5] else "", r[5][14] if r[5] else "") for r in clean],
            ctx,
        )
        if found.problems:
            raise DataChanged
        cases, persons = found.cases, found.persons
        old_cases, old_persons = set(cases.values()), set(persons.values())

        new_cases: dict[str, Any] = {}
        for r in clean:
            if r[2] not in cases and r[2] not in new_cases:
                new_cases[r[2]] = r[3]
        rows = []
        for pk, (external_id, v) in zip(
            self.ids(CASE_TABLE, len(new_cases)), new_cases.items(), strict=True
        ):
            cases[external_id] = pk
            reference = case_reference(pk, datetime.date.fromisoformat(v[5]))
            rows.append((pk, reference, *v, "", external_id, self.actor_id, ts, ts))
        self.writer.write(CASE_TABLE, rows)
        if rows:
            counts.cases += len(rows)
            counts.first_case_id = min(counts.first_case_id or rows[0][0], rows[0][0])
            counts.last_case_id = max(counts.last_case_id or rows[-1][0], rows[-1][0])

        new_persons: dict[str, Any] = {}
        for r in clean:
            if r[4] is not None and r[4] not in persons and r[4] not in new_persons:
                new_persons[r[4]] = r[5]
        rows = []
        for pk, (external_id, v) in zip(
            self.ids(PERSON_TABLE, len(new_persons)), new_persons.items(), strict=True
        ):
            persons[external_id] = pk
            rows.append((
                pk, v[0], v[1], v[2], v[3], "", v[4], v[5], v[6], v[7], v[8], v[9], v[10], "[]",
                v[11], v[12], v[13], v[14], external_id, v[15], ts, ts,
            ))  # fmt: skip
        self.writer.write(PERSON_TABLE, rows)
        counts.persons += len(rows)

        pairs: dict[tuple[int, int], Any] = {}
        for r in clean:
            if r[4] is not None:
                pairs[(cases[r[2]], persons[r[4]])] = r[6]
        # A participation can only exist already when both its case and its person did.
        old = [(c, p) for c, p in pairs if c in old_cases and p in old_persons]
        existing: set[tuple[int, int]] = set()
        if old:
            existing = set(
                Participant.objects.filter(
                    case_id__in={c for c, _p in old},
                    person_id__in={p for _c, p in old},
                    role=ParticipantRole.VICTIM,
                ).values_list("case_id", "person_id")
            )
        fresh = [(pair, profile) for pair, profile in pairs.items() if pair not in existing]
        participant_ids = self.ids(PARTICIPANT_TABLE, len(fresh))
        victim = ParticipantRole.VICTIM.value
        self.writer.write(
            PARTICIPANT_TABLE,
            [
                (pk, c, p, victim, "")
                for pk, ((c, p), _profile) in zip(participant_ids, fresh, strict=True)
            ],
        )
        counts.participants += len(fresh)
        profiles = [
            (pk, profile)
            for pk, (_pair, profile) in zip(participant_ids, fresh, strict=True)
            if profile
        ]
        rows = [
            (
                pk, participant, v[0], v[1], None, None, v[2], "", v[3], "[]", v[4], v[5], v[6],
                v[7], v[8], None, "",
            )
            for pk, (participant, v) in zip(
                self.ids(VICTIM_TABLE, len(profiles)), profiles, strict=True
            )
        ]  # fmt: skip
        self.writer.write(VICTIM_TABLE, rows)
        counts.profiles += len(rows)
        counts.unchanged_rows += sum(
            1 for r in clean if r[2] not in new_cases and (r[4] is None or r[4] not in new_persons)
        )
        # Written with COPY, past the models' signals: say which cases changed (statistics):
        # the new ones and those that gained a participant; a row imported before changed none.
        changed = {cases[external_id] for external_id in new_cases}
        changed |= {case_id for (case_id, _person), _profile in fresh}
        cases_written.send(sender=Loader, cases=changed)
