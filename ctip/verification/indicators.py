"""The verification app's indicators, registered with the stats catalogue in AppConfig.ready():
time to verification, the share of verifications that substantiated the allegation, and the
cases opened from reports.

Verifications are counted over every verification, whatever cases the reader may see (they
are aggregates and hold no person's record); cases opened from reports are counted among the
cases the reader may aggregate (the `cases` queryset the catalogue passes).
"""

import datetime
import statistics
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_noop

from ctip.stats.indicators.cube import Cube, Indicator
from ctip.stats.periods import Period

from .choices import Outcome, VerificationStatus
from .models import OpenedCase, Verification


def _bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    """The period's first and last instant in the committee's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.start, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(period.end, datetime.time.max, tzinfo=zone)
    return start, end


def _signed_off(period: Period) -> QuerySet[Verification]:
    return Verification.objects.filter(
        status=VerificationStatus.CLOSED, signed_off_at__range=_bounds(period)
    )


def _started(rows: QuerySet[Verification]) -> Any:
    """Each verification with the moment its allegation reached the committee: the first
    report of its matter when it came through intake, else the moment it was ordered."""
    return rows.annotate(first_report=Min("matter__reports__received_at"))


def time_to_verification_query(
    cases: QuerySet[Any], periods: tuple[Period, ...]
) -> dict[Period, Cube]:
    """Median days from the allegation's first report (or the order, without a report) to
    the sign-off, over the verifications signed off in the period."""
    out: dict[Period, Cube] = {}
    for period in periods:
        rows = _started(_signed_off(period)).values_list(
            "signed_off_at", "first_report", "created_at"
        )
        days = [
            (signed - (first or created)).total_seconds() / 86400
            for signed, first, created in rows.iterator()
        ]
        cube = Cube(())
        if days:
            cube.cells[()] = round(statistics.median(days), 1)
        out[period] = cube
    return out


def share_substantiated_query(
    cases: QuerySet[Any], periods: tuple[Period, ...]
) -> dict[Period, Cube]:
    """Per cent of the verifications signed off in the period that substantiated the
    allegation."""
    out: dict[Period, Cube] = {}
    for period in periods:
        counts = dict(
            _signed_off(period)
            .values("outcome")
            .annotate(n=Count("id"))
            .values_list("outcome", "n")
        )
        total = sum(counts.values())
        cube = Cube(())
        if total:
            cube.cells[()] = round(100 * counts.get(Outcome.SUBSTANTIATED, 0) / total, 1)
        out[period] = cube
    return out


def cases_from_reports_query(
    cases: QuerySet[Any], periods: tuple[Period, ...]
) -> dict[Period, Cube]:
    """Cases opened in the period from a verification of an allegation, by case kind."""
    out: dict[Period, Cube] = {}
    links = OpenedCase.objects.filter(verification__matter__isnull=False)
    if cases.query.has_filters():
        links = links.filter(case__in=cases)
    for period in periods:
        cube = Cube(("kind",))
        rows = (
            links.filter(case__opened_on__range=(period.start, period.end))
            .values("case__kind")
            .annotate(n=Count("case_id"))
        )
        for row in rows:
            cube.cells[(row["case__kind"],)] = row["n"]
        out[period] = cube
    return out


INDICATORS = (
    Indicator(
        "time_to_verification",
        "Median days from report to verification",
        "មធ្យមភាគថ្ងៃពីរបាយការណ៍ដល់ការផ្ទៀងផ្ទាត់",
        "days",
        (),
        # Marked for the catalogue; the stats pages translate it when they show it.
        gettext_noop(
            "Over the verifications signed off in the period: the median number of days from "
            "the first report of the allegation (or, without a report, from the order to "
            "verify) to the sign-off by the other agency's supervisor. Not additive."
        ),
        time_to_verification_query,
        derived=True,
    ),
    Indicator(
        "share_substantiated",
        "Verifications that substantiated the allegation",
        "ការផ្ទៀងផ្ទាត់ដែលបញ្ជាក់ការចោទប្រកាន់",
        "per cent",
        (),
        gettext_noop(
            "Of the verifications signed off in the period, the per cent whose outcome was "
            "'substantiated'. Not additive."
        ),
        share_substantiated_query,
        derived=True,
    ),
    Indicator(
        "cases_from_reports",
        "Cases opened from reports",
        "ករណីដែលបានបើកពីរបាយការណ៍",
        "cases",
        ("kind",),
        gettext_noop(
            "Each case once, in the period it was opened, that was opened from a substantiated "
            "verification of an allegation reported to the committee; by case kind."
        ),
        cases_from_reports_query,
    ),
)
