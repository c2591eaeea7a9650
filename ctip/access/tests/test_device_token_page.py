"""The device-token page from the attacker's side: others' tokens, unknown ids, one's own."""

import pytest
from django.urls import reverse

from ctip.access.models import DeviceToken
from ctip.access.services import device_token_issue
from ctip.access.testing import verified_login
from ctip.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_member):
    return make_member("case_officer", "PCCT-12", username="officer")


@pytest.fixture
def admin(make_member):
    return make_member("administrator", "NCCT", username="admin1")


def _revoke(client, pk):
    return client.post(reverse("access:device-token-revoke", args=[pk]))


def test_a_non_administrator_cannot_revoke_anothers_token_nor_tell_it_exists(
    client, officer, make_member
):
    """403 for another user's token and for an id that exists nowhere alike; the token
    stays live and each try is an audited denial."""
    other = make_member("case_officer", "PAHT-12", username="other")
    token, _secret = device_token_issue(actor=None, user=other, name="Phone")
    verified_login(client, officer)
    assert _revoke(client, token.pk).status_code == 403
    assert _revoke(client, token.pk + 1000).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None
    assert AuditEvent.objects.filter(action="denied", actor_username="officer").count() == 2


def test_an_administrator_gets_404_for_an_unknown_token_and_cannot_revoke_their_own(client, admin):
    own, _secret = device_token_issue(actor=None, user=admin, name="My phone")
    verified_login(client, admin)
    assert _revoke(client, own.pk + 1000).status_code == 404
    assert _revoke(client, own.pk).status_code == 403
    own.refresh_from_db()
    assert own.revoked_at is None


def test_an_administrator_issuing_for_their_own_account_is_told_on_the_form(client, admin):
    """The service refuses (nobody issues themselves credentials); the page shows that on
    the form, as it shows a missing name, instead of an error page."""
    verified_login(client, admin)
    page = client.post(reverse("access:device-tokens"), {"username": "admin1", "name": "Mine"})
    assert page.status_code == 200
    assert "Only an administrator may issue device tokens." in page.content.decode()
    assert not DeviceToken.objects.exists()
    assert AuditEvent.objects.filter(action="denied", actor_username="admin1").count() == 1
