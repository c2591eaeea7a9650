"""Giving oneself another agency or role, or moving a case to another agency, is refused."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.access.models import Agency, Membership
from ctip.access.services import membership_create
from ctip.audit.models import AuditEvent
from ctip.registry.services import case_update

from .world import build_world

pytestmark = pytest.mark.django_db


def test_nobody_grants_themselves_a_role(make_member):
    officer = make_member("case_officer", "PAHT-12", username="officer1")
    admin = make_member("administrator", "NCCT", username="admin1")
    pursat = Agency.objects.get(code="PAHT-15")
    for actor, target in [(officer, officer), (officer, admin), (admin, admin)]:
        with pytest.raises(PermissionDenied):
            membership_create(actor=actor, user=target, agency=pursat, role="supervisor")
    assert not Membership.objects.filter(agency=pursat).exists()
    assert AuditEvent.objects.filter(action="denied", detail__wanted="membership").count() == 3
    membership_create(actor=admin, user=officer, agency=pursat, role="supervisor")
    assert Membership.objects.filter(user=officer, agency=pursat, role="supervisor").exists()


def test_moving_a_case_to_another_agency_is_refused_and_audited():
    world = build_world(roles=["case_officer"])
    officer = world.actors["case_officer"]
    case = world.case("case_officer", "own")
    with pytest.raises(ValidationError) as caught:
        case_update(
            actor=officer, case=case, owning_agency=Agency.objects.get(code="PAHT-2"), kind="x"
        )
    assert "owning_agency" in caught.value.message_dict
    case.refresh_from_db()
    assert case.owning_agency.code == "PAHT-12"
    event = AuditEvent.objects.filter(action="denied", actor_username=officer.username).last()
    assert event.detail == {"wanted": "change", "fields": ["owning_agency"]}


def test_audit_events_carry_the_actors_agency_and_role():
    world = build_world(roles=["case_officer"])
    officer = world.actors["case_officer"]
    case_update(actor=officer, case=world.case("case_officer", "own"), summary="New summary")
    event = AuditEvent.objects.filter(action="update", actor_username=officer.username).last()
    assert (event.agency_code, event.role) == ("PAHT-12", "case_officer")
