"""The import engine: read a file as ctip columns, check every row, and build registry rows.

The same code runs twice over a file: once to check (nothing written but the report) and once
to apply, inside one transaction, in chunks of bulk inserts. Reading twice keeps memory flat:
nothing but one chunk of rows is held at a time. Stable external ids (the file's own case and
person ids, or a fingerprint of the row) make a second import of the same file a no-op.
"""

import datetime
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.models import Agency
from ctip.access.policies import actor_scope, can_create_in, restrict
from ctip.registry.choices import (
    CLOSED_STATUSES,
    CaseKind,
    CaseSource,
    CaseStatus,
    ParticipantRole,
    Sex,
)
from ctip.registry.crypto import blind_index
from ctip.registry.models import Case, Participant, Person, VictimProfile
from ctip.registry.names import name_keys

from . import values as V
from .choices import Layout
from .htcds import (
    CHOICES,
    COLUMN_BY_NAME,
    KIND_FROM_EXPLOITATION,
    PERSON_COLUMNS,
    SEX_FROM_GENDER,
    VICTIM_COLUMNS,
    column_for_header,
    fold,
)
from .readers import FileRefused, Table, open_table

CHUNK = 2000
REQUIRED = ("prs_FirstName|prs_SecondName|ctip_FirstNameKm|ctip_SecondNameKm",)
# Kobo/ODK meta columns that identify a submission; used as the case id when none is given.
SUBMISSION_ID_HEADERS = ("_uuid", "meta/instanceID", "instanceID", "KEY", "_id")
# When the form has no opening date, the day the interview ended (or was submitted) opens the case.
SUBMITTED_AT_HEADERS = ("end", "_submission_time", "SubmissionDate")


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
    for number, values in table.rows:
        if not any(v is not None for v in values):
            continue  # blank rows are skipped, not errors
        record = {index[p]: v for p, v in enumerate(values) if p in index and v is not None}
        # The HTCDS template numbers its rows in the Case Owner column; a number there is
        # that serial, not an agency, and a row with nothing else is an unused template row.
        if isinstance(record.get("cas_CaseOwner"), int):
            del record["cas_CaseOwner"]
        if not record:
            continue
        # The HTCDS template repeats its header as labels in a second row: skip that row.
        filled = [v for v in values if v is not None]
        if sum(1 for v in filled if column_for_header(str(v))) * 2 > len(filled):
            continue
        yield number, record, len(values)


@dataclass
class Context:
    """What validation needs beyond the row: the actor's rights and the default agency."""

    actor: Any
    default_agency: Agency
    day_first: bool = True
    agencies: dict[str, Agency] = field(default_factory=dict)
    # Duplicates are looked for among persons registered before this import began, so that
    # the check and the apply pass (which sees its own earlier chunks) agree.
    person_ceiling: int = 0

    def __post_init__(self) -> None:
        if not self.agencies:
            self.agencies = {fold(a.code): a for a in Agency.objects.all()}
        if not self.person_ceiling:
            self.person_ceiling = (
                Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            )


def _fingerprint(*parts: Any) -> str:
    data = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def _cell(result: RowResult, record: dict[str, Any], column: str, ctx: Context) -> Any:
    """Parse one cell by its column's kind; a problem is added and None returned if it fails."""
    value = record.get(column)
    if value is None:
        return None
    spec = COLUMN_BY_NAME.get(column)
    if spec is None:  # submission meta (id, time): kept as text
        return str(value).strip()
    try:
        if spec.kind == "date":
            return V.parse_date(value, day_first=ctx.day_first)
        if spec.kind == "int":
            return V.parse_int(value)
        if spec.kind == "code":
            return V.parse_code(value, spec.vocabulary)
        if spec.kind == "codes":
            return V.parse_codes(value, spec.vocabulary)
        if spec.kind == "bool":
            return V.parse_bool(value)
        if spec.kind == "countries":
            return V.parse_countries(value)
        if spec.kind == "province":
            return V.parse_province(value)
        if spec.kind == "choice" and spec.vocabulary == "case_status":
            return V.parse_case_status(value)
        if spec.kind == "choice":
            return V.parse_code(value, spec.vocabulary, V.choice_lookup(CHOICES[spec.vocabulary]))
        if spec.kind == "agency":
            agency = ctx.agencies.get(fold(str(value)))
            if agency is None:
                raise V.CellError(
                    _("%(value)s is not an agency code.") % {"value": value}, "unknown_code"
                )
            return agency
        return str(value).strip()
    except V.CellError as error:
        result.add(column, error.code, str(error))
        return None


