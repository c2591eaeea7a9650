"""Reading uploaded tables safely and as a stream: file checks, then rows one at a time.

A file is refused before it is parsed when it is too large, when its bytes are not what its
extension says, or when it is an XLSX whose members would inflate beyond a limit (zip bomb).
XLSX is read with openpyxl in read-only mode and CSV with the csv module, so memory stays flat
however many rows the file has.
"""

import codecs
import csv
import datetime
import io
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ctip.registry.validation import text_problem

from .choices import FileFormat

XLSX_MAGIC = b"PK\x03\x04"
# Signatures of formats people rename to .csv or .xlsx by mistake (or on purpose).
FOREIGN_MAGIC = {
    b"PK\x03\x04": "ZIP/XLSX",
    b"\xd0\xcf\x11\xe0": "old Excel (.xls) or Word",
    b"%PDF": "PDF",
    b"\x7fELF": "program",
    b"MZ": "Windows program",
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"\x1f\x8b": "gzip archive",
}
MERGE_RE = re.compile(rb'<mergeCell\s+ref="([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)"')


class FileRefused(Exception):
    """The file cannot be read at all; the message says why, in the user's words."""


def limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_bytes() -> int:
    return limit("CTIP_IMPORT_MAX_BYTES", 200 * 1024 * 1024)


