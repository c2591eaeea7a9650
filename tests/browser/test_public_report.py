"""A citizen's report without JavaScript, in the real headless Chromium, and its follow-up:
the form is filled with scripts off (the place chosen step by step by the server, a photo and
later a PDF attached), the receipt code read, the intake team's answer read with the code,
and a second message written — in English, then in Khmer reached by the language link. Every
page is checked at 390 px and with axe (in a second, scripted context that loads the very
HTML the script-less one received: axe itself needs JavaScript); screenshots for the guide."""

from pathlib import Path
from typing import Any

import pytest

from ctip.registry.tests.test_files import jpeg_with_gps, pdf_with_metadata

from .helpers import VIEWPORT
from .test_roles import _accessible, _no_sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _intake_officer() -> Any:
    from ctip.access.models import Agency, Membership, User

    user = User.objects.create_user(username="sreyleak", password="a-long-test-password")
    Membership.objects.create(
        user=user, agency=Agency.objects.get(code="AHTJP"), role="intake_officer"
    )
    return user


class Checker:
    """Axe and the phone width on what the script-less page shows, in a scripted page."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()

    def check(self, page: Any) -> None:
        _no_sideways_scroll(page)
        self.page.goto(page.url)  # the same origin and address, so styles load alike
        self.page.set_content(page.content())
        _accessible(self.page)


def _no_script_context(
    browser: Any, base: str, locale: str
) -> tuple[Any, Any, list[str], list[str]]:
    """A script-less context and page, the URLs it requested from other hosts, and the
    public pages (and their files) that answered with a cookie."""
    from urllib.parse import urlsplit

    context = browser.new_context(viewport=VIEWPORT, locale=locale, java_script_enabled=False)
    context.set_default_timeout(40_000)
    page = context.new_page()
    elsewhere: list[str] = []
    cookies: list[str] = []
    page.on(
        "request",
        lambda r: (
            elsewhere.append(r.url) if urlsplit(r.url).netloc != urlsplit(base).netloc else None
        ),
    )
    # The browser also asks for /favicon.ico, which nginx answers in production (the shipped
    # site); here Django's 404 page does, with its CSRF cookie: only the report pages and
    # their own files are held to "no cookie".
    page.on(
        "response",
        lambda r: (
            cookies.append(r.url)
            if urlsplit(r.url).path.startswith(("/report/", "/static/intake/"))
            and r.header_value("set-cookie")
            else None
        ),
    )
    return context, page, elsewhere, cookies


def test_a_report_without_javascript_and_its_follow_up_in_english_and_khmer(
    browser: Any, live_server: Any, live_reference: None, shots: Path
) -> None:
    from ctip.intake import services
    from ctip.intake.models import Report, ReportAttachment, ReportMessage
    from ctip.reference import gazetteer

    officer = _intake_officer()
    base = live_server.url
    checker = Checker(browser)
    context, page, elsewhere, cookies = _no_script_context(browser, base, "en-GB")
    try:
        page.goto(f"{base}/report/")
        page.wait_for_url("**/report/en/")
        page.fill("#id_what", "About thirty workers are locked in a building by the beach.")
        page.select_option("#id_province", "18")
        page.click("text=Show the places in it")  # the server sends the province's districts
        district = gazetteer.children("18")[0]
        page.select_option("#id_district", district.code)
        assert "About thirty workers" in page.input_value("#id_what")  # nothing lost
        page.fill("#id_phones", "012 345 678")
        page.check("input[name=danger_now][value=yes]")
        page.set_input_files(
            "#id_file",
            files=[{"name": "IMG_0612.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}],
        )
        checker.check(page)
        page.screenshot(path=shots / "intake-public-report-en.png", full_page=True)
        page.click("text=Send the report")
        page.wait_for_selector("#receipt-code")
        code = page.inner_text("#receipt-code")
        checker.check(page)
        report = Report.objects.get()
        assert report.trust == "no_script" and report.place_code == district.code
        assert report.attachments.get().file.name == f"{report.reference}-1.jpg"

        services.report_message_staff(
            actor=officer, report=report, body="Thank you. Is anyone hurt? Which floor?"
        )
        page.click("main >> text=Follow up with your receipt code")
        page.fill("#id_code", code)
        page.click("text=Open my report")
        page.wait_for_selector(".msg-staff")
        assert "Is anyone hurt?" in page.inner_text("main")
        assert "You sent 1 file" in page.inner_text("main")
        page.fill("#id_body", "Two were beaten yesterday. Third floor. Here is the job offer.")
        page.set_input_files(
            "#id_file",
            files=[
                {"name": "offer.pdf", "mimeType": "application/pdf", "buffer": pdf_with_metadata()}
            ],
        )
        page.click("text=Send the message")
        page.wait_for_selector("text=Your message was sent.")
        assert "Two were beaten yesterday" in page.inner_text("main")
        checker.check(page)
        page.screenshot(path=shots / "intake-follow-up-en.png", full_page=True)
        reply = ReportMessage.objects.get(author="reporter")
        assert ReportAttachment.objects.get(message=reply).file.content_type == "application/pdf"

        # Khmer, by the language link on the page (no cookie: the language is in the address).
        page.click("text=Make a report")
        page.click("nav.langs >> [lang=km]")
        page.wait_for_url("**/report/km/")
        assert page.get_attribute("html", "lang") == "km"
        main = page.inner_text("main")
        assert "What is happening?" not in main and "Send the report" not in main
        page.fill("#id_what", "ក្មេងៗត្រូវបានប្រើឱ្យសុំទាននៅផ្សារ។")
        page.check("input[name=child_involved][value=yes]")
        checker.check(page)
        page.screenshot(path=shots / "intake-public-report-km.png", full_page=True)
        page.click("main button[name=send]")
        page.wait_for_selector("#receipt-code")
        khmer_code = page.inner_text("#receipt-code")
        khmer = Report.objects.get(language="km")
        assert khmer.trust == "no_script" and khmer.priority == 2  # a child: high priority
        services.report_message_staff(actor=officer, report=khmer, body="អរគុណ។ ផ្សារណា?")
        page.click("main a[href='/report/km/follow-up/']")
        page.fill("#id_code", khmer_code)
        page.click("main button[type=submit]")
        page.wait_for_selector(".msg-staff")
        assert "ផ្សារណា?" in page.inner_text("main")
        page.fill("#id_body", "ផ្សារលើ ក្រុងព្រះសីហនុ។")
        page.click("main button[type=submit]")
        page.wait_for_selector("p.ok")
        checker.check(page)
        page.screenshot(path=shots / "intake-follow-up-km.png", full_page=True)
        assert ReportMessage.objects.filter(report=khmer, author="reporter").count() == 1

        # A wrong code: the same words whatever the code, nothing opened.
        page.goto(f"{base}/report/km/follow-up/")
        page.fill("#id_code", "0000 0000 0000 0000")
        page.click("main button[type=submit]")
        assert page.query_selector(".msg-staff") is None
        assert "គ្មានរបាយការណ៍ណាបើកដោយលេខកូដនេះទេ" in page.inner_text("main")
    finally:
        context.close()
        checker.context.close()
    assert elsewhere == []
    assert cookies == []
