"""Lockout behind the shipped nginx site, with production's client-address settings.

Clients connect from different loopback addresses (127.0.0.x) to nginx, which forwards to
the test server; nothing listens beyond 127.0.0.1.
"""

import importlib
import itertools

import pytest

from .proxy import ProxyClient, shipped_nginx

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a-long-test-password"
WRONG = "not-the-password-1"


@pytest.fixture
def production_lockout(settings, monkeypatch):
    """The lockout settings exactly as production computes them (ctip.settings.production)."""
    monkeypatch.setenv("CTIP_SECRET_KEY", "only-for-this-test")
    monkeypatch.delenv("CTIP_TRUSTED_PROXY_HEADER", raising=False)
    production = importlib.import_module("ctip.settings.production")
    for name in dir(production):
        if name.startswith("AXES_") or name == "CTIP_TRUSTED_PROXY_HEADER":
            setattr(settings, name, getattr(production, name))
    settings.AXES_ENABLED = True
    settings.CTIP_REQUIRE_OTP = False  # the password step and the token are what is tested
    assert settings.AXES_FAILURE_LIMIT == 5
    return settings


@pytest.fixture
def proxy(live_server, live_reference, production_lockout, tmp_path):
    port = int(live_server.url.rsplit(":", 1)[1])
    with shipped_nginx(port, tmp_path / "nginx") as https_port:
        yield lambda source: ProxyClient(https_port, source)


@pytest.fixture
def accounts(make_member):
    make_member("case_officer", "PAHT-12", username="sokha")
    make_member("case_officer", "PAHT-12", username="dara")


def test_guessing_from_one_client_does_not_lock_out_others_behind_the_proxy(proxy, accounts):
    guesser, colleague = proxy("127.0.0.2"), proxy("127.0.0.3")
    for n in range(4):
        assert guesser.sign_in(f"made-up-name-{n}", WRONG) == 200
    assert guesser.sign_in("made-up-name-4", WRONG) == 429  # the fifth locks this address
    assert guesser.sign_in("sokha", PASSWORD) == 429
    assert guesser.token("sokha", PASSWORD) != 200  # the token endpoint obeys the same lockout

    # A real user behind the same proxy, from another address, is not locked out.
    assert colleague.sign_in("sokha", PASSWORD) == 302
    assert colleague.token("sokha", PASSWORD) == 200

    from axes.models import AccessAttempt

    # Counted against the client's own address, not the proxy's.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.2"}


def test_mixed_addresses_lock_an_account_despite_others_signing_in(proxy, accounts):
    sources = itertools.cycle(["127.0.0.4", "127.0.0.5", "127.0.0.6", "127.0.0.7"])
    answers = []
    for _guess in range(12):
        client = proxy(next(sources))
        answers.append(client.sign_in("sokha", WRONG))
        # Another account signs in from the same address between the guesses.
        assert client.sign_in("dara", PASSWORD) == 302
    assert answers[:4] == [200] * 4 and set(answers[4:]) == {429}  # the fifth locks it
    # The account is locked: even its right password is refused, from any address.
    assert proxy("127.0.0.8").sign_in("sokha", PASSWORD) == 429
    assert proxy("127.0.0.8").token("sokha", PASSWORD) != 200


def test_a_success_keeps_the_address_count_for_other_accounts(proxy, accounts):
    client = proxy("127.0.0.9")
    for n in range(4):
        assert client.sign_in(f"made-up-name-{n}", WRONG) == 200
    assert client.sign_in("dara", PASSWORD) == 302  # forgets only dara's failures here
    assert client.sign_in("made-up-name-4", WRONG) == 429  # the fifth failure from here
    assert client.sign_in("dara", PASSWORD) == 429
    assert proxy("127.0.0.10").sign_in("dara", PASSWORD) == 302


def test_forged_forwarding_headers_are_not_trusted(proxy, accounts):
    client = proxy("127.0.0.11")
    for n in range(5):
        forged = f"198.51.100.{n + 1}"
        headers = {"X-Forwarded-For": forged, "X-Real-IP": forged}
        assert client.sign_in(f"made-up-name-{n}", WRONG, headers) == (200 if n < 4 else 429)
    # Changing the forged address each time did not dodge the address's count.
    headers = {"X-Forwarded-For": "198.51.100.99", "X-Real-IP": "198.51.100.99"}
    assert client.sign_in("sokha", PASSWORD, headers) == 429

    from axes.models import AccessAttempt

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.11"}
    # Nor can a client make another address take the blame: 127.0.0.12 signs in fine.
    assert proxy("127.0.0.12").sign_in("sokha", PASSWORD) == 302
