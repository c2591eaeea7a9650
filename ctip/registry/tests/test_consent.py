"""Sharing a case passes victims' identities on: it needs their consent or an audited override."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.access.models import Agency
from ctip.access.tests.world import build_world
from ctip.audit.models import AuditEvent
from ctip.registry.models import CaseShare
from ctip.registry.services import case_share, case_update, identity_share_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world(roles=["case_officer", "supervisor"], consent=False)


def test_sharing_without_consent_is_refused_and_audited(world):
    officer = world.actors["case_officer"]
    case = world.case("case_officer", "own")
    ngo = Agency.objects.get(code="NGO-CWCC")
    with pytest.raises(PermissionDenied):
        case_share(actor=officer, case=case, agency=ngo, override_reason="I think it is fine")
    assert not CaseShare.objects.filter(case=case, agency=ngo).exists()
    event = AuditEvent.objects.filter(action="denied", actor_username=officer.username).last()
    assert event.object_id == str(case.pk) and event.detail["agency"] == "NGO-CWCC"


def test_supervisor_override_needs_a_reason_and_is_audited(world):
    supervisor = world.actors["supervisor"]
    case = world.case("supervisor", "own")
    ngo = Agency.objects.get(code="NGO-CWCC")
    with pytest.raises(ValidationError) as caught:
        case_share(actor=supervisor, case=case, agency=ngo)
    assert "override_reason" in caught.value.message_dict
    assert not CaseShare.objects.filter(case=case, agency=ngo).exists()

    case_share(
        actor=supervisor,
        case=case,
        agency=ngo,
        reason="referral",
        override_reason="Victim is a child in danger; shelter placement tonight",
    )
    assert CaseShare.objects.filter(case=case, agency=ngo, reason="referral").exists()
    override = AuditEvent.objects.filter(action="consent_override").last()
    assert override.actor_username == supervisor.username
    assert override.detail["reason"].startswith("Victim is a child")


def test_recorded_consent_lets_a_case_officer_share(make_member):
    world = build_world(roles=["case_officer"], consent=True)
    case = world.case("case_officer", "own")
    ngo = Agency.objects.get(code="NGO-CWCC")
    assert identity_share_check(actor=world.actors["case_officer"], case=case, agency=ngo)
    case_share(actor=world.actors["case_officer"], case=case, agency=ngo)
    assert CaseShare.objects.filter(case=case, agency=ngo).exists()
    assert not AuditEvent.objects.filter(action="consent_override").exists()


def test_a_refused_write_leaves_its_audit_event_behind(world):
    outsider = world.actors["case_officer"]
    case = world.case("case_officer", "other_province")
    with pytest.raises(PermissionDenied):
        case_update(actor=outsider, case=case, summary="overwritten")
    event = AuditEvent.objects.filter(action="denied", actor_username=outsider.username).last()
    assert event is not None and event.detail == {"wanted": "change"}
    case.refresh_from_db()
    assert case.summary != "overwritten"


@pytest.mark.parametrize("relation", ["shared", "referred"])
def test_an_agency_that_received_a_case_may_not_pass_it_on(make_member, relation):
    world = build_world(roles=["case_officer"], consent=True)
    officer = world.actors["case_officer"]
    case = world.case("case_officer", relation)
    ngo = Agency.objects.get(code="NGO-CWCC")
    with pytest.raises(PermissionDenied):
        case_share(actor=officer, case=case, agency=ngo)
    assert not CaseShare.objects.filter(case=case, agency=ngo).exists()
    event = AuditEvent.objects.filter(action="denied", actor_username=officer.username).last()
    assert event.object_id == str(case.pk) and event.detail == {"wanted": "share"}