def detect_format(path: Path, name: str) -> str:
    """The format the extension claims, checked against the file's first bytes."""
    suffix = Path(name).suffix.lower()
    size = path.stat().st_size
    if size > max_bytes():
        raise FileRefused(
            _("The file is %(size)d MB; the largest accepted is %(max)d MB.")
            % {"size": size // 2**20, "max": max_bytes() // 2**20}
        )
    if size == 0:
        raise FileRefused(_("The file is empty."))
    with path.open("rb") as handle:
        head = handle.read(8192)
    if suffix == ".xlsx":
        if not head.startswith(XLSX_MAGIC):
            raise FileRefused(_("The file is named .xlsx but is not an Excel workbook."))
        check_zip(path)
        return FileFormat.XLSX
    if suffix in (".csv", ".txt", ".json"):
        for magic, what in FOREIGN_MAGIC.items():
            if head.startswith(magic):
                raise FileRefused(
                    _("The file is named %(suffix)s but its content is a %(what)s file.")
                    % {"suffix": suffix, "what": what}
                )
        if b"\x00" in head:
            raise FileRefused(
                _("The file is named %(suffix)s but holds binary data.") % {"suffix": suffix}
            )
        text_head = head.lstrip(codecs.BOM_UTF8).lstrip()
        if suffix == ".json":
            if not text_head.startswith((b"{", b"[")):
                raise FileRefused(_("The file is named .json but is not JSON."))
            return FileFormat.JSON
        return FileFormat.CSV
    raise FileRefused(
        _("Files of type %(suffix)s cannot be imported; use .xlsx, .csv or .json.")
        % {"suffix": suffix or "?"}
    )


def check_zip(path: Path) -> None:
    """Refuse an XLSX whose members claim too much uncompressed data or compress too well."""
    max_total = limit("CTIP_IMPORT_MAX_UNCOMPRESSED", 2 * 1024 * 1024 * 1024)
    max_ratio = limit("CTIP_IMPORT_MAX_RATIO", 200)
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            names = {m.filename for m in members}
    except zipfile.BadZipFile as error:
        raise FileRefused(
            _("The workbook is damaged or incomplete (was the upload cut off?).")
        ) from error
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise FileRefused(_("The file is a ZIP archive but not an Excel workbook."))
    if len(members) > 10_000:
        raise FileRefused(_("The workbook has too many parts to be a spreadsheet."))
    total = sum(m.file_size for m in members)
    if total > max_total:
        raise FileRefused(
            _("The workbook would unpack to %(size)d MB; the limit is %(max)d MB.")
            % {"size": total // 2**20, "max": max_total // 2**20}
        )
    # openpyxl streams worksheets, but reads the shared strings (every distinct text of the
    # workbook) and every other part whole into memory: a 6 MB file whose shared strings
    # unpack to 401 MB once took 3.8 GB and 7 minutes to check one row.
    max_strings = limit("CTIP_IMPORT_MAX_SHARED_STRINGS", 100 * 1024 * 1024)
    max_part = limit("CTIP_IMPORT_MAX_PART", 32 * 1024 * 1024)
    for member in members:
        name = member.filename
        if name.lower() == "xl/sharedstrings.xml":
            if member.file_size > max_strings:
                raise FileRefused(
                    _(
                        "The workbook's shared strings (its distinct texts) would unpack to "
                        "%(size)d MB; the limit is %(max)d MB. Split the file, or save it as CSV."
                    )
                    % {"size": member.file_size // 2**20, "max": max_strings // 2**20}
                )
        elif not name.lower().startswith("xl/worksheets/") and member.file_size > max_part:
            raise FileRefused(
                _(
                    "The workbook part %(name)s would unpack to %(size)d MB; "
                    "the limit is %(max)d MB."
                )
                % {"name": name, "size": member.file_size // 2**20, "max": max_part // 2**20}
            )
    for member in members:
        if member.file_size > 1_000_000 and member.file_size > max_ratio * max(
            member.compress_size, 1
        ):
            raise FileRefused(
                _("The workbook part %(name)s inflates %(ratio)d-fold: refused as a zip bomb.")
                % {
                    "name": member.filename,
                    "ratio": member.file_size // max(member.compress_size, 1),
                }
            )


@dataclass
class Table:
    """One sheet of an uploaded file: its header row and a stream of data rows."""

    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[Any]]]
    total_rows: int
    sheet: str = ""
    merged: list[str] = field(default_factory=list)


def clean_value(value: Any) -> Any:
    """Strip text; keep dates; turn whole floats (Excel's numbers) into ints."""
    if isinstance(value, str):
        value = value.strip()
        # Our exports guard formula-like text with an apostrophe; take it off again.
        if len(value) > 1 and value[0] == "'" and value[1] in "=+-@":
            value = value[1:]
        return value or None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.datetime) and value.time() == datetime.time(0):
        return value.date()
    return value


def _merged_ranges(archive_path: Path, member: str) -> list[str]:
    """Merged-cell ranges of a sheet, found by scanning its XML (read-only mode skips them)."""
    found: list[str] = []
    tail = b""
    with zipfile.ZipFile(archive_path) as archive, archive.open(member) as stream:
        while chunk := stream.read(1 << 20):
            data = tail + chunk
            found.extend(m.decode() for m in MERGE_RE.findall(data))
            tail = data[-200:]
            # A match wholly inside the carried tail is found again: drop repeats below.
    return sorted(set(found))


def find_header(
    rows: Iterator[tuple[int, list[Any]]], is_header: Any, scan: int = 10
) -> tuple[int, list[Any], list[tuple[int, list[Any]]]] | None:
    """The first row among the first `scan` that `is_header` accepts, and rows read past it."""
    seen: list[tuple[int, list[Any]]] = []
    for number, values in rows:
        if is_header(values):
            return number, values, []
        seen.append((number, values))
        if len(seen) >= scan:
            break
    return None


def open_xlsx(path: Path, sheet: str = "") -> Any:
    import openpyxl

    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileRefused(
            _("The workbook cannot be read (damaged or incomplete): %(error)s") % {"error": error}
        ) from error


def xlsx_sheets(path: Path) -> list[str]:
    workbook = open_xlsx(path)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _xlsx_rows(worksheet: Any) -> Iterator[tuple[int, list[Any]]]:
    for number, row in enumerate(worksheet.iter_rows(values_only=True), start=1):
        yield number, [clean_value(v) for v in row]


def _csv_text(path: Path) -> io.TextIOWrapper:
    handle = path.open("rb")
    try:
        head = handle.read(65536)
        # An incremental decoder forgives a character cut in two at the end of the sample.
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=len(head) < 65536)
    except UnicodeDecodeError as error:
        handle.close()
        raise FileRefused(
            _("The CSV file is not UTF-8 text; save it as 'CSV UTF-8' and try again.")
        ) from error
    handle.seek(0)
    return io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 22):
            count += chunk.count(b"\n")
    return count


