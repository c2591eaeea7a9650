"""Following a phone number across cases in the real headless Chromium: an investigator
opens a case's identifiers, follows the recruiter's number to the other cases that record
it (and is told of the one they may not see), opens one of them, draws the network and
exports it as an image. Screenshots for the user guide."""

import datetime
from pathlib import Path
from typing import Any

import pytest

from .helpers import offline_page, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


def _user(username: str, agency: str, role: str) -> Any:
    from ctip.access.models import Agency, Membership, User
    from ctip.access.testing import otp_device

    user = User.objects.create_user(username=username, password=PASSWORD)
    Membership.objects.create(user=user, agency=Agency.objects.get(code=agency), role=role)
    otp_device(user)
    return user


def _case(officer: Any, agency: str, province: str, days_ago: int) -> Any:
    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.registry import services

    return services.case_create(
        actor=officer,
        kind="forced_criminality",
        source="operation",
        owning_agency=Agency.objects.get(code=agency),
        province=Province.objects.get(code=province),
        opened_on=datetime.date.today() - datetime.timedelta(days=days_ago),
    )


def test_follow_a_phone_number_and_export_the_network(
    browser: Any,
    live_server: Any,
    live_reference: None,
    settings: Any,
    shots: Path,
    tmp_path: Path,
) -> None:
    from ctip.investigations import services

    settings.CTIP_REQUIRE_OTP = True
    officer = _user("ahtjp.officer.t", "AHTJP", "case_officer")
    investigator = _user("pisey", "AHTJP", "investigator")
    siem_reap = _user("sr.officer", "PAHT-17", "case_officer")
    first = _case(officer, "AHTJP", "KH-12", 40)
    second = _case(officer, "AHTJP", "KH-18", 20)
    third = _case(officer, "AHTJP", "KH-1", 10)
    hidden = _case(siem_reap, "PAHT-17", "KH-17", 5)
    # One recruiter's number, typed four ways in four cases.
    for case, typed, actor in (
        (first, "012 345 678", officer),
        (second, "+855 12 345 678", officer),
        (third, "(012) 345-678", officer),
        (hidden, "855 12 345 678", siem_reap),
    ):
        services.identifier_record(actor=actor, case=case, kind="phone", value=typed)
    services.identifier_record(
        actor=officer, case=first, kind="account", value="https://t.me/GoldJob_HR"
    )
    services.identifier_record(actor=officer, case=second, kind="account", value="@goldjob_hr",
                               service="telegram")  # fmt: skip
    # A long unbroken value in an alert must wrap at a phone's width, not widen the page.
    wallet = "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE"
    services.identifier_record(actor=officer, case=first, kind="crypto_wallet", value=wallet)
    services.identifier_record(actor=siem_reap, case=hidden, kind="crypto_wallet", value=wallet)

    base = live_server.url
    context, page, elsewhere = offline_page(browser, base, 60_000)
    try:
        sign_in(page, base, investigator, PASSWORD)
        page.click("nav >> text=Investigations")
        page.goto(f"{base}/investigations/cases/{first.pk}/")
        row = page.locator("tr", has=page.locator("a[data-identifier]", has_text="+855 12 345 678"))
        assert "in 2 other cases you may see, in 2 provinces" in row.inner_text()
        assert "1 more you may not see" in row.inner_text()
        page.screenshot(path=shots / "investigations-case.png", full_page=True)
        # Follow the number to the cases that record it.
        row.locator("a[data-identifier]").click()
        page.wait_for_url("**/investigations/identifiers/**")
        summary = page.locator("[data-summary]").inner_text()
        assert "Appears in 3 cases you may see, in 3 provinces." in summary
        assert "And in 1 case you may not see." in summary
        assert hidden.reference not in page.content()
        page.screenshot(path=shots / "investigations-identifier.png", full_page=True)
        page.click(f"a[data-case='{third.reference}']")
        page.wait_for_url(f"**/investigations/cases/{third.pk}/")
        assert page.locator(f"a[data-shared-case='{first.reference}']").count() == 1
        # The network around the case, drawn on the server, and its export.
        page.click("a[data-link=network]")
        page.wait_for_url("**/investigations/network/**")
        assert page.locator(".network-drawing svg a.network-node").count() >= 4
        page.screenshot(path=shots / "investigations-network.png", full_page=True)
        with page.expect_download() as download:
            page.click("a[data-link=network-image]")
        exported = Path(download.value.path()).read_text(encoding="utf-8")
        assert exported.startswith("<svg") and "+855 12 345 678" in exported
        # In Khmer: the drawing's labels use the shipped Khmer font on the page, and the
        # exported image carries its own subset of it (no Khmer font on this machine: without
        # it the legend would be boxes).
        page.select_option("#lang-select", "km")
        page.click(".lang-switch button")
        page.wait_for_function("document.documentElement.lang === 'km'")
        khmer_label = (
            "[...document.querySelectorAll('.network-drawing svg text')]"
            ".find(t => /[\\u1780-\\u17ff]/.test(t.textContent))"
        )
        assert "Noto Sans Khmer" in page.evaluate(f"getComputedStyle({khmer_label}).fontFamily")
        page.evaluate("document.fonts.ready.then(() => true)")
        assert page.evaluate(
            "[...document.fonts].some(f => f.family.includes('Noto Sans Khmer')"
            " && f.status === 'loaded')"
        )
        page.screenshot(path=shots / "investigations-network-km.png", full_page=True)
        with page.expect_download() as download:
            page.click("a[data-link=network-image]")
        image = tmp_path / "ctip-network-km.svg"
        download.value.save_as(image)
        exported = image.read_text(encoding="utf-8")
        assert "data:font/woff2;base64," in exported
        assert any("\u1780" <= char <= "\u17ff" for char in exported)
        alone = context.new_page()
        alone.goto(image.resolve().as_uri())
        alone.evaluate("document.fonts.ready.then(() => true)")
        # The face loaded is the one inside the file (the file can reach no other).
        assert alone.evaluate(
            "[...document.fonts].some(f => f.family.includes('Noto Sans Khmer')"
            " && f.status === 'loaded')"
        )
        alone.screenshot(path=shots / "investigations-network-image-km.png")
        alone.close()
        page.select_option("#lang-select", "en")
        page.click(".lang-switch button")
        page.wait_for_function("document.documentElement.lang === 'en'")
        # At a phone's width the page still works (the drawing scrolls inside its frame).
        page.set_viewport_size({"width": 390, "height": 844})
        page.goto(f"{base}/investigations/cases/{first.pk}/")
        assert page.locator("a[data-identifier]").first.is_visible()
        page.goto(f"{base}/investigations/")
        assert wallet in page.locator("ul.alerts").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert elsewhere == []
    finally:
        context.close()


