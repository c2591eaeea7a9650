"""Each role's home page and main menu: the work of the role, and only the pages it may open."""

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(html: str) -> list[str]:
    nav = html.split('<ul class="nav-links">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r">([^<>]+)</a>", nav)


@pytest.mark.parametrize(
    ("role", "agency", "expected"),
    [
        (
            "case_officer",
            "PAHT-12",
            [
                "Cases",
                "Find a person",
                "Operations",
                "Referrals",
                "Statistics",
                "Import",
                "Export",
                "Verifications",
            ],
        ),
        ("analyst", "NCCT", ["Coordination", "Statistics", "Dark figure", "Releases"]),
        ("investigator", "AHTJP", ["Investigations"]),
        # Everyone at the secretariat sees aggregates (the statistics pages' own rule).
        (
            "auditor",
            "NCCT",
            ["Coordination", "Statistics", "Dark figure", "Releases", "Audit trail"],
        ),
        (
            "supervisor",
            "NCCT",
            [
                "Cases",
                "Find a person",
                "Operations",
                "Referrals",
                "Statistics",
                "Dark figure",
                "Releases",
                "Import",
                "Export",
                "Verifications",
            ],
        ),
    ],
)
def test_menu_lists_what_the_role_may_open(
    client: Any, make_member: Any, role: str, agency: str, expected: list[str]
):
    client.force_login(make_member(role, agency))
    html = client.get(reverse("home")).content.decode()
    assert _menu(html) == expected
    # Every entry opens: the menu never offers a page that refuses.
    for href in re.findall(r'<li><a href="([^"]+)"', html.split('class="nav-links"')[1]):
        assert client.get(href.replace("&amp;", "&")).status_code == 200, href


def test_menu_marks_the_current_page(client: Any, make_member: Any):
    client.force_login(make_member("analyst", "NCCT"))
    html = client.get(reverse("stats:releases")).content.decode()
    assert '<a href="/stats/releases/" aria-current="page">' in html
    assert '<a href="/stats/" aria-current' not in html


def _case(officer: Any, **extra: Any) -> Any:
    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.registry import services

    return services.case_create(
        actor=officer,
        kind="trafficking",
        source="hotline",
        owning_agency=Agency.objects.get(code="PAHT-12"),
        province=Province.objects.get(code="KH-12"),
        opened_on=datetime.date(2025, 3, 1),
        summary="Synthetic case for the home page test.",
        **extra,
    )


def test_officer_home_lists_my_open_cases_not_the_colleagues(client: Any, make_member: Any):
    officer, colleague = (
        make_member("case_officer", "PAHT-12"),
        make_member("case_officer", "PAHT-12"),
    )
    mine, theirs = _case(officer), _case(colleague)
    client.force_login(officer)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "My open cases" in html and mine.reference in html
    assert theirs.reference not in html
    assert "Register a case" in html
    # The link to all of them narrows the case list the same way.
    listed = client.get(reverse("registry:case-list") + "?mine=on").content.decode()
    assert mine.reference in listed and theirs.reference not in listed


def test_social_worker_home_shows_referrals_waiting_for_an_answer(client: Any, make_member: Any):
    from ctip.access.models import Agency
    from ctip.referrals import services as referral_services
    from ctip.registry import services

    officer = make_member("case_officer", "PAHT-12")
    social = make_member("case_officer", "DOSVY-12")
    case = _case(officer)
    person = services.person_create(
        actor=officer,
        registered_by=case.owning_agency,
        family_name_latin="Sok",
        given_name_latin="Dara",
        sex="female",
    )
    participant = services.participant_add(actor=officer, case=case, person=person, role="victim")
    services.victim_profile_save(
        actor=officer,
        participant=participant,
        trafficking_status="ActualVictimOfTrafficking",
        consent_to_share=True,
        consent_recorded_on=datetime.date(2025, 3, 1),
    )
    referral_services.referral_send(
        actor=officer,
        participant=participant,
        from_agency=case.owning_agency,
        to_agency=Agency.objects.get(code="DOSVY-12"),
        service="shelter",
        shares_identity=False,
    )
    client.force_login(social)
    html = client.get(reverse("home")).content.decode()
    assert "Referrals waiting for your answer" in html
    assert case.reference in html and "Shelter" in html


def test_analyst_lands_on_statistics_not_an_empty_case_list(client: Any, make_member: Any):
    make_member("analyst", "NCCT", username="sophal")
    response = client.post(
        reverse("login"), {"username": "sophal", "password": "a-long-test-password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    html = response.content.decode()
    assert "Indicators dashboard" in html and "Half-year report" in html
    assert "0 cases match" not in html and "My open cases" not in html


def test_auditor_home_shows_recent_sensitive_access_by_name(client: Any, make_member: Any):
    officer = make_member("case_officer", "PAHT-12")
    case = _case(officer)
    client.force_login(officer)
    client.get(reverse("registry:case-detail", args=[case.pk]))
    from ctip.registry import services

    person = services.person_create(
        actor=officer, registered_by=case.owning_agency, family_name_latin="Chan", sex="male"
    )
    client.get(reverse("registry:person-detail", args=[person.pk]))
    client.force_login(make_member("auditor", "NCCT"))
    html = client.get(reverse("home")).content.decode()
    assert "Recent sensitive access" in html
    assert f"person P{person.pk}" in html and officer.username in html
    # Reading the home page is no search of the trail: it writes no audit entry.
    from ctip.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    client.get(reverse("home"))
    assert AuditEvent.objects.count() == before


def test_user_without_a_role_is_told_what_to_do(client: Any, db: Any):
    from ctip.access.models import User

    client.force_login(User.objects.create_user(username="nobody", password="x-long-password"))
    html = client.get(reverse("home")).content.decode()
    assert "no role in any agency" in html


def _home_queries(client: Any, user: Any) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(user)
    client.get(reverse("home"))  # the session and the caches are warm from here on
    with CaptureQueriesContext(connection) as captured:
        html = client.get(reverse("home")).content.decode()
    return len(captured), html


def test_supervisor_home_reads_only_the_own_work_it_shows(client: Any, make_member: Any):
    """The home page's work section shows the actor's own work: a supervisor's home reads no
    more than an officer's (plus the releases waiting), not the supervised agencies' work too."""
    officer = make_member("case_officer", "PAHT-12")
    supervisor = make_member("supervisor", "NCCT")
    _case(officer)
    officer_queries, _html = _home_queries(client, officer)
    supervisor_queries, html = _home_queries(client, supervisor)
    assert "Releases in preparation" in html and "Work due" in html
    assert "no role in any agency" not in html
    assert supervisor_queries <= officer_queries + 1, (officer_queries, supervisor_queries)
