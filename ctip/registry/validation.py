"""Checks shared by the registry's services: each error names the field it is about."""

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.reference.selectors import country_codes, vocabulary_codes

MAX_AGE = 120
# No date the registry records (opening, birth, decisions) falls before this; the import
# refuses the same (exchange.values.EARLIEST).
EARLIEST_DATE = datetime.date(1900, 1, 1)
# A person's aliases: how many, and how long each may be.
MAX_ALIASES = 20
MAX_ALIAS_LENGTH = 100
# Bidirectional-text controls: invisible, they reorder what a reader sees ("Trojan Source"),
# so a name could display as another. Names never need them (Khmer and Latin are both
# left-to-right); the Arabic letter mark U+061C is one of them.
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# C0 and C1 control characters (NUL among them, which PostgreSQL cannot store in text).
_REFUSED = re.compile(f"[\x00-\x1f\x7f-\x9f{BIDI}]")
# Multi-line text (addresses, notes) keeps tab and line breaks.
_REFUSED_MULTILINE = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{BIDI}]")
BIDI_RE = re.compile(f"[{BIDI}]")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why a piece of text may not be stored (a control or bidi character), or None.

    Refused, never silently stripped: whoever typed or exported the value should see it. The
    message names the character by code point only (the character itself could not be stored
    in the message either).
    """
    found = (_REFUSED_MULTILINE if multiline else _REFUSED).search(value)
    if found is None:
        return None
    code = ord(found.group())
    if BIDI_RE.match(found.group()):
        return _("contains an invisible text-direction character (U+%(code)04X).") % {"code": code}
    return _("contains a control character (U+%(code)04X).") % {"code": code}


class Errors:
    """Collects errors per field so that one response names every problem at once."""

    def __init__(self) -> None:
        self.by_field: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.by_field.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


def check_choice(errors: Errors, field: str, value: Any, allowed: Iterable[str]) -> None:
    if value not in set(allowed):
        errors.add(field, _("%(value)r is not an allowed value.") % {"value": value})


def check_codes(errors: Errors, field: str, vocabulary: str, codes: Iterable[str] | str) -> None:
    """Every code must be an active term of the vocabulary."""
    if isinstance(codes, str):
        codes = [codes] if codes else []
    known = vocabulary_codes(vocabulary)
    unknown = [code for code in codes if code not in known]
    if unknown:
        errors.add(
            field,
            _("Unknown code(s) for %(vocabulary)s: %(codes)s.")
            % {"vocabulary": vocabulary, "codes": ", ".join(map(str, unknown))},
        )


def check_countries(errors: Errors, field: str, codes: Iterable[str]) -> None:
    unknown = [code for code in codes if code not in country_codes()]
    if unknown:
        errors.add(field, _("Unknown country code(s): %(codes)s.") % {"codes": ", ".join(unknown)})


def check_not_future(errors: Errors, field: str, value: datetime.date | None) -> None:
    """A date between 1900 and today (the API once stored 0001-01-01; the import refused it)."""
    if value is not None and value > timezone.localdate():
        errors.add(field, _("The date %(date)s is in the future.") % {"date": value.isoformat()})
    elif value is not None and value < EARLIEST_DATE:
        errors.add(field, _("%(date)s is before 1900.") % {"date": value.isoformat()})


def check_age(errors: Errors, field: str, value: int | None) -> None:
    if value is not None and not 0 <= value <= MAX_AGE:
        errors.add(field, _("An age must be between 0 and %(max)d.") % {"max": MAX_AGE})


def check_order(
    errors: Errors, field: str, earlier: datetime.date | None, later: datetime.date | None
) -> None:
    """`later` (the field named) may not fall before `earlier`."""
    if earlier and later and later < earlier:
        errors.add(
            field,
            _("%(later)s is before %(earlier)s.")
            % {"later": later.isoformat(), "earlier": earlier.isoformat()},
        )


def check_text(errors: Errors, field: str, value: Any) -> None:
    """Refuse control and bidi characters in a text field (or each item of a list)."""
    for item in value if isinstance(value, list | tuple) else [value]:
        if isinstance(item, str) and (problem := text_problem(item)):
            errors.add(field, problem)
            return


def check_aliases(errors: Errors, field: str, aliases: Any) -> None:
    """A bounded list of short aliases, each clean text."""
    aliases = aliases or []
    if len(aliases) > MAX_ALIASES:
        errors.add(field, _("At most %(max)d aliases.") % {"max": MAX_ALIASES})
        return
    if any(len(str(alias)) > MAX_ALIAS_LENGTH for alias in aliases):
        errors.add(
            field, _("An alias may be at most %(max)d characters.") % {"max": MAX_ALIAS_LENGTH}
        )
        return
    check_text(errors, field, aliases)