# Each label's box (nodes' and the key's) against every other's, as the browser drew them:
# [] when none overlap.
OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll(
      '.network-drawing svg text.node-label, .network-drawing svg text.legend-label')]
    .map(t => t.getBoundingClientRect());
  const out = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
    if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5
        && b.top < a.bottom - 0.5) out.push([a.left, a.top, b.left, b.top]);
  }));
  return [boxes.length, out];
}"""


def test_one_trafficker_recorded_in_several_cases_is_one_node(
    browser: Any, live_server: Any, live_reference: None, settings: Any, shots: Path
) -> None:
    from ctip.investigations import services
    from ctip.linkage.identities import regroup
    from ctip.linkage.models import Link
    from ctip.registry.services import participant_add, person_create

    settings.CTIP_REQUIRE_OTP = True
    officer = _user("ahtjp.officer.n", "AHTJP", "case_officer")
    investigator = _user("sopheap", "AHTJP", "investigator")
    siem_reap = _user("sr.officer.n", "PAHT-17", "case_officer")
    own = [_case(officer, "AHTJP", province, 30 - 5 * i)
           for i, province in enumerate(("KH-12", "KH-18", "KH-1", "KH-3"))]  # fmt: skip
    hidden = _case(siem_reap, "PAHT-17", "KH-17", 3)
    records = []
    for case, actor in [*((c, officer) for c in own[:3]), (hidden, siem_reap)]:
        person = person_create(actor=actor, family_name_latin="Chan", given_name_latin="Dara",
                               sex="male", estimated_age=38, citizenships=["KHM"])  # fmt: skip
        participant_add(actor=actor, case=case, person=person, role="suspect")
        services.identifier_record(actor=actor, case=case, kind="phone", value="012 345 678",
                                   person=person)  # fmt: skip
        records.append(person)
    # A dense centre: one compound and one company in every case, long names around it.
    compound = services.compound_create(actor=officer, name="Golden Fortune Compound")
    company = services.organisation_create(actor=officer, name="Lucky Star Recruitment Agency")
    for case in own:
        services.compound_involve(actor=officer, case=case, compound=compound)
        services.organisation_involve(actor=officer, case=case, organisation=company,
                                      role="recruiter")  # fmt: skip
        services.identifier_record(actor=officer, case=case, kind="account",
                                   value="https://t.me/GoldJob_HR")  # fmt: skip
    for other in records[1:]:
        Link.objects.create(person_a_id=records[0].pk, person_b_id=other.pk, source="review")
    regroup([p.pk for p in records])

    base = live_server.url
    context, page, elsewhere = offline_page(browser, base, 60_000)
    try:
        sign_in(page, base, investigator, PASSWORD)
        for language in ("en", "km"):
            if language == "km":
                page.select_option("#lang-select", "km")
                page.click(".lang-switch button")
                page.wait_for_function("document.documentElement.lang === 'km'")
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                page.goto(f"{base}/investigations/network/")
                node = page.locator(f".network-drawing a[data-node='person:{records[0].pk}']")
                # Three records the investigator sees, in three cases; the fourth (Siem
                # Reap's) is neither drawn nor counted.
                assert node.locator("text").first.text_content() == "3"
                assert page.locator(".network-drawing a[data-node^='person:']").count() == 1
                if language == "en":
                    assert "3 records of one person, in 3 cases" in node.inner_html()
                    assert "4 records" not in page.content()
                page.evaluate("document.fonts.ready.then(() => true)")
                drawn, overlaps = page.evaluate(OVERLAPS)
                assert drawn >= 8 and overlaps == [], (language, width, overlaps)
                assert page.evaluate("document.documentElement.scrollWidth") <= width
                page.screenshot(
                    path=shots / f"investigations-network-identity-{language}-{width}.png",
                    full_page=True,
                )
        # The packages sent and received are a link away from every investigations page.
        page.click("nav.subnav a[href='/investigations/exchange/packages/']")
        page.wait_for_url("**/investigations/exchange/packages/")
        assert page.locator("h1").inner_text() == "កញ្ចប់បណ្ដាញដែលបានផ្ញើ និងបានទទួល"
        page.screenshot(path=shots / "investigations-packages-km.png", full_page=True)
        assert elsewhere == []
    finally:
        context.close()
