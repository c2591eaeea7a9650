"""Checks shared by the registry's services: each error names the field it is about."""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.reference.selectors import country_codes, vocabulary_codes

MAX_AGE = 120


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
    if value is not None and value > timezone.localdate():
        errors.add(field, _("The date %(date)s is in the future.") % {"date": value.isoformat()})


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
