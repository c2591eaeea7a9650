"""Exports: HTCDS 2.0 rows (JSON, CSV, XLSX) and a case list, scoped by the actor and masked.

Rows are built by generators over the actor's cases (never the whole table in memory). Every
row passes through `mask_row`, the one place where masking by role applies, and every text
cell written to CSV or XLSX through `neutralise`, so that no cell can run as a formula.
"""

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch

from ctip.access.masking import export_masker
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Case, Participant
from ctip.registry.selectors import case_queryset
from ctip.registry.validation import BIDI_RE

from .htcds import CASE_STATUS_TO_HTCDS
from .own_ids import own_export_mark

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HTCDS_EXPORT_COLUMNS = [
    "cas_CaseId",
    "cas_CaseOwner",
    "cas_Status",
    "cas_ReasonForCaseClosure",
    "ctip_CaseKind",
    "ctip_CaseSource",
    "ctip_Province",
    "ctip_OpenedOn",
    "ctip_ClosedOn",
    "prs_PersonId",
    "prs_FirstName",
    "prs_SecondName",
    "ctip_FirstNameKm",
    "ctip_SecondNameKm",
    "prs_Birthdate",
    "ctip_EstimatedAge",
    "prs_Gender",
    "ctip_Sex",
    "prs_Citizenship",
    "prs_MobilePhone",
    "prs_MailingStreet",
    "con_Consent",
    "vic_TraffickingStatus",
    "vic_TraffickinStatusDecisionMakingOrg",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "ctip_AgeWhenTrafficked",
    "ctip_ExportedFrom",
]
CASE_EXPORT_COLUMNS = [
    "reference",
    "external_id",
    "kind",
    "status",
    "source",
    "owning_agency",
    "province",
    "opened_on",
    "closed_on",
    "victims",
    "suspects",
]
# Columns that identify a person: what a masking function is expected to hide by role.
IDENTIFYING_COLUMNS = frozenset(
    {
        "prs_FirstName",
        "prs_SecondName",
        "ctip_FirstNameKm",
        "ctip_SecondNameKm",
        "prs_Birthdate",
        "prs_MobilePhone",
        "prs_MailingStreet",
    }
)


