"""`ctip demo-activity` leaves no feature empty for the demo accounts."""

from typing import Any

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_demo_activity_exercises_every_feature(capsys: Any):
    from ctip.exchange.models import ImportBatch
    from ctip.referrals.choices import ReferralStatus
    from ctip.referrals.models import Referral, Task
    from ctip.stats.models import Release

    call_command("demo_accounts")
    call_command("demo_activity")
    # The summary speaks in states, not in the enum's repr.
    summary = capsys.readouterr().out
    assert "referrals: sent 2, accepted 2" in summary and "ReferralStatus" not in summary
    statuses = set(Referral.objects.values_list("status", flat=True))
    assert statuses == set(ReferralStatus.values)  # every state, the social worker's to answer
    assert Referral.objects.filter(status="sent", to_agency__code="DOSVY-12").exists()
    # The NGO partner has referred victims whose identity was shared with it.
    assert Referral.objects.filter(to_agency__code="NGO-CWCC", shares_identity=True).count() == 2
    assert Task.objects.filter(assigned_to__username="ahtjp.officer").count() == 2
    # Notes on a referral from both its sides.
    from ctip.referrals.models import ReferralNote

    assert set(ReferralNote.objects.values_list("agency__code", flat=True)) == {
        "AHTJP",
        "DOSVY-12",
    }
    # A task the receiving agency added to a referral it serves (decision 0510).
    assert Task.objects.filter(
        owner_agency__code="DOSVY-12", referral__to_agency__code="DOSVY-12"
    ).exists()
    batch = ImportBatch.objects.get()
    assert batch.status == "applied" and batch.total_rows == 12 and not batch.rejected_rows
    assert set(Release.objects.values_list("status", flat=True)) == {"published", "draft"}
    published = Release.objects.get(status="published")
    assert getattr(published.signed_off_by, "username", "") == "ncct.supervisor"

    from ctip.verification.models import Verification

    waiting = Verification.objects.get(status="awaiting_sign_off")
    assert getattr(waiting.sign_off_agency, "code", "") == "NCCT"
    assert waiting.findings.count() == 2
    summary = Verification.objects.get(published_at__isnull=False)
    assert summary.matter is not None and summary.outcome == "not_substantiated"

    # Case management: a caseworker, notes, visits, files (stripped of GPS), a transfer, and
    # the notifications they sent.
    from ctip.access.models import Notification
    from ctip.registry.files.selectors import stored_file_open
    from ctip.registry.models import Case, CaseNote, CaseTransfer, FollowUp, StoredFile

    officer = Case.objects.filter(assigned_to__username="ahtjp.officer").get().assigned_to
    assert CaseNote.objects.filter(sensitivity="testimony").exists()
    assert set(FollowUp.objects.values_list("status", flat=True)) == {"done", "planned"}
    # The verifications' evidence files are counted with the verifications (above).
    case_files = StoredFile.objects.exclude(purpose="verification.finding")
    assert case_files.count() == 3
    assert StoredFile.objects.filter(purpose="verification.finding").count() == 2
    photo = case_files.filter(content_type="image/jpeg").order_by("pk")[0]
    assert b"DemoPhone" not in stored_file_open(actor=officer, pk=photo.pk).data
    transfer = CaseTransfer.objects.get()
    assert transfer.case.owning_agency.code == "DOSVY-12"
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"referral", "assignment", "transfer", "follow_up"} <= kinds
    # Assessments (one victim assessed twice), child steps (one determined), care plans whose
    # services became referrals, and one planned service not referred yet.
    from ctip.referrals.models import CarePlanItem
    from ctip.registry.models import ChildProtection, NeedsAssessment

    assert sorted(NeedsAssessment.objects.values_list("version", flat=True)) == [1, 1, 2]
    assert ChildProtection.objects.count() == 3
    assert sum(s.has_determination for s in ChildProtection.objects.all()) == 1
    items = CarePlanItem.objects.select_related("referral")
    assert {i.service for i in items if i.referral} == {"shelter", "reintegration"}
    assert {i.service for i in items if not i.referral} == {"legal_aid", "vocational_training"}

    call_command("demo_activity")  # again: nothing more
    assert "nothing added" in capsys.readouterr().out
    assert Referral.objects.count() == 8
    assert Verification.objects.count() == 2
