"""Test fixtures shared by every app: reference data, users with roles, a browser."""

from typing import Any

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session", autouse=True)
def _audit_triggers_allow_test_flush() -> None:
    """Transactional tests empty the database between tests; the audit triggers would refuse."""
    from ctip.audit.guard import allow_test_flush

    allow_test_flush()


@pytest.fixture(autouse=True)
def _fresh_reference_cache() -> None:
    """Pick-lists are cached per process; a flushed and reloaded database gives new ids."""
    from ctip.reference.selectors import clear_caches

    clear_caches()


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Any:
    """A request in Khmer leaves Khmer active in the thread (LocaleMiddleware activates the
    request's language and nothing resets it): every test starts in the default language."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Load reference data once into the test database, as `make demo` does."""
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture
def make_member(db: Any) -> Any:
    """make_member("case_officer", "PAHT-12") -> a user holding that role in that agency."""
    from ctip.access.models import Agency, Membership, User

    counter = {"n": 0}

    def make(role: str, agency_code: str, username: str = "") -> User:
        counter["n"] += 1
        user = User.objects.create_user(
            username=username or f"{role}-{agency_code}-{counter['n']}".lower(),
            password="a-long-test-password",
        )
        Membership.objects.create(user=user, agency=Agency.objects.get(code=agency_code), role=role)
        return user

    return make


@pytest.fixture(scope="module")
def browser() -> Any:
    """Debian's headless Chromium driven by Playwright. Missing on CI is a failure, not a skip.

    Module scope, so that the async-safety switch below is put back before later modules run
    (pytest-django runs tests without the database last, among them `check --deploy`, which
    refuses the switch).
    """
    import os
    import shutil

    path = (
        os.environ.get("CTIP_CHROMIUM")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not path:
        message = "Chromium not found: apt-get install -y chromium"
        if os.environ.get("CTIP_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def live_reference(transactional_db: Any) -> None:
    """Reference data for tests that use the live server (their tables are flushed after each).

    A flush also empties what data migrations seeded: the services each kind of agency offers
    and the default deadlines, which the referral pages need. Re-run that seed too.
    """
    from importlib import import_module

    from django.apps import apps

    call_command("load_reference", verbosity=0)
    import_module("ctip.referrals.migrations.0002_seed_services_and_deadlines").seed(apps, None)