def neutralise(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe (OWASP advice),
    and invisible text-direction controls are removed, so that a value stored before they
    were refused cannot display in a spreadsheet as something else ("Trojan Source")."""
    if isinstance(value, str):
        value = BIDI_RE.sub("", value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def mask_row(*, actor: Any, row: dict[str, Any], layout: str) -> dict[str, Any]:
    """The single place masking applies to exported rows: access's clearance table, as on
    pages and in the API. Called directly (exchange sits above access), so that no setting
    can leave exports unmasked."""
    return export_masker(actor=actor, row=row, layout=layout, identifying=IDENTIFYING_COLUMNS)


def _joined(values: Iterable[str]) -> str:
    return ";".join(values)


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _case_fields(case: Case) -> dict[str, Any]:
    return {
        "cas_CaseId": case.external_id or case.reference,
        "cas_CaseOwner": case.owning_agency.code,
        "cas_Status": CASE_STATUS_TO_HTCDS.get(case.status, case.status),
        "cas_ReasonForCaseClosure": case.closure_reason,
        "ctip_CaseKind": case.kind,
        "ctip_CaseSource": case.source,
        "ctip_Province": case.province.code,
        "ctip_OpenedOn": _date(case.opened_on),
        "ctip_ClosedOn": _date(case.closed_on),
    }


def _victim_fields(participant: Participant) -> dict[str, Any]:
    person = participant.person
    profile = getattr(participant, "victim_profile", None)
    row = {
        "prs_PersonId": person.external_id or f"ctip-person-{person.pk}",
        "prs_FirstName": person.given_name_latin,
        "prs_SecondName": person.family_name_latin,
        "ctip_FirstNameKm": person.given_name_km,
        "ctip_SecondNameKm": person.family_name_km,
        "prs_Birthdate": _date(person.date_of_birth),
        "ctip_EstimatedAge": person.estimated_age if person.date_of_birth is None else None,
        "prs_Gender": person.gender,
        "ctip_Sex": person.sex,
        "prs_Citizenship": _joined(person.citizenships or []),
        "prs_MobilePhone": person.phone,
        "prs_MailingStreet": person.address,
    }
    if profile is not None:
        row.update(
            {
                "con_Consent": "TRUE" if profile.consent_to_share else "FALSE",
                "vic_TraffickingStatus": profile.trafficking_status,
                "vic_TraffickinStatusDecisionMakingOrg": profile.status_decided_by,
                "vic_MethodOfRecruitment": _joined(profile.recruitment_methods),
                "vic_MethodsOfControl": _joined(profile.means_of_control),
                "vic_TypeOfExploitation": _joined(profile.exploitation_types),
                "vic_ForcedLabourIndustry": _joined(profile.labour_industries),
                "vic_TypeOfSexExploitation": _joined(profile.sex_exploitation_types),
                "ctip_AgeWhenTrafficked": profile.age_when_trafficked,
            }
        )
    return row


def _cases(actor: Any, filters: dict[str, Any] | None) -> Iterator[Case]:
    victims = Participant.objects.filter(role=ParticipantRole.VICTIM).select_related(
        "person", "victim_profile"
    )
    queryset = (
        case_queryset(actor=actor)
        .filter(**(filters or {}))
        .select_related("owning_agency", "province")
        .prefetch_related(Prefetch("participants", queryset=victims, to_attr="victims"))
        .order_by("opened_on", "id")
    )
    yield from queryset.iterator(chunk_size=500)


def htcds_rows(*, actor: Any, filters: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """One row per victim in each case the actor may see (a case without victims: one row)."""
    mark = own_export_mark()
    for case in _cases(actor, filters):
        base = _case_fields(case) | {"ctip_ExportedFrom": mark}
        people = case.victims or [None]  # type: ignore[attr-defined]
        for participant in people:
            row = dict.fromkeys(HTCDS_EXPORT_COLUMNS, "")
            row.update(base)
            if participant is not None:
                row.update(_victim_fields(participant))
            row = {k: ("" if v is None else v) for k, v in row.items()}
            yield mask_row(actor=actor, row=row, layout="htcds")


def case_rows(*, actor: Any, filters: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
    """One row per case the actor may see: the case list as a spreadsheet."""
    from django.db.models import Count, Q

    queryset = (
        case_queryset(actor=actor)
        .filter(**(filters or {}))
        .select_related("owning_agency", "province")
        .annotate(
            n_victims=Count("participants", filter=Q(participants__role=ParticipantRole.VICTIM)),
            n_suspects=Count("participants", filter=Q(participants__role=ParticipantRole.SUSPECT)),
        )
        .order_by("opened_on", "id")
    )
    for case in queryset.iterator(chunk_size=1000):
        row = {
            "reference": case.reference,
            "external_id": case.external_id or "",
            "kind": case.kind,
            "status": case.status,
            "source": case.source,
            "owning_agency": case.owning_agency.code,
            "province": case.province.code,
            "opened_on": _date(case.opened_on),
            "closed_on": _date(case.closed_on),
            "victims": case.n_victims,  # type: ignore[attr-defined]
            "suspects": case.n_suspects,  # type: ignore[attr-defined]
        }
        yield mask_row(actor=actor, row=row, layout="cases")


class _Counter:
    def __init__(self, rows: Iterable[dict[str, Any]]) -> None:
        self.rows, self.count = rows, 0

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def write_csv(rows: Iterable[dict[str, Any]], columns: list[str], handle: Any) -> int:
    counter = _Counter(rows)
    writer = csv.writer(handle)
    writer.writerow(columns)
    for row in counter:
        writer.writerow([neutralise(row.get(c, "")) for c in columns])
    return counter.count


def write_xlsx(rows: Iterable[dict[str, Any]], columns: list[str], handle: Any) -> int:
    import openpyxl

    counter = _Counter(rows)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Cases")
    sheet.append(columns)
    for row in counter:
        sheet.append([neutralise(row.get(c, "")) for c in columns])
    workbook.save(handle)
    return counter.count


def write_json(rows: Iterable[dict[str, Any]], columns: list[str], handle: Any) -> int:
    """HTCDS JSON: {"standard": ..., "records": [...]} with multi-value fields as lists."""
    counter = _Counter(rows)
    multi = {c for c in columns if c.startswith("vic_") and c != "vic_TraffickingStatus"} - {
        "vic_TraffickinStatusDecisionMakingOrg"
    } | {"prs_Citizenship"}
    handle.write('{"standard": "HTCDS 2.0", "records": [')
    for index, row in enumerate(counter):
        record = {}
        for column in columns:
            value = row.get(column, "")
            if column in multi:
                value = [v for v in str(value).split(";") if v]
            record[column] = value
        handle.write(("," if index else "") + json.dumps(record, ensure_ascii=False))
    handle.write("]}")
    return counter.count


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "json": write_json}
LAYOUTS = {"htcds": (htcds_rows, HTCDS_EXPORT_COLUMNS), "cases": (case_rows, CASE_EXPORT_COLUMNS)}


def export_write(
    *,
    actor: Any,
    layout: str,
    file_format: str,
    handle: Any,
    filters: dict[str, Any] | None = None,
) -> int:
    """Write an export and audit it; returns the number of rows written."""
    rows_for, columns = LAYOUTS[layout]
    count = WRITERS[file_format](rows_for(actor=actor, filters=filters), columns, handle)
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type="registry.case",
        detail={"layout": layout, "format": file_format, "rows": count},
    )
    return count
