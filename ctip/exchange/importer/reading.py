"""Reading an import file: its header row mapped to ctip columns, its rows as records."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from ..choices import Layout
from ..htcds import (
    column_for_header,
    fold,
)
from ..readers import FileRefused, Table, open_table

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
