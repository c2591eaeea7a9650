"""Person files for `ctip linkage match`: read and check a CSV, match it, shape the output.

A file is checked whole before anything is matched or printed: a missing or unknown column,
a repeated or empty record_id, a malformed date, an over-long value or an empty file is
refused with a message that names the column and the row (the header is row 1).
"""

import csv
import datetime
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ctip.linkage.engine import model
from ctip.linkage.engine.records import document_key, normalise

COLUMNS = (
    "record_id",
    "source",
    "family_name",
    "given_name",
    "name_km",
    "sex",
    "birth_date",
    "nationality",
    "province",
    "phone",
    "document_number",
)
OPTIONAL_COLUMNS = ("village",)  # accepted beyond the columns, never required
MAX_VALUE_LENGTH = 200
MAX_FILE_BYTES = 512 * 1024 * 1024
_YEAR = re.compile(r"^\d{4}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class FileError(ValueError):
    """A person file that cannot be matched; the message names the file, row and column."""


def _birth(text: str, where: str) -> dict[str, Any]:
    if not text:
        return {}
    if _YEAR.match(text):
        year = int(text)
        if not 1880 <= year <= 2100:
            raise FileError(f"{where}, birth_date: year {text} is out of range")
        # A year alone is how an age estimated by an officer is written.
        return {"birth_year": year, "birth_estimated": True}
    if _DATE.match(text):
        try:
            date = datetime.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return {"birth_date": date, "birth_year": date.year}
    raise FileError(f"{where}, birth_date: {text!r} is not YYYY-MM-DD or YYYY")


def read_persons(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a person file as normalise() input; FileError on anything wrong."""
    name = str(path)
    try:
        if Path(path).stat().st_size > MAX_FILE_BYTES:
            raise FileError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MiB")
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as error:
        raise FileError(f"{name}: cannot be read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise FileError(f"{name}: not UTF-8 text (byte {error.start})") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileError(f"{name}: the file is empty") from None
    except csv.Error as error:
        raise FileError(f"{name}, row 1: {error}") from None
    header = [column.strip() for column in header]
    missing = [column for column in COLUMNS if column not in header]
    unknown = [c for c in header if c not in COLUMNS and c not in OPTIONAL_COLUMNS]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        raise FileError(f"{name}: missing column(s): {', '.join(missing)}")
    if unknown:
        raise FileError(f"{name}: unknown column(s): {', '.join(unknown)}")
    if repeated:
        raise FileError(f"{name}: repeated column(s): {', '.join(repeated)}")
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    try:
        for number, values in enumerate(reader, start=2):
            if not any(value.strip() for value in values):
                continue
            where = f"{name}, row {number}"
            if len(values) != len(header):
                raise FileError(f"{where}: {len(values)} values for {len(header)} columns")
            raw = {column: value.strip() for column, value in zip(header, values, strict=True)}
            for column, value in raw.items():
                if len(value) > MAX_VALUE_LENGTH:
                    raise FileError(f"{where}, {column}: longer than {MAX_VALUE_LENGTH} characters")
            record_id = raw["record_id"]
            if not record_id:
                raise FileError(f"{where}, record_id: empty")
            if record_id in seen:
                raise FileError(
                    f"{where}, record_id: {record_id!r} already used in row {seen[record_id]}"
                )
            seen[record_id] = number
            row: dict[str, Any] = {
                **{c: raw.get(c, "") for c in (*COLUMNS, *OPTIONAL_COLUMNS) if c != "birth_date"},
                **_birth(raw["birth_date"], where),
                "document_index": document_key(raw["document_number"]),
            }
            rows.append(row)
    except csv.Error as error:
        raise FileError(f"{name}, row {reader.line_num}: {error}") from None
    if not rows:
        raise FileError(f"{name}: no records after the header")
    return rows


def match(
    rows: Sequence[dict[str, Any]],
    against: Sequence[dict[str, Any]] = (),
    *,
    threshold: float = model.DEFAULT_THRESHOLD,
) -> dict[str, Any]:
    """Pairs judged the same person at `threshold` and the clusters they make.

    With `against`, only pairs with one record from each file are reported (a from rows,
    b from against); the model is trained on both files together.
    """
    if not 0 < threshold < 1:
        raise FileError("--threshold: must lie strictly between 0 and 1")
    first = {str(row["record_id"]) for row in rows}
    for row in against:
        if str(row["record_id"]) in first:
            raise FileError(
                f"record_id: {row['record_id']!r} is in both files; ids must be distinct"
            )
    records = model.record_table(normalise(row) for row in (*rows, *against))
    if records.num_rows < 2:
        return {"pairs": [], "clusters": []}
    trained = model.train(records)
    pairs = model.predict(trained, records, threshold=threshold)
    if against:
        linked = []
        for pair in pairs:
            if (pair.a in first) == (pair.b in first):
                continue
            a, b = (pair.a, pair.b) if pair.a in first else (pair.b, pair.a)
            linked.append(model.Pair(a, b, pair.probability, pair.pattern))
        pairs = linked
    return {
        "pairs": [{"a": p.a, "b": p.b, "probability": round(p.probability, 6)} for p in pairs],
        "clusters": model.cluster(pairs, threshold=threshold),
    }
