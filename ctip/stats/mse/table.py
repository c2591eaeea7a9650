"""Capture-history tables: the counts per pattern of lists, read and checked from a CSV."""

import csv
import io
import itertools
import math
from dataclasses import dataclass

import numpy as np
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LISTS = 10


@dataclass
class CaptureTable:
    """Counts per observed capture pattern; lists are columns, patterns rows."""

    lists: list[str]
    cells: np.ndarray  # every observable pattern (2^k - 1 rows, k columns of 0/1)
    counts: np.ndarray  # count per row of `cells` (zeros for unobserved patterns)

    @property
    def observed(self) -> int:
        return int(self.counts.sum())

    @property
    def sizes(self) -> dict[str, int]:
        """How many people each list holds (everyone in a pattern that includes the list)."""
        return {
            name: int(self.counts[self.cells[:, i] == 1].sum()) for i, name in enumerate(self.lists)
        }


def table_from_rows(lists: list[str], rows: list[tuple[tuple[int, ...], int]]) -> CaptureTable:
    k = len(lists)
    cells = np.array([p for p in itertools.product((0, 1), repeat=k) if any(p)], dtype=float)
    index = {tuple(int(v) for v in row): i for i, row in enumerate(cells)}
    counts = np.zeros(len(cells))
    for pattern, n in rows:
        counts[index[pattern]] += n
    return CaptureTable(list(lists), cells, counts)


def read_capture_csv(text: str) -> CaptureTable:
    """Parse and validate a capture-history CSV: one 0/1 column per list, then `count`.

    Every problem is a ValidationError naming the column (and row) at fault; nothing is
    estimated from a file with any error.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationError({"file": _("The file is empty.")}) from None
    errors: dict[str, list[str]] = {}
    if not header or header[-1].lower() != "count":
        raise ValidationError({"count": _("The last column must be named 'count'.")})
    lists = header[:-1]
    if len(lists) < 2:
        raise ValidationError({"columns": _("Give at least two list columns before 'count'.")})
    if len(lists) > MAX_LISTS:
        raise ValidationError({"columns": _("At most %(n)d lists.") % {"n": MAX_LISTS}})
    if len(set(lists)) != len(lists) or any(not name for name in lists):
        raise ValidationError({"columns": _("List columns need distinct, non-empty names.")})
    rows: list[tuple[tuple[int, ...], int]] = []
    seen: set[tuple[int, ...]] = set()
    for line_no, raw in enumerate(reader, start=2):
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            errors.setdefault("columns", []).append(
                _("Row %(row)d has %(got)d values, expected %(want)d.")
                % {"row": line_no, "got": len(raw), "want": len(header)}
            )
            continue
        pattern = []
        for name, value in zip(lists, raw[:-1], strict=True):
            if value.strip() not in ("0", "1"):
                errors.setdefault(name, []).append(
                    _("Row %(row)d: %(value)r is not 0 or 1.") % {"row": line_no, "value": value}
                )
            else:
                pattern.append(int(value.strip()))
        count_text = raw[-1].strip()
        try:
            count_value = float(count_text)
        except ValueError:
            count_value = math.nan
        if not math.isfinite(count_value) or count_value != int(count_value) or count_value < 0:
            errors.setdefault("count", []).append(
                _("Row %(row)d: %(value)r is not a non-negative whole number.")
                % {"row": line_no, "value": count_text}
            )
            continue
        if len(pattern) != len(lists):
            continue
        key = tuple(pattern)
        if not any(key):
            errors.setdefault("count", []).append(
                _("Row %(row)d: a pattern with no list cannot be observed.") % {"row": line_no}
            )
        elif key in seen:
            errors.setdefault("columns", []).append(
                _("Row %(row)d repeats a capture pattern.") % {"row": line_no}
            )
        seen.add(key)
        rows.append((key, int(count_value)))
    if errors:
        raise ValidationError(errors)
    if not rows or sum(n for _p, n in rows) == 0:
        raise ValidationError({"count": _("No cases: every count is zero.")})
    table = table_from_rows(lists, rows)
    check_lists(table)
    return table


def check_lists(table: CaptureTable) -> None:
    """Refuse a list that nobody is on: its main effect would have no estimate."""
    empty = [name for name, size in table.sizes.items() if size == 0]
    if empty:
        message = _("Nobody is on list %(name)s; leave it out.")
        raise ValidationError({name: message % {"name": name} for name in empty})
