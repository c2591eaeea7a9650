"""The reveal form's password or code is counted like sign-in: lockout, refusal, audit."""

import pytest
from django.test import Client
from django.urls import reverse

from ctip.access.models import RevealGrant
from ctip.access.testing import current_code, otp_device, verified_login
from ctip.audit.models import AuditEvent

from .world import PASSWORD, build_world

pytestmark = pytest.mark.django_db

REASON = "Arranging shelter intake"


@pytest.fixture(autouse=True)
def _lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the lockout is tested, not django-otp's slowdown


@pytest.fixture
def setting():
    world = build_world()
    ngo = world.actors["ngo_partner"]
    person = world.victim("ngo_partner", "referred")
    return ngo, person, reverse("access:reveal", args=["registry.person", person.pk])


def _denials(user):
    return list(
        AuditEvent.objects.filter(action="denied", actor_username=user.username)
        .order_by("sequence")
        .values_list("detail", flat=True)
    )


def test_twelve_wrong_passwords_lock_the_reveal_and_sign_in(client, setting):
    ngo, _person, url = setting
    verified_login(client, ngo)
    answers = [client.post(url, {"reason": REASON, "password": f"guess-{n}"}) for n in range(12)]
    assert [a.status_code for a in answers[:5]] == [200] * 4 + [429]  # locked at the fifth
    assert all("Too many failed attempts" in a.content.decode() for a in answers[5:])
    right = client.post(url, {"reason": REASON, "password": PASSWORD})
    assert right.status_code == 200 and "Too many failed attempts" in right.content.decode()
    assert not RevealGrant.objects.filter(user=ngo).exists()
    denials = _denials(ngo)
    assert len(denials) == 13 and denials[-1]["locked_out"] is True
    assert [d["locked_out"] for d in denials[:5]] == [False] * 5
    # Counted like sign-in: the account cannot sign in either, from anywhere.
    other = Client(REMOTE_ADDR="10.1.1.1")
    signed = other.post(reverse("login"), {"username": ngo.username, "password": PASSWORD})
    assert signed.status_code == 429


def test_wrong_codes_count_too(client, setting):
    ngo, _person, url = setting
    device = otp_device(ngo)
    verified_login(client, ngo)
    code = current_code(device)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        client.post(url, {"reason": REASON, "otp_token": wrong})
    client.post(url, {"reason": REASON, "otp_token": code})
    assert not RevealGrant.objects.filter(user=ngo).exists()
    assert _denials(ngo)[-1]["locked_out"] is True


def test_a_locked_out_address_is_refused_the_reveal(client, setting):
    ngo, _person, url = setting
    guesser = Client(REMOTE_ADDR="10.2.2.2")
    for n in range(5):
        guesser.post(reverse("login"), {"username": f"made-up-{n}", "password": "wrong-pass"})
    verified_login(guesser, ngo)  # a session from the locked-out address
    refused = guesser.post(url, {"reason": REASON, "password": PASSWORD})
    assert refused.status_code != 302
    assert not RevealGrant.objects.filter(user=ngo).exists()
    assert _denials(ngo)[-1]["locked_out"] is True
    # The same user from an address that is not locked out gets the grant.
    verified_login(client, ngo)
    assert client.post(url, {"reason": REASON, "password": PASSWORD}).status_code == 302
    assert RevealGrant.objects.filter(user=ngo).exists()
