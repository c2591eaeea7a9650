"""The intake team's pages: the queue, recording a call, triage from report to outcome, and
what other roles see (the menu, 404 for what they may not open)."""

import re

import pytest

from ctip.access.models import Agency
from ctip.intake import services
from ctip.intake.choices import Answer, MatterStatus
from ctip.intake.models import Matter, Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(client, make_member, settings):
    settings.CTIP_REQUIRE_OTP = False
    officer = make_member("intake_officer", "AHTJP")
    client.force_login(officer)
    client.officer = officer
    return client


def public_report(**fields):
    data = services.ReportInput(what=fields.pop("what", "Held in a casino"), **fields)
    return services.report_submit_public(data=data, language="th").report


def test_the_menu_leads_to_the_queue_sorted_by_urgency(officer_client):
    calm = public_report(what="A calm report")
    urgent = public_report(what="Someone beaten now", danger_now=Answer.YES)
    home = officer_client.get("/").content.decode()
    assert 'href="/intake/"' in home
    html = officer_client.get("/intake/").content.decode()
    assert html.index(urgent.reference) < html.index(calm.reference)


def test_an_operator_records_a_call_and_reads_the_receipt_once(officer_client):
    response = officer_client.post(
        "/intake/record/",
        {
            "channel": "hotline",
            "language": "km",
            "what": "Caller says her son is held in Bavet",
            "child_involved": "yes",
            "danger_now": "unknown",
            "give_receipt": "on",
            "phones": "012 999 888",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    code = re.search(r'id="receipt-code">([\d ]+)<', html).group(1)
    report = Report.objects.get()
    assert report.channel == "hotline" and report.recorded_by == officer_client.officer
    assert code.replace(" ", "") not in (report.receipt_hash or "")
    # The report page does not show the code again.
    assert code not in officer_client.get(f"/intake/reports/{report.pk}/").content.decode()


def test_triage_from_report_to_outcome(officer_client, make_member, client):
    first = public_report(phones=["+855 12 111 222"])
    second = public_report(phones=["012111222"])
    page = officer_client.get(f"/intake/reports/{first.pk}/").content.decode()
    assert second.reference in page  # proposed for grouping: the same phone
    response = officer_client.post(
        f"/intake/reports/{first.pk}/create-matter/", {"title": "Casino on the border"}
    )
    matter = Matter.objects.get()
    assert response.status_code == 302
    officer_client.post(f"/intake/reports/{second.pk}/group/", {"matter": matter.reference})
    assert matter.reports.count() == 2
    agency = Agency.objects.get(code="PCCT-20")
    officer_client.post(f"/intake/matters/{matter.pk}/assign/", {"agency": agency.pk})
    matter.refresh_from_db()
    assert matter.assigned_agency == agency and matter.response_due_on is not None
    # The committee's supervisor finds it through the menu, and decides.
    supervisor = make_member("supervisor", "PCCT-20")
    client.force_login(supervisor)
    assert 'href="/intake/"' in client.get("/").content.decode()
    refused = client.post(f"/intake/matters/{matter.pk}/decide/", {"outcome": "not_actionable"})
    assert "Say why it is not actionable." in refused.content.decode()
    client.post(
        f"/intake/matters/{matter.pk}/decide/", {"outcome": "verification_ordered", "note": "Go"}
    )
    matter.refresh_from_db()
    assert matter.status == MatterStatus.VERIFICATION_ORDERED


def test_other_roles_see_nothing(client, make_member, settings):
    settings.CTIP_REQUIRE_OTP = False
    report = public_report()
    stranger = make_member("case_officer", "PAHT-12")
    client.force_login(stranger)
    assert 'href="/intake/"' not in client.get("/").content.decode()
    assert client.get("/intake/").status_code == 404
    assert client.get(f"/intake/reports/{report.pk}/").status_code == 404
    assert client.get("/intake/reports/999999/").status_code == 404
    assert client.post(f"/intake/reports/{report.pk}/create-matter/").status_code == 404


def test_contact_details_are_masked_for_officers(officer_client):
    report = public_report(contact="Telegram @sister_of_victim")
    html = officer_client.get(f"/intake/reports/{report.pk}/").content.decode()
    assert "sister_of_victim" not in html and "•••" in html
