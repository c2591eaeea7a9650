"""Reporting periods: half-years ("2024H1"), years ("2024") and their comparison periods."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:H(?P<half>[12]))?$")


@dataclass(frozen=True)
class Period:
    """A closed date range [start, end] with the label the committee uses."""

    year: int
    half: int | None = None  # None: the whole year

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> datetime.date:
        return (
            datetime.date(self.year, 6, 30) if self.half == 1 else datetime.date(self.year, 12, 31)
        )

    @property
    def label(self) -> str:
        return f"{self.year}H{self.half}" if self.half else str(self.year)

    def __str__(self) -> str:
        return self.label

    def previous(self) -> "Period":
        """The period just before: H1 → H2 of the year before, H2 → H1, a year → the year before."""
        if self.half == 2:
            return Period(self.year, 1)
        if self.half == 1:
            return Period(self.year - 1, 2)
        return Period(self.year - 1)

    def year_before(self) -> "Period":
        """The same period one year earlier."""
        return Period(self.year - 1, self.half)

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def name(self) -> str:
        """The period in words, in the active language ("First half of 2024"); a Khmer page
        writes the year in Khmer digits (ឆ្នាំ២០២៤), as the PDF report does."""
        year = str(self.year)
        if (get_language() or "").startswith("km"):
            year = year.translate(KHMER_DIGITS)
        if self.half == 1:
            return _("First half of %(year)s") % {"year": year}
        if self.half == 2:
            return _("Second half of %(year)s") % {"year": year}
        return _("Year %(year)s") % {"year": year}


def last_complete_half(today: datetime.date | None = None) -> Period:
    """The latest half-year that has ended (in the installation's time zone)."""
    today = today or timezone.localdate()
    return Period(today.year, 1) if today.month >= 7 else Period(today.year - 1, 2)


def parse_period(text: str, field: str = "period") -> Period:
    """Parse "2024H1", "2024H2" or "2024"; a ValidationError names the field otherwise."""
    match = PERIOD_PATTERN.match((text or "").strip().upper())
    if not match:
        raise ValidationError(
            {field: _("Unknown period %(value)r: write 2024H1, 2024H2 or 2024.") % {"value": text}}
        )
    year = int(match["year"])
    if not 1990 <= year <= 2100:
        raise ValidationError({field: _("Year %(year)d is out of range.") % {"year": year}})
    return Period(year, int(match["half"]) if match["half"] else None)
