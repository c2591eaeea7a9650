"""Running tallies behind the coordination dashboard: monthly counts and duration histograms.

The referral services call `tally_*` inside their own transaction; `tallies_rebuild` recounts
everything from the referrals table after a bulk load. See docs/decisions/0500.
"""

import datetime
import itertools
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Referral, ReferralDurationMonthStat, ReferralDurationStat, ReferralMonthStat

BUCKETS_PER_DOUBLING = 4
MEASURES = {"accept": "accepted_at", "complete": "completed_at"}


def month_of(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment).replace(day=1)


def bucket_of(hours: float) -> int:
    """Bucket 0 holds under an hour; then four buckets per doubling of the hours."""
    if hours < 1:
        return 0
    return math.floor(BUCKETS_PER_DOUBLING * math.log2(hours)) + 1


def bucket_hours(bucket: int) -> float:
    """A bucket's representative value: the geometric middle of its range, in hours."""
    if bucket <= 0:
        return 0.5
    return 2 ** ((bucket - 1 + 0.5) / BUCKETS_PER_DOUBLING)


def median_from_buckets(counts: dict[int, int]) -> float | None:
    """The median of a bucketed distribution, to the bucket's resolution (about ±9 %)."""
    total = sum(counts.values())
    if not total:
        return None
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen * 2 >= total:
            return round(bucket_hours(bucket), 1)
    return None


def _bump_month(referral: Referral, status: str, referrals: int, accepted: int = 0) -> None:
    key: dict[str, Any] = {
        "month": month_of(referral.sent_at),
        "to_agency_id": referral.to_agency_id,
        "service": referral.service,
        "province_id": referral.province_id,
        "status": status,
    }
    row, _ = ReferralMonthStat.objects.select_for_update().get_or_create(**key)
    ReferralMonthStat.objects.filter(pk=row.pk).update(
        referrals=F("referrals") + referrals, accepted=F("accepted") + accepted
    )


def add_to_histogram(counts: list[int], bucket: int, n: int = 1) -> list[int]:
    """`counts` with `n` more in `bucket`, lengthened as needed (a bucket per list index)."""
    if bucket >= len(counts):
        counts = counts + [0] * (bucket + 1 - len(counts))
    counts[bucket] += n
    return counts


def _bump_duration(referral: Referral, measure: str, end: datetime.datetime) -> None:
    hours = (end - referral.sent_at).total_seconds() / 3600
    key: dict[str, Any] = {
        "month": month_of(referral.sent_at),
        "service": referral.service,
        "province_id": referral.province_id,
        "measure": measure,
    }
    bucket = bucket_of(hours)
    # The row lock makes the read-add-write of the histogram safe against a concurrent bump.
    row, _ = ReferralDurationStat.objects.select_for_update().get_or_create(**key)
    row.counts = add_to_histogram(list(row.counts), bucket)
    row.save(update_fields=["counts"])
    month, _ = ReferralDurationMonthStat.objects.select_for_update().get_or_create(
        month=key["month"], measure=measure
    )
    month.counts = add_to_histogram(list(month.counts), bucket)
    month.save(update_fields=["counts"])


def sum_histograms(histograms: Iterable[list[int]]) -> list[int]:
    """Bucket-by-bucket sums; the transposition runs in C, not a Python loop per bucket."""
    return [sum(column) for column in itertools.zip_longest(*histograms, fillvalue=0)]


def tally_sent(referral: Referral) -> None:
    _bump_month(referral, referral.status, 1)


def tally_moved(referral: Referral, before: str) -> None:
    """Move one referral from its old status to its new one; count acceptance and durations."""
    accepted_now = 1 if before == "sent" and referral.accepted_at is not None else 0
    # 'accepted' counts referrals ever accepted, so it travels with the row it belongs to.
    was_accepted = 0 if accepted_now else (1 if referral.accepted_at is not None else 0)
    _bump_month(referral, before, -1, -was_accepted)
    _bump_month(referral, referral.status, 1, was_accepted + accepted_now)
    if accepted_now:
        _bump_duration(referral, "accept", referral.accepted_at)  # type: ignore[arg-type]
    if referral.status == "completed" and referral.completed_at is not None:
        _bump_duration(referral, "complete", referral.completed_at)


@transaction.atomic
def tallies_rebuild(*, chunk: int = 50_000) -> dict[str, int]:
    """Recount every tally from the referrals table (after a bulk load or to repair drift)."""
    months: Counter[tuple[Any, ...]] = Counter()
    accepted: Counter[tuple[Any, ...]] = Counter()
    durations: Counter[tuple[Any, ...]] = Counter()
    rows = Referral.objects.values_list(
        "sent_at",
        "to_agency_id",
        "service",
        "province_id",
        "status",
        "accepted_at",
        "completed_at",
    ).order_by()
    for sent_at, to_agency, service, province, status, accepted_at, completed_at in rows.iterator(
        chunk_size=chunk
    ):
        month = month_of(sent_at)
        key = (month, to_agency, service, province, status)
        months[key] += 1
        if accepted_at is not None:
            accepted[key] += 1
            hours = (accepted_at - sent_at).total_seconds() / 3600
            durations[(month, service, province, "accept", bucket_of(hours))] += 1
        if status == "completed" and completed_at is not None:
            hours = (completed_at - sent_at).total_seconds() / 3600
            durations[(month, service, province, "complete", bucket_of(hours))] += 1
    ReferralMonthStat.objects.all().delete()
    ReferralDurationStat.objects.all().delete()
    ReferralDurationMonthStat.objects.all().delete()
    ReferralMonthStat.objects.bulk_create(
        [
            ReferralMonthStat(
                month=m,
                to_agency_id=a,
                service=s,
                province_id=p,
                status=st,
                referrals=n,
                accepted=accepted[(m, a, s, p, st)],
            )
            for (m, a, s, p, st), n in months.items()
        ],
        batch_size=5000,
    )
    histograms: dict[tuple[Any, ...], list[int]] = {}
    for (*histogram, bucket), n in durations.items():
        key = tuple(histogram)
        histograms[key] = add_to_histogram(histograms.get(key, []), bucket, n)
    ReferralDurationStat.objects.bulk_create(
        [
            ReferralDurationStat(month=m, service=s, province_id=p, measure=measure, counts=counts)
            for (m, s, p, measure), counts in histograms.items()
        ],
        batch_size=5000,
    )
    by_month: dict[tuple[Any, ...], list[list[int]]] = {}
    for (m, _s, _p, measure), counts in histograms.items():
        by_month.setdefault((m, measure), []).append(counts)
    ReferralDurationMonthStat.objects.bulk_create(
        [
            ReferralDurationMonthStat(month=m, measure=measure, counts=sum_histograms(all_counts))
            for (m, measure), all_counts in by_month.items()
        ],
        batch_size=5000,
    )
    return {"month_rows": len(months), "duration_rows": len(histograms)}
