"""Rules that turn one record into dimension values: nationality group, age band, sentence band."""

import datetime

from django.db.models import Case as DjCase
from django.db.models import (
    CharField,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import (
    Cast,
    Coalesce,
)
from django.db.models.lookups import Contains

from ..choices import ADULT_AGE, AGE_BANDS, NO_PRISON, SENTENCE_BANDS, UNKNOWN
from ..periods import Period
from .cube import NATIONAL

# --- helpers that turn one record into dimension values -----------------------------------


def _citizenship_text(path: str) -> Cast:
    return Cast(path, TextField())


def nationality_expr(path: str) -> DjCase:
    """In SQL, so no JSON is decoded row by row: Cambodian when "KHM" is among the
    citizenships, else the first one listed, else unknown."""
    return DjCase(
        When(Contains(_citizenship_text(path), '"KHM"'), then=Value(NATIONAL)),
        default=Coalesce(KeyTextTransform("0", path), Value(UNKNOWN)),
        output_field=CharField(),
    )


def nationality_group_of(nationality: str) -> str:
    if nationality == UNKNOWN:
        return UNKNOWN
    return "national" if nationality == NATIONAL else "foreign"


def first_code_expr(path: str) -> Coalesce:
    """The first code of a JSON list column, or unknown."""
    return Coalesce(KeyTextTransform("0", path), Value(UNKNOWN), output_field=CharField())


# The age and sentence rules in Python: the queries band in SQL (_age_expr, AGE_GROUPS,
# _count_first's bands), and a test checks every band edge against these.


def age_at(
    day: datetime.date, birth_year: int | None, fallback_age: int | None = None
) -> int | None:
    """Age in whole years in the year of `day` (the registry keeps the year of birth)."""
    if birth_year:
        return max(0, day.year - birth_year)
    return fallback_age


def age_group_of(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    return "minor" if age < ADULT_AGE else "adult"


def age_band_of(age: int | None) -> str:
    if age is None:
        return UNKNOWN
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return UNKNOWN


def sentence_band_of(months: int | None) -> str:
    if not months:
        return NO_PRISON
    for label, low, high in SENTENCE_BANDS:
        if low <= months <= high:
            return label
    return NO_PRISON


def _in(period: Period) -> tuple[datetime.date, datetime.date]:
    return (period.start, period.end)
