"""Audit events are written by services and chained by hash."""

import pytest

from ctip.audit.models import AuditEvent
from ctip.audit.services import GENESIS_HASH, event_digest, event_payload
from ctip.registry.tests.helpers import new_case, new_person

pytestmark = pytest.mark.django_db


def test_each_event_carries_the_hash_of_the_one_before(make_member):
    officer = make_member("case_officer", "PAHT-12")
    new_case(officer)
    new_person(officer)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert len(events) >= 2
    previous = GENESIS_HASH
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == event_digest(previous, event_payload(event))
        previous = event.hash


def test_audit_diff_never_contains_identity_plaintext(make_member):
    officer = make_member("case_officer", "PAHT-12")
    new_person(officer, given_name_latin="Vuthy", family_name_latin="Heng")
    event = AuditEvent.objects.filter(object_type="registry.person").latest("sequence")
    assert event.actor_username == officer.username
    assert "Vuthy" not in str(event.changes)
    assert event.changes["given_name_latin"] == [None, "•••"]


def test_event_names_every_agency_and_role_of_the_actor(make_member):
    from ctip.access.models import Agency, Membership

    officer = make_member("case_officer", "PAHT-12")
    Membership.objects.create(
        user=officer, agency=Agency.objects.get(code="PCCT-12"), role="analyst"
    )
    new_case(officer)
    event = AuditEvent.objects.filter(object_type="registry.case").latest("sequence")
    assert event.agency_code == "PAHT-12,PCCT-12"
    assert event.role == "case_officer,analyst"


def test_events_follow_a_membership_change_once_the_scope_is_worked_out_again(make_member):
    from ctip.access.models import Agency, Membership
    from ctip.access.policies import forget_scope

    officer = make_member("case_officer", "PAHT-12")
    new_case(officer)
    Membership.objects.create(
        user=officer, agency=Agency.objects.get(code="PCCT-12"), role="analyst"
    )
    forget_scope(officer)  # as at the start of the next request
    new_case(officer)
    event = AuditEvent.objects.filter(object_type="registry.case").latest("sequence")
    assert event.agency_code == "PAHT-12,PCCT-12"
