"""The auditors' trail pages: only auditors browse them; filters narrow; browsing is audited."""

import pytest
from django.urls import reverse

from ctip.access.testing import verified_login
from ctip.audit.models import AuditEvent
from ctip.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor(make_member):
    return make_member("auditor", "NCCT", username="auditor1")


def test_auditor_browses_and_filters_the_trail(client, auditor, make_member, settings):
    settings.CTIP_REQUIRE_OTP = True
    officer = make_member("case_officer", "PAHT-12", username="officer1")
    audit_record(actor=officer, action="view", object_type="registry.case", object_id=7)
    audit_record(actor=officer, action="export", object_type="registry.case")
    audit_record(actor=None, action="sign_in_failed", object_type="access.user")
    verified_login(client, auditor)

    page = client.get(reverse("audit:event-list")).content.decode()
    assert "officer1" in page and "exported" in page and "failed sign-in" in page

    filtered = client.get(reverse("audit:event-list"), {"actor": "officer1", "action": "view"})
    html = filtered.content.decode()
    assert filtered.status_code == 200 and "case 7" in html
    assert "<td>exported</td>" not in html and "<td>viewed</td>" in html
    browse = AuditEvent.objects.filter(action="search", actor_username="auditor1").last()
    assert browse.detail["filters"] == {"actor": "officer1", "action": "view"}


def test_bad_filter_input_is_ignored_not_an_error(client, auditor):
    verified_login(client, auditor)
    response = client.get(reverse("audit:event-list"), {"occurred_from": "yesterday-ish"})
    assert response.status_code == 200 and "Enter a valid date" in response.content.decode()


@pytest.mark.parametrize(
    "role", ["case_officer", "supervisor", "analyst", "administrator", "ngo_partner"]
)
def test_other_roles_are_refused_and_the_refusal_is_audited(client, make_member, role):
    user = make_member(role, "PAHT-12", username=f"{role}-x")
    verified_login(client, user)
    assert client.get(reverse("audit:event-list")).status_code == 403
    assert AuditEvent.objects.filter(
        action="denied", actor_username=f"{role}-x", object_type="audit.auditevent"
    ).exists()


def test_superuser_without_the_auditor_role_is_refused(client, django_user_model):
    root = django_user_model.objects.create_superuser(username="root", password="x" * 12)
    verified_login(client, root)
    assert client.get(reverse("audit:event-list")).status_code == 403
