"""Triage: grouping reports into matters, assignment with a response deadline, outcomes, and
who may see and do what."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.intake import selectors, services
from ctip.intake.choices import Answer, MatterStatus, Priority, ReportStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member):
    return make_member("intake_officer", "AHTJP")


def report(phone="", **fields):
    data = services.ReportInput(
        what=fields.pop("what", "People held"), phones=[phone] if phone else [], **fields
    )
    return services.report_submit_public(data=data, language="km").report


def test_reports_naming_one_phone_are_proposed_and_grouped_into_one_matter(officer):
    first = report("+855 12 345 678")
    second = report("012345678", danger_now=Answer.YES)  # the same number, written locally
    other = report("097 000 111")
    hints = selectors.grouping_hints(actor=officer, report=first)
    assert [h.report for h in hints] == [second]
    assert hints[0].kinds == ("phone",)
    matter = services.matter_create(actor=officer, reports=[first], title="Building on road 4")
    services.report_group(actor=officer, report=second, matter=matter)
    matter.refresh_from_db()
    assert matter.priority == Priority.URGENT  # as urgent as its most urgent report
    assert {r.pk for r in matter.reports.all()} == {first.pk, second.pk}
    second.refresh_from_db()
    assert second.status == ReportStatus.TRIAGED and second.triaged_by == officer
    queue = selectors.report_queue(actor=officer)
    assert list(queue) == [other]
    with pytest.raises(ValidationError):
        services.report_group(actor=officer, report=second, matter=matter)
    assert AuditEvent.objects.filter(object_type="intake.report", action="update").count() == 2


def test_assignment_sets_the_referral_deadline_and_the_unit_decides(officer, make_member):
    matter = services.matter_create(actor=officer, reports=[report(danger_now=Answer.YES)])
    committee = Agency.objects.get(code="PCCT-18")
    services.matter_assign(actor=officer, matter=matter, agency=committee)
    assert matter.status == MatterStatus.ASSIGNED
    # Urgent: one day at most, whatever the investigation rule gives.
    assert matter.response_due_on <= timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.matter_assign(actor=officer, matter=matter, agency=Agency.objects.get(code="MOH"))
    assert "agency" in refused.value.message_dict

    member = make_member("supervisor", "PCCT-18")
    stranger = make_member("supervisor", "PCCT-12")
    assert selectors.matter_get(actor=member, pk=matter.pk) == matter
    with pytest.raises(Http404):
        selectors.matter_get(actor=stranger, pk=matter.pk)
    with pytest.raises(Http404):
        selectors.matter_get(actor=stranger, pk=999_999)  # unknown looks the same
    with pytest.raises(PermissionDenied):
        services.matter_decide(actor=stranger, matter=matter, outcome="verification_ordered")
    assert selectors.report_queue(actor=stranger).count() == 0

    services.matter_decide(actor=member, matter=matter, outcome="verification_ordered")
    matter.refresh_from_db()
    assert matter.status == MatterStatus.VERIFICATION_ORDERED and matter.decided_by == member
    with pytest.raises(ValidationError):  # decided once
        services.matter_decide(
            actor=officer, matter=matter, outcome="not_actionable", reason="insufficient"
        )


def test_outcomes_need_their_reason(officer):
    matter = services.matter_create(actor=officer, reports=[report()])
    with pytest.raises(ValidationError) as refused:
        services.matter_decide(actor=officer, matter=matter, outcome="not_actionable")
    assert "reason" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.matter_decide(actor=officer, matter=matter, outcome="referred")
    assert "referred_to" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.matter_decide(actor=officer, matter=matter, outcome="closed-by-magic")
    assert "outcome" in refused.value.message_dict
    matter.refresh_from_db()
    assert matter.status == MatterStatus.OPEN
    services.matter_decide(
        actor=officer, matter=matter, outcome="referred", referred_to="Thai Royal Police"
    )
    assert matter.referred_to == "Thai Royal Police"
    view = selectors.public_view(report=matter.reports.get())
    assert view.state == "referred"


def test_only_the_intake_team_triages(make_member):
    outsider = make_member("case_officer", "PAHT-12")
    with pytest.raises(PermissionDenied):
        services.matter_create(actor=outsider, reports=[report()])
    assert AuditEvent.objects.filter(actor_id=outsider.pk, action="denied").exists()