def _csv_rows(text: io.TextIOWrapper) -> Iterator[tuple[int, list[Any]]]:
    sample = text.read(8192)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text, dialect)
    try:
        for row in reader:
            # CSV cells are all text: strip them in one pass, and take the slower path only
            # for a row with an apostrophe somewhere (a guarded formula, or O'Brien).
            if "'" in "".join(row):
                yield reader.line_num, [clean_value(v) for v in row]
            else:
                yield reader.line_num, [v.strip() or None for v in row]
    except csv.Error as error:
        raise FileRefused(
            _("The CSV file breaks off at line %(line)d (%(error)s); was it cut off?")
            % {"line": reader.line_num, "error": error}
        ) from error
    except UnicodeDecodeError as error:
        raise FileRefused(
            _("The CSV file is not UTF-8 text after line %(line)d.") % {"line": reader.line_num}
        ) from error
    finally:
        text.close()


def _json_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[Any]]], int]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as error:
        raise FileRefused(
            _("The JSON file cannot be read (damaged or cut off?): %(error)s") % {"error": error}
        ) from error
    if isinstance(data, dict):
        data = data.get("records") or data.get("results") or data.get("data") or []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise FileRefused(_("The JSON file must hold a list of records."))
    headers: list[str] = []
    for item in data:
        for key in item:
            if key not in headers:
                headers.append(key)
    _check_headers(headers)

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for number, item in enumerate(data, start=1):
            values = []
            for header in headers:
                value = item.get(header)
                if isinstance(value, list):
                    value = ";".join(str(v) for v in value)
                values.append(clean_value(value))
            yield number, values

    return headers, rows(), len(data)


def _check_headers(headers: list[Any]) -> None:
    """Column names with control characters (a NUL, say) are refused: they would be echoed
    into the problem report, which PostgreSQL cannot store."""
    for position, header in enumerate(headers, start=1):
        if isinstance(header, str) and (problem := text_problem(header)):
            raise FileRefused(
                _("Column %(number)d's name %(problem)s") % {"number": position, "problem": problem}
            )


def open_table(path: Path, fmt: str, *, sheet: str, is_header: Any) -> Table:
    """Open the sheet (or CSV/JSON), find its header row, and stream the rows below it."""
    if fmt == FileFormat.JSON:
        headers, rows, total = _json_rows(path)
        if not is_header(headers):
            raise FileRefused(_("The JSON records do not have the expected field names."))
        return Table(headers=headers, header_row=0, rows=rows, total_rows=total)
    if fmt == FileFormat.CSV:
        total = _count_lines(path)
        rows = _csv_rows(_csv_text(path))
        found = find_header(rows, is_header)
        if found is None:
            raise FileRefused(
                _("No header row found in the first 10 lines: the column names do not match.")
            )
        number, headers, _rest = found
        _check_headers(headers)
        return Table(
            headers=[str(h or "") for h in headers],
            header_row=number,
            rows=rows,
            total_rows=max(total - number, 0),
        )
    workbook = open_xlsx(path)
    names = list(workbook.sheetnames)
    candidates = [sheet] if sheet else names
    if sheet and sheet not in names:
        workbook.close()
        raise FileRefused(
            _("The workbook has no sheet named %(sheet)s; its sheets are: %(names)s.")
            % {"sheet": sheet, "names": ", ".join(names)}
        )
    for name in candidates:
        worksheet = workbook[name]
        rows = _xlsx_rows(worksheet)
        found = find_header(rows, is_header)
        if found is None:
            continue
        number, headers, _rest = found
        _check_headers(headers)
        merged = _merged_ranges(path, worksheet._worksheet_path)
        return Table(
            headers=[str(h or "") for h in headers],
            header_row=number,
            rows=_closing(rows, workbook),
            total_rows=max((worksheet.max_row or 0) - number, 0),
            sheet=name,
            merged=merged,
        )
    workbook.close()
    if sheet:
        raise FileRefused(
            _("No header row found in the first 10 rows of sheet %(sheet)s.") % {"sheet": sheet}
        )
    raise FileRefused(
        _("No sheet has the expected column names; the workbook's sheets are: %(names)s.")
        % {"names": ", ".join(names)}
    )


def _closing(
    rows: Iterator[tuple[int, list[Any]]], workbook: Any
) -> Iterator[tuple[int, list[Any]]]:
    try:
        yield from rows
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        raise FileRefused(
            _("The workbook breaks off part-way (damaged or cut off): %(error)s") % {"error": error}
        ) from error
    finally:
        workbook.close()
