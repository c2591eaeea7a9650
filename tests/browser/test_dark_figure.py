"""An analyst estimates the dark figure in the real headless Chromium, from the registry.

It also takes the user guide's screenshot of the page (see the journey test for where it goes).
"""

import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from .helpers import offline_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"
# Three kinds of agency, each meeting a share of 120 victims independently of the others.
CATCH = {"PAHT-12": 0.45, "MOSVY": 0.35, "NGO-CWCC": 0.3}


def _registry() -> None:
    """Victims recorded by police, social affairs and an NGO, some by two or three of them,
    each person registered once (as after matching), through the registry's services."""
    from ctip.access.models import Agency, Membership, User
    from ctip.stats.tests.builders import Registry

    officers = {}
    for n, code in enumerate(CATCH):
        user = User.objects.create_user(username=f"officer{n}", password=PASSWORD)
        Membership.objects.create(
            user=user, agency=Agency.objects.get(code=code), role="case_officer"
        )
        officers[code] = Registry(user, code)
    cases = {code: reg.case(datetime.date(2025, 3, 1)) for code, reg in officers.items()}
    rng = np.random.default_rng(12)
    for n in range(120):
        caught = [code for code, p in CATCH.items() if rng.random() < p]
        if not caught:
            continue
        first = officers[caught[0]]
        person = first.person(name=f"Victim{n}", born=int(rng.integers(1995, 2010)))
        for code in caught:
            officers[code].victim(cases[code], person)


def test_analyst_estimates_the_dark_figure_from_the_registry(
    browser: Any, live_server: Any, live_reference: None, shots: Path
) -> None:
    from ctip.access.models import Agency, Membership, User
    from ctip.audit.models import AuditEvent

    _registry()
    analyst = User.objects.create_user(
        username="bopha", password=PASSWORD, first_name="Bopha", last_name="Chea"
    )
    Membership.objects.create(user=analyst, agency=Agency.objects.get(code="NCCT"), role="analyst")

    base = live_server.url
    context, page, elsewhere = offline_page(browser, base, 20_000)
    try:
        page.goto(base + "/stats/")
        page.wait_for_url("**/sign-in/**")
        page.fill("#id_username", "bopha")
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/stats/")
        page.click("text=Dark figure")
        page.wait_for_url("**/stats/dark-figure/")
        page.fill("#id_period", "2025H1")
        # The defaults: stepwise selection, a BCa interval on 1,000 replicates.
        assert page.input_value("#id_bootstrap") == "1000"
        page.click("main button[type=submit]")
        page.wait_for_selector("#result-heading")
        assert page.locator("#result-heading").inner_text() == "Registry, 2025H1"
        headline = page.locator(".headline").inner_text()
        assert headline.startswith("An estimated ") and "known to none" in headline
        summary = page.locator("table.data").first.inner_text()
        assert "BCa" in summary and "1000 replicates" in summary
        rows = page.locator("table.data").nth(1).inner_text()
        assert "Police unit" in rows and "Non-governmental organisation" in rows
        page.screenshot(path=shots / "dark-figure.png", full_page=True)
        assert AuditEvent.objects.filter(object_id="registry:2025H1").count() == 1
        assert elsewhere == []
    finally:
        context.close()
