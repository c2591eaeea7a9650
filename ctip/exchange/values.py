"""Turning spreadsheet cells into ctip values: dates in any local form, codes, countries, names.

Each parser returns the value or raises CellError with a message for the row's report.
"""

import datetime
import re
import time
from functools import lru_cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.reference.models import Country, Province, Term
from ctip.reference.selectors import cached_reference

from .htcds import HTCDS_TO_CASE_STATUS, fold

KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
BUDDHIST_ERA_OFFSET = 543
ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$")
LOCAL_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s.*)?$")
EARLIEST = datetime.date(1900, 1, 1)
KHMER = re.compile(r"[\u1780-\u17ff]")


class CellError(ValueError):
    """A cell's value cannot be used; the message goes in the report."""

    def __init__(self, message: str, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


def _today() -> datetime.date:
    """Today's date, looked up at most once a second (it is asked for every date cell)."""
    now = time.monotonic()
    if now - _TODAY[0] > 1:
        _TODAY[:] = [now, timezone.localdate()]
    return _TODAY[1]  # type: ignore[return-value]


_TODAY: list[Any] = [-10.0, None]


def khmer_digits(text: str) -> str:
    return text.translate(KHMER_DIGITS)


def _year(year: int) -> int:
    """Buddhist-era years (2567 = 2024) are common in Cambodian and Thai records."""
    return year - BUDDHIST_ERA_OFFSET if year >= 2400 else year


def parse_date(value: Any, *, day_first: bool = True) -> datetime.date:
    """A date from a cell: an Excel date, ISO text, or day/month/year text in either numerals."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        result = value.replace(year=_year(value.year)) if value.year >= 2400 else value
    else:
        text = khmer_digits(str(value)).strip()
        iso = ISO_DATE.match(text)
        local = LOCAL_DATE.match(text)
        try:
            if iso:
                year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
            elif local:
                first, second, year = int(local[1]), int(local[2]), int(local[3])
                day, month = (first, second) if day_first else (second, first)
                if month > 12 and day <= 12:
                    order = _("day/month/year") if day_first else _("month/day/year")
                    raise CellError(
                        _("%(value)s is not a date in this file's order (%(order)s).")
                        % {"value": value, "order": order},
                        "bad_date",
                    )
            else:
                raise CellError(
                    _("%(value)s is not a date; write it as YYYY-MM-DD or DD/MM/YYYY.")
                    % {"value": value},
                    "bad_date",
                )
            result = datetime.date(_year(year), month, day)
        except ValueError as error:
            if isinstance(error, CellError):
                raise
            raise CellError(
                _("%(value)s is not a real date.") % {"value": value}, "bad_date"
            ) from error
    if result > _today():
        raise CellError(
            _("%(date)s is in the future.") % {"date": result.isoformat()}, "out_of_range"
        )
    if result < EARLIEST:
        raise CellError(
            _("%(date)s is before 1900.") % {"date": result.isoformat()}, "out_of_range"
        )
    return result


def parse_int(value: Any, *, low: int = 0, high: int = 120) -> int:
    text = khmer_digits(str(value)).strip()
    try:
        number = int(float(text))
    except ValueError as error:
        raise CellError(_("%(value)s is not a number.") % {"value": value}, "bad_number") from error
    if not low <= number <= high:
        raise CellError(
            _("%(value)s is outside %(low)d to %(high)d.")
            % {"value": number, "low": low, "high": high},
            "out_of_range",
        )
    return number


TRUE_WORDS = {"true", "yes", "y", "1", "បាទ", "ចាស", "ព្រម", "x"}
FALSE_WORDS = {"false", "no", "n", "0", "ទេ", "មិនព្រម"}


FOLDED_TRUE = frozenset(fold(w) for w in TRUE_WORDS)
FOLDED_FALSE = frozenset(fold(w) for w in FALSE_WORDS)


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = fold(khmer_digits(str(value)))
    if word in FOLDED_TRUE:
        return True
    if word in FOLDED_FALSE:
        return False
    raise CellError(_("%(value)s is not yes or no.") % {"value": value}, "unknown_code")


def term_lookup(vocabulary: str) -> dict[str, str]:
    """Folded code, English label and Khmer label -> code, for one vocabulary (cached with the
    other reference pick-lists: cleared on an edit, re-read within a minute elsewhere)."""
    return cached_reference(f"import-terms:{vocabulary}", lambda: _term_lookup(vocabulary))


def _term_lookup(vocabulary: str) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, label_en, label_km in Term.objects.filter(
        vocabulary=vocabulary, is_active=True
    ).values_list("code", "label_en", "label_km"):
        for key in (code, label_en, label_km):
            if key:
                lookup.setdefault(fold(key), code)
    return lookup


@lru_cache(maxsize=16)
def choice_lookup(choices: Any) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[fold(value)] = value
        lookup[fold(str(label))] = value
    return lookup


def parse_code(value: Any, vocabulary: str, lookup: dict[str, str] | None = None) -> str:
    table = lookup if lookup is not None else term_lookup(vocabulary)
    code = table.get(fold(str(value)))
    if code is None:
        raise CellError(
            _("%(value)s is not a known value of %(vocabulary)s.")
            % {"value": value, "vocabulary": vocabulary},
            "unknown_code",
        )
    return code


def parse_codes(value: Any, vocabulary: str) -> list[str]:
    """Several codes in one cell: separated by ; | or new lines, or commas, or spaces (ODK)."""
    table = term_lookup(vocabulary)
    text = str(value)
    if fold(text) in table:
        return [table[fold(text)]]
    for separator in (r"[;|\n]", r",", r"\s+"):
        parts = [p.strip() for p in re.split(separator, text) if p.strip()]
        codes = [table.get(fold(p)) for p in parts]
        if parts and all(codes):
            return list(dict.fromkeys(c for c in codes if c))
    unknown = [p for p in re.split(r"[;|\n]", text) if p.strip() and fold(p) not in table]
    raise CellError(
        _("Unknown value(s) of %(vocabulary)s: %(values)s.")
        % {"vocabulary": vocabulary, "values": ", ".join(u.strip() for u in unknown) or text},
        "unknown_code",
    )


def parse_case_status(value: Any) -> str:
    folded = fold(str(value))
    for htcds, status in HTCDS_TO_CASE_STATUS.items():
        if folded in (fold(htcds), fold(status)):
            return status
    return HTCDS_TO_CASE_STATUS[parse_code(value, "case_status")]


def country_lookup() -> dict[str, str]:
    return cached_reference("import-countries", _country_lookup)


def _country_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for alpha3, alpha2, name_en, name_km in Country.objects.values_list(
        "alpha3", "alpha2", "name_en", "name_km"
    ):
        for key in (alpha3, alpha2, name_en, name_km):
            if key:
                lookup.setdefault(fold(key), alpha3)
    return lookup


def parse_countries(value: Any) -> list[str]:
    table = country_lookup()
    parts = [p for p in re.split(r"[;|,\n]", str(value)) if p.strip()]
    if fold(str(value)) in table:
        return [table[fold(str(value))]]
    codes = []
    for part in parts:
        code = table.get(fold(part))
        if code is None:
            raise CellError(
                _("%(value)s is not a known country.") % {"value": part.strip()}, "unknown_code"
            )
        codes.append(code)
    return list(dict.fromkeys(codes))


def province_lookup() -> dict[str, int]:
    return cached_reference("import-provinces", _province_lookup)


def _province_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for pk, code, name_en, name_km in Province.objects.values_list(
        "pk", "code", "name_en", "name_km"
    ):
        for key in (code, name_en, name_km):
            lookup[fold(key)] = pk
    return lookup


def parse_province(value: Any) -> int:
    pk = province_lookup().get(fold(str(value)))
    if pk is None:
        raise CellError(_("%(value)s is not a province.") % {"value": value}, "unknown_code")
    return pk


def split_scripts(text: str) -> tuple[str, str]:
    """(Latin, Khmer) parts of a name cell that may mix both scripts."""
    latin: list[str] = []
    khmer: list[str] = []
    for word in str(text).split():
        (khmer if KHMER.search(word) else latin).append(word)
    return " ".join(latin), " ".join(khmer)
