"""The registry's case and person pages lead to the referral work, and the main menu to the
referral pages, only for those who may do that work."""

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ctip.access.models import User
from ctip.registry.models import Case
from ctip.registry.services import case_create, participant_add, person_create

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def links_on(html: str) -> dict[str, set[str]]:
    """data-link name -> the hrefs of the links with that name on the page."""
    found: dict[str, set[str]] = {}
    for name, href in re.findall(r'data-link="([^"]+)" href="([^"]+)"', html):
        found.setdefault(name, set()).add(href)
    return found


def pages(client: Client, victim: Any) -> list[str]:
    return [
        client.get(reverse("registry:case-detail", args=[victim.case_id])).content.decode(),
        client.get(reverse("registry:person-detail", args=[victim.person_id])).content.decode(),
    ]


def test_case_officer_sees_pathway_referral_and_task_links(police: Any, victim: Any) -> None:
    suspect = person_create(actor=police, given_name_latin="Vuthy", sex="male")
    participant_add(actor=police, case=victim.case, person=suspect, role="suspect")
    client = signed_in(police)
    for html in pages(client, victim):
        links = links_on(html)
        assert links["pathway"] == {reverse("referrals:pathway", args=[victim.pk])}
        assert links["referral-send"] == {reverse("referrals:send", args=[victim.pk])}
        assert links["task-create"] == {reverse("referrals:task-create", args=[victim.case_id])}
    # The links lead somewhere that works for this user.
    for url in (
        reverse("referrals:pathway", args=[victim.pk]),
        reverse("referrals:send", args=[victim.pk]),
        reverse("referrals:task-create", args=[victim.case_id]),
    ):
        assert client.get(url).status_code == 200
    # A suspect has no service pathway and is not referred for services from here.
    case_page = pages(client, victim)[0]
    assert case_page.count('data-link="pathway"') == 1
    assert case_page.count('data-link="referral-send"') == 1


def test_closed_case_keeps_the_pathway_but_offers_no_new_work(police: Any, victim: Any) -> None:
    Case.objects.filter(pk=victim.case_id).update(status="closed")
    for html in pages(signed_in(police), victim):
        links = links_on(html)
        assert "pathway" in links
        assert "referral-send" not in links and "task-create" not in links
    pathway = signed_in(police).get(reverse("referrals:pathway", args=[victim.pk]))
    assert "Refer this person" not in pathway.content.decode()


def test_viewer_without_case_work_role_gets_no_send_or_task_link(police: Any, victim: Any) -> None:
    """A superuser sees every case but holds no case-work role, so the services would refuse
    to send or add a task for them: the buttons are not offered."""
    root = User.objects.create_superuser(username="root", password="a-long-test-password")
    client = signed_in(root)
    for html in pages(client, victim):
        links = links_on(html)
        assert links.get("pathway") == {reverse("referrals:pathway", args=[victim.pk])}
        assert "referral-send" not in links and "task-create" not in links
    assert (
        "Refer this person"
        not in client.get(reverse("referrals:pathway", args=[victim.pk])).content.decode()
    )
    assert (
        "Refer this person"
        in signed_in(police).get(reverse("referrals:pathway", args=[victim.pk])).content.decode()
    )


def test_person_page_offers_new_work_only_in_the_open_case(police: Any, victim: Any) -> None:
    """The person is a victim in two cases the officer sees, one closed: the person page
    offers sending a referral and adding a task for the open case's participation only."""
    closed_case = case_create(
        actor=police,
        kind="trafficking",
        source="operation",
        owning_agency=victim.case.owning_agency,
        province=victim.case.province,
        opened_on=victim.case.opened_on,
    )
    closed = participant_add(actor=police, case=closed_case, person=victim.person, role="victim")
    Case.objects.filter(pk=closed_case.pk).update(status="closed")
    page = signed_in(police).get(reverse("registry:person-detail", args=[victim.person_id]))
    links = links_on(page.content.decode())
    assert links["pathway"] == {
        reverse("referrals:pathway", args=[victim.pk]),
        reverse("referrals:pathway", args=[closed.pk]),
    }
    assert links["referral-send"] == {reverse("referrals:send", args=[victim.pk])}
    assert links["task-create"] == {reverse("referrals:task-create", args=[victim.case_id])}


def test_officer_of_another_agency_sees_neither_the_case_nor_its_links(
    victim: Any, make_member: Any
) -> None:
    stranger = signed_in(make_member("case_officer", "PAHT-18"))
    for url in (
        reverse("registry:case-detail", args=[victim.case_id]),
        reverse("registry:person-detail", args=[victim.person_id]),
    ):
        response = stranger.get(url)
        assert response.status_code == 404
        assert "data-link" not in response.content.decode()


def test_main_menu_referrals_entry_depends_on_the_role(police: Any, make_member: Any) -> None:
    menu = re.compile(r'<li><a href="([^"]+)"[^>]*>Referrals</a></li>')
    home = reverse("registry:case-list")

    found = menu.search(signed_in(police).get(home).content.decode())
    assert found and found.group(1) == reverse("referrals:list") + "?box=inbox"
    # Case-work staff outside the secretariat are not offered the coordination page.
    inbox = signed_in(police).get(reverse("referrals:list")).content.decode()
    assert reverse("referrals:coordination") not in inbox

    # Those who only see aggregates get the coordination figures, under that name.
    analyst = signed_in(make_member("analyst", "NCCT"))
    coordination = re.compile(r'<li><a href="([^"]+)"[^>]*>Coordination</a></li>')
    found = coordination.search(analyst.get(reverse("home")).content.decode())
    assert found and found.group(1) == reverse("referrals:coordination")

    # An auditor of a police unit does no case work and sees no aggregates (at the NCCT
    # secretariat they would see the coordination dashboard).
    auditor = signed_in(make_member("auditor", "PAHT-12"))
    assert menu.search(auditor.get(home).content.decode()) is None
