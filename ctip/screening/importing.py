"""A spreadsheet of persons found, through the exchange app's import machinery.

The upload is kept and identified by `exchange.services.import_upload` (format by content,
size limit, the agency's right to import), read by `exchange.readers.open_table` (bounded:
zip bombs, huge sheets and bad encodings refused), and its report is an exchange import batch
(`import_settle`), listed with the other imports. Only the row rule is screening's own
(`services.found_row_check`, the grid's rule), and the rows are written through
`services.found_persons_add`, i.e. the registry's services: every row or none.
"""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctip.exchange.choices import Layout
from ctip.exchange.htcds import column_for_header, fold
from ctip.exchange.importer import Problem
from ctip.exchange.models import ImportBatch
from ctip.exchange.readers import FileRefused, open_table
from ctip.exchange.services import import_settle, import_upload

from . import services
from .models import Operation

# HTCDS template columns that mean one of our fields (files made for the HTCDS import work).
HTCDS_FIELDS = {
    "prs_FirstName": "given_name",
    "prs_SecondName": "family_name",
    "ctip_FirstNameKm": "name_km",
    "ctip_Sex": "sex",
    "ctip_EstimatedAge": "age",
    "prs_Citizenship": "nationality",
}
# Other headers met in raid lists, folded.
EXTRA_HEADERS = {
    fold(h): f
    for h, f in (
        ("no", "number"),
        ("surname", "family_name"),
        ("first name", "given_name"),
        ("khmer name", "name_km"),
        ("gender", "sex"),
        ("apparent age", "age_is_apparent"),
        ("citizenship", "nationality"),
        ("country", "nationality"),
        ("passport", "document_number"),
        ("passport number", "document_number"),
    )
}
MAX_ROWS = 5000


def field_for_header(header: Any) -> str | None:
    """The field of services.FOUND_FIELDS a header names (its own name, an HTCDS column, or
    a common spelling)."""
    text = str(header or "")
    key = fold(text)
    if not key:
        return None
    for name in services.FOUND_FIELDS:
        if fold(name) == key:
            return name
    if key in EXTRA_HEADERS:
        return EXTRA_HEADERS[key]
    column = column_for_header(text)
    return HTCDS_FIELDS.get(column or "")


def found_persons_import(
    *, actor: Any, operation: Operation, path: Path, file_name: str
) -> ImportBatch:
    """Register the persons listed in a spreadsheet: all rows, or none and a report."""
    services.require_operation_change(actor, operation)
    batch = import_upload(
        actor=actor,
        path=path,
        file_name=file_name,
        agency=services.registering_agency(actor, operation),
        layout=Layout.MAPPING,
    )

    def is_header(values: list[Any]) -> bool:
        return len({field_for_header(v) for v in values} - {None}) >= 2

    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    problems: list[Problem] = []
    try:
        table = open_table(
            Path(batch.stored_path), batch.file_format, sheet="", is_header=is_header
        )
        index: dict[int, str] = {}
        for position, header in enumerate(table.headers):
            name = field_for_header(header)
            if name and name not in index.values():
                index[position] = name
        for number, values in table.rows:
            record = {
                name: values[position]
                for position, name in index.items()
                if position < len(values) and values[position] is not None
            }
            if not record:
                continue
            if len(rows) >= MAX_ROWS:
                raise FileRefused(
                    _("At most %(n)d persons per file; split the list.") % {"n": MAX_ROWS}
                )
            rows.append(record)
            numbers.append(number)
    except FileRefused as error:
        batch.refusal = str(error)
        return import_settle(actor=actor, batch=batch, problems=[], total_rows=len(rows))
    try:
        created = services.found_persons_add(actor=actor, operation=operation, rows=rows)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            where, _sep, name = key.partition(": ")
            row = numbers[int(where.split()[1]) - 1] if where.startswith("row ") else 0
            for message in messages:
                problems.append(Problem(row, name or key, "invalid", message))
        return import_settle(actor=actor, batch=batch, problems=problems, total_rows=len(rows))
    return import_settle(
        actor=actor,
        batch=batch,
        problems=[],
        total_rows=len(rows),
        result={"operation": operation.pk, "persons_found": len(created)},
    )
