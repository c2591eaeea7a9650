"""The intake app's indicators, registered with the stats catalogue in AppConfig.ready():
reports received by channel and language, and the time from receipt to triage.

Reports hold no person's record, and the counts are aggregates; they are counted over every
report whatever cases the reader may see (the `cases` queryset the catalogue passes scopes
case rows, which reports are not).
"""

import datetime
import statistics
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from ctip.stats.indicators.cube import Cube, Indicator
from ctip.stats.periods import Period

from .models import Report


def _bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's first and last instant in the committee's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(period.end, datetime.time.max, tzinfo=zone)
    return start, end


def reports_received_query(cases: QuerySet[Any], periods: tuple[Period, ...]) -> dict[Period, Cube]:
    """Each report once, in the period it was received, by channel and language."""
    out: dict[Period, Cube] = {}
    for period in periods:
        start, end = _bounds(period)
        cube = Cube(("channel", "language"))
        rows = (
            Report.objects.filter(received_at__range=(start, end))
            .values("channel", "language")
            .annotate(n=Count("id"))
        )
        for row in rows:
            cube.cells[(row["channel"], row["language"])] = row["n"]
        out[period] = cube
    return out


def time_to_triage_query(cases: QuerySet[Any], periods: tuple[Period, ...]) -> dict[Period, Cube]:
    """Median hours from receipt to triage of the reports received in the period and triaged,
    by channel; a report not yet triaged is not counted."""
    out: dict[Period, Cube] = {}
    for period in periods:
        start, end = _bounds(period)
        hours: dict[str, list[float]] = {}
        rows = Report.objects.filter(
            received_at__range=(start, end), triaged_at__isnull=False
        ).values_list("channel", "received_at", "triaged_at")
        for channel, received, triaged in rows.iterator():
            if received is None or triaged is None:  # excluded by the filter; for the types
                continue
            hours.setdefault(channel, []).append((triaged - received).total_seconds() / 3600)
        everything = [value for values in hours.values() for value in values]
        # Medians per channel do not add up: the overall figure is the median of all reports.
        cube = Cube(
            ("channel",), overall=round(statistics.median(everything), 1) if everything else None
        )
        for channel, values in hours.items():
            cube.cells[(channel,)] = round(statistics.median(values), 1)
        out[period] = cube
    return out


INDICATORS = (
    Indicator(
        "reports_received",
        "Reports received",
        "របាយការណ៍ដែលបានទទួល",
        "reports",
        ("channel", "language"),
        # Marked for the catalogue; the stats pages translate it when they show it.
        gettext_noop(
            "Each report once (public form or recorded by an operator), in the period it was "
            "received, by the channel it came through and the language it was made in. Reports "
            "about one situation count separately; matters group them."
        ),
        reports_received_query,
    ),
    Indicator(
        "time_to_triage",
        "Median hours from report to triage",
        "រយៈពេលមធ្យម (ម៉ោង) ពីការទទួលរបាយការណ៍ដល់ការចាត់ថ្នាក់",
        "hours (median)",
        ("channel",),
        gettext_noop(
            "For the reports received in the period and put into a matter, the median of the "
            "hours between receipt and triage, by channel. Reports not yet triaged are left out. "
            "Not additive: medians per channel do not combine into the overall median."
        ),
        time_to_triage_query,
        derived=True,
    ),
)
