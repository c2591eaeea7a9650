"""The screening app's indicator for the catalogue: persons found in operations, by the
officer's decision, nationality and operation (registered in AppConfig.ready)."""

import datetime

from django.db.models import Case as Cases
from django.db.models import Count, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from ctip.registry.models import Case
from ctip.stats.indicators import PERIOD, Cube, Indicator
from ctip.stats.periods import Period

from .models import FoundPerson

DIMS = ("decision", "nationality", "operation")


def _range(period: Period) -> tuple[datetime.date, datetime.date]:
    return (period.start, period.end)


def persons_screened_query(
    cases: QuerySet[Case], periods: tuple[Period, ...]
) -> dict[Period, Cube]:
    """Persons found in operations dated in each period, counted in the database."""
    within = Q()
    for period in periods:
        within |= Q(operation__conducted_on__range=_range(period))
    label = Cases(
        *[
            When(operation__conducted_on__range=_range(p), then=Value(i))
            for i, p in enumerate(periods)
        ],
        output_field=IntegerField(),
    )
    rows = (
        FoundPerson.objects.filter(within, operation__case__in=cases)
        .annotate(**{PERIOD: label})
        .values_list(PERIOD, "decision", "nationality", "operation__case__reference")
        .annotate(n=Count("id"))
        .order_by()
    )
    cells: list[dict[tuple[str, ...], float]] = [{} for _ in periods]
    for position, decision, nationality, operation, n in rows:
        cell = (decision, nationality or "unknown", operation)
        cells[position][cell] = cells[position].get(cell, 0) + n
    return {p: Cube(DIMS, cells[i]) for i, p in enumerate(periods)}


PERSONS_SCREENED = Indicator(
    "persons_screened",
    "Persons found in operations, by screening decision",
    "ជនដែលបានរកឃើញក្នុងប្រតិបត្តិការ តាមការសម្រេចនៃការពិនិត្យសម្គាល់",
    "persons",
    DIMS,
    gettext_noop(
        "Each person found in a raid, rescue or interception dated in the period, once per "
        "operation (a person found in two operations counts in each), by the decision of "
        "their latest screening interview (identified victim, presumed victim pending a "
        "second interview, not a victim, or not screened yet), their nationality (first "
        "citizenship given when found) and the operation (its case reference)."
    ),
    persons_screened_query,
)
# The catalogue's names are plain strings in both languages; these say the same for makemessages.
_WORDS = (_("Persons found in operations, by screening decision"),)