def validate_record(number: int, record: dict[str, Any], ctx: Context) -> RowResult:
    """Check one row and turn it into case, person and victim-profile values."""
    result = RowResult(row=number)
    parsed = {column: _cell(result, record, column, ctx) for column in record}
    parsed = {k: v for k, v in parsed.items() if v is not None}
    agency = parsed.get("cas_CaseOwner", ctx.default_agency)
    if not can_create_in(ctx.actor, agency.pk):
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
    case_fields = {
        k: str(record[k]) for k in sorted(record) if k not in PERSON_COLUMNS | VICTIM_COLUMNS
    }
    result.case = {
        "external_id": case_id or f"row:{agency.code}:{_fingerprint(case_fields, record)}",
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
        _person(result, record, parsed)
    return result


def result_columns(result: RowResult) -> set[str]:
    return {p.column for p in result.problems}


def _person(result: RowResult, record: dict[str, Any], parsed: dict[str, Any]) -> None:
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
            latin, khmer = V.split_scripts(parsed[column])
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
    person_fields = {k: str(record[k]) for k in sorted(record) if k in PERSON_COLUMNS}
    result.person = {
        "external_id": parsed.get("prs_PersonId")
        or f"{result.case['external_id']}/{_fingerprint(person_fields)[:16]}",
        **names,
        "sex": sex,
        "gender": gender,
        "date_of_birth": dob,
        "estimated_age": age,
        "age_recorded_on": timezone.localdate() if age is not None and dob is None else None,
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


def _keys(person: dict[str, Any]) -> tuple[str, str]:
    keys = name_keys(
        person["given_name_km"],
        person["family_name_km"],
        person["given_name_latin"],
        person["family_name_latin"],
    )
    dob = person["date_of_birth"]
    return keys, blind_index(dob.isoformat(), purpose="dob") if dob else ""


def check_chunk(results: list[RowResult], ctx: Context) -> None:
    """Checks that need the database, done once per chunk: existing ids, rights, duplicates."""
    case_ids = {r.case["external_id"] for r in results}
    existing_cases = dict(
        Case.objects.filter(external_id__in=case_ids).values_list("external_id", "pk")
    )
    changeable = set(
        restrict(
            Case.objects.filter(pk__in=existing_cases.values()), ctx.actor, Action.CHANGE
        ).values_list("pk", flat=True)
    )
    person_ids = {r.person["external_id"] for r in results if r.person}
    existing_persons = set(
        Person.objects.filter(external_id__in=person_ids).values_list("external_id", flat=True)
    )
    fresh = [r for r in results if r.person and r.person["external_id"] not in existing_persons]
    for r in fresh:
        r.keys = _keys(r.person) if r.person else None
    keyed = {id(r): r.keys for r in fresh if r.keys}
    dob_indexes = {dob for _k, dob in keyed.values() if dob}
    known: dict[str, list[tuple[int, str]]] = {}
    if dob_indexes:
        for pk, dob_index, keys in Person.objects.filter(
            dob_index__in=dob_indexes, pk__lte=ctx.person_ceiling
        ).values_list("pk", "dob_index", "name_keys"):
            known.setdefault(dob_index, []).append((pk, keys))
    for result in results:
        case_pk = existing_cases.get(result.case["external_id"])
        if case_pk is not None and case_pk not in changeable and result.person:
            result.add(
                "cas_CaseId",
                "not_allowed",
                _("Case %(id)s already exists and you may not add to it.")
                % {"id": result.case["external_id"]},
            )
        if id(result) in keyed:
            keys, dob = keyed[id(result)]
            words = set(keys.split())
            for pk, other in known.get(dob, []):
                if words and len(words & set(other.split())) * 2 >= len(words):
                    result.add(
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
    for number, record, cells in iter_records(table, index):
        result = validate_record(number, record, ctx)
        if cells < width and source.file_format != "xlsx":
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


# --- applying -------------------------------------------------------------------------------


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


def apply_chunk(results: list[RowResult], ctx: Context, counts: Counts) -> None:
    """Write one chunk of clean rows with bulk inserts; rows already imported are left alone."""
    results = [r for r in results if not r.problems]
    counts.rows += len(results)
    case_ids = {r.case["external_id"] for r in results}
    cases = dict(Case.objects.filter(external_id__in=case_ids).values_list("external_id", "pk"))
    new_cases: dict[str, Case] = {}
    for result in results:
        data = result.case
        if data["external_id"] in cases or data["external_id"] in new_cases:
            continue
        new_cases[data["external_id"]] = Case(
            reference=f"pending-{uuid.uuid4().hex[:24]}",
            created_by=ctx.actor if getattr(ctx.actor, "pk", None) else None,
            **data,
        )
    if new_cases:
        created = Case.objects.bulk_create(list(new_cases.values()), batch_size=1000)
        # One UPDATE per chunk writes the references (registry.services.case_reference's
        # format, CT-<year>-<id, 7 digits>), instead of a CASE over every row.
        Case.objects.filter(pk__in=[c.pk for c in created]).update(reference=_reference_sql())
        for case in created:
            cases[case.external_id] = case.pk
            counts.first_case_id = min(counts.first_case_id or case.pk, case.pk)
            counts.last_case_id = max(counts.last_case_id or case.pk, case.pk)
        counts.cases += len(created)
    person_ids = {r.person["external_id"] for r in results if r.person}
    persons = dict(
        Person.objects.filter(external_id__in=person_ids).values_list("external_id", "pk")
    )
    new_persons: dict[str, Person] = {}
    for result in results:
        if not result.person or result.person["external_id"] in persons:
            continue
        data = result.person
        if data["external_id"] in new_persons:
            continue
        person = Person(registered_by_id=result.case["owning_agency_id"], **data)
        person.name_keys, person.dob_index = result.keys or _keys(data)
        dob, age = data["date_of_birth"], data["estimated_age"]
        if dob:
            person.birth_year = dob.year
        elif age is not None:
            person.birth_year = (data["age_recorded_on"] or timezone.localdate()).year - age
        new_persons[data["external_id"]] = person
    if new_persons:
        for person in Person.objects.bulk_create(list(new_persons.values()), batch_size=1000):
            persons[person.external_id] = person.pk
        counts.persons += len(new_persons)
    pairs = {
        (cases[r.case["external_id"]], persons[r.person["external_id"]]): r
        for r in results
        if r.person
    }
    existing = set()
    if pairs:
        existing = set(
            Participant.objects.filter(
                case_id__in={c for c, _p in pairs},
                person_id__in={p for _c, p in pairs},
                role=ParticipantRole.VICTIM,
            ).values_list("case_id", "person_id")
        )
    new_participants = [
        Participant(case_id=c, person_id=p, role=ParticipantRole.VICTIM)
        for (c, p) in pairs
        if (c, p) not in existing
    ]
    if new_participants:
        Participant.objects.bulk_create(new_participants, batch_size=1000)
        counts.participants += len(new_participants)
        # PostgreSQL and recent SQLite hand back the new primary keys; otherwise look them up.
        lookup = {(p.case_id, p.person_id): p.pk for p in new_participants if p.pk}
        if len(lookup) < len(new_participants):
            lookup = {
                (case_id, person_id): pk
                for pk, case_id, person_id in Participant.objects.filter(
                    Q(case_id__in={p.case_id for p in new_participants})
                    & Q(person_id__in={p.person_id for p in new_participants})
                    & Q(role=ParticipantRole.VICTIM)
                ).values_list("pk", "case_id", "person_id")
            }
        profiles = [
            VictimProfile(
                participant_id=lookup[(p.case_id, p.person_id)],
                **(pairs[(p.case_id, p.person_id)].profile or {}),
            )
            for p in new_participants
            if pairs[(p.case_id, p.person_id)].profile
        ]
        if profiles:
            VictimProfile.objects.bulk_create(profiles, batch_size=1000)
            counts.profiles += len(profiles)
    counts.unchanged_rows += sum(
        1
        for r in results
        if r.case["external_id"] not in new_cases
        and (not r.person or r.person["external_id"] not in new_persons)
    )


def _reference_sql() -> Any:
    from django.db.models import Case as SqlCase
    from django.db.models import CharField, Value, When
    from django.db.models.functions import Cast, Concat, ExtractYear, LPad

    text = CharField()
    serial = SqlCase(
        When(pk__gte=10_000_000, then=Cast("id", text)),
        default=LPad(Cast("id", text), 7, Value("0")),
        output_field=text,
    )
    return Concat(
        Value("CT-"), Cast(ExtractYear("opened_on"), text), Value("-"), serial, output_field=text
    )


def today() -> datetime.date:
    return timezone.localdate()


def actor_agencies(actor: Any) -> list[int]:
    return sorted(actor_scope(actor).agencies_with(frozenset(actor_scope(actor).roles)))
