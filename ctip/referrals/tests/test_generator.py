"""The seeded referral generator: repeatable, consistent with the referral rules."""

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from ctip.referrals.models import Referral
from ctip.referrals.selectors import coordination_figures
from ctip.referrals.services import agency_offers
from ctip.registry.models import CaseShare

pytestmark = pytest.mark.django_db
AS_OF = "2026-06-30T12:00:00"


def rows() -> list[tuple[Any, ...]]:
    return list(
        Referral.objects.order_by("pk").values_list(
            "to_agency_id", "service", "status", "sent_at", "accepted_at", "completed_at"
        )
    )


def test_same_seed_same_referrals(victim: Any) -> None:
    out = io.StringIO()
    call_command(
        "referrals", "generate", "--count", "400", "--seed", "7", "--as-of", AS_OF, stdout=out
    )
    assert "400 referrals" in out.getvalue()
    first = rows()
    Referral.objects.all().delete()
    call_command(
        "referrals", "generate", "--count", "400", "--seed", "7", "--as-of", AS_OF, stdout=out
    )
    assert rows() == first
    Referral.objects.all().delete()
    call_command(
        "referrals", "generate", "--count", "400", "--seed", "8", "--as-of", AS_OF, stdout=out
    )
    assert rows() != first


def test_generated_referrals_follow_the_rules(victim: Any, make_member: Any) -> None:
    call_command("referrals", "generate", "--count", "500", "--seed", "1", stdout=io.StringIO())
    now = timezone.now()
    for referral in Referral.objects.select_related("to_agency"):
        assert agency_offers(agency=referral.to_agency, service=referral.service)
        assert referral.from_agency_id != referral.to_agency_id
        stamps = [
            s for s in (referral.accepted_at, referral.started_at, referral.completed_at) if s
        ]
        assert stamps == sorted(stamps) and all(referral.sent_at <= s <= now for s in stamps)
        if referral.status == "completed":
            assert referral.completed_at is not None
    receivers = set(Referral.objects.values_list("to_agency_id", flat=True))
    shared = set(
        CaseShare.objects.filter(case=victim.case, reason="referral").values_list(
            "agency_id", flat=True
        )
    )
    assert receivers <= shared
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert {"sent", "accepted", "completed", "declined"} <= statuses
    figures = coordination_figures(actor=make_member("analyst", "NCCT"))
    assert figures.total == 500
    assert 0.85 < (figures.acceptance_rate or 0) < 0.97
    assert figures.median_hours_to_accept is not None
    assert (
        datetime.timedelta(hours=5)
        < datetime.timedelta(hours=figures.median_hours_to_accept)
        < datetime.timedelta(hours=60)
    )
