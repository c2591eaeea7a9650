"""What releases spent and published: the privacy budget's ledger and the tables' digest."""

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db.models import Sum

from .models import PrivacyLedgerEntry


def total_privacy_budget() -> float:
    """The total ε all releases together may spend (CTIP_DP_TOTAL_EPSILON, default 4)."""
    return float(getattr(settings, "CTIP_DP_TOTAL_EPSILON", 4.0))


def privacy_budget_spent() -> float:
    return float(PrivacyLedgerEntry.objects.aggregate(total=Sum("epsilon"))["total"] or 0.0)


def tables_digest(tables: list[dict[str, Any]]) -> str:
    canonical = json.dumps(tables, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
