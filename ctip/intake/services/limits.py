"""Global rate limits and spent proof-of-work challenges: abuse resistance that keeps nothing
about who is at the door."""

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ..models import RateWindow, SpentChallenge


def rate_take(*, scope: str, limit: int, seconds: int = 60) -> bool:
    """Count one more `scope` action in the current window; False when the window is full
    (the action must then be refused). A limit of 0 turns the limit off."""
    if limit <= 0:
        return True
    now = timezone.now()
    start = datetime.datetime.fromtimestamp(
        int(now.timestamp()) // seconds * seconds, tz=datetime.UTC
    )
    with transaction.atomic():
        updated = RateWindow.objects.filter(
            scope=scope, window_start=start, count__lt=limit
        ).update(count=F("count") + 1)
        if updated:
            return True
        if RateWindow.objects.filter(scope=scope, window_start=start).exists():
            return False
        try:
            with transaction.atomic():
                RateWindow.objects.create(scope=scope, window_start=start, count=1)
        except IntegrityError:  # another request opened the window first
            return bool(
                RateWindow.objects.filter(scope=scope, window_start=start, count__lt=limit).update(
                    count=F("count") + 1
                )
            )
        # Old windows are of no use; drop them now and then (the table stays a few rows).
        RateWindow.objects.filter(window_start__lt=start - datetime.timedelta(hours=1)).delete()
    return True


def spend_challenge(*, token: str, expires: float) -> bool:
    """Mark a solved challenge as used; False when it was used before (a replay)."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    expires_at = datetime.datetime.fromtimestamp(expires, tz=datetime.UTC)
    try:
        with transaction.atomic():
            SpentChallenge.objects.create(digest=digest, expires_at=expires_at)
    except IntegrityError:
        return False
    SpentChallenge.objects.filter(expires_at__lt=timezone.now()).delete()
    return True
