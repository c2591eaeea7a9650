"""Masking on the registry's own pages and API: what each role sees of a victim's file."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ctip.access.masking import MASK
from ctip.access.services import identity_reveal
from ctip.access.testing import verified_login
from ctip.access.tests.world import PASSWORD, build_world
from ctip.registry.models import VictimProfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> Any:
    return build_world(roles=["case_officer", "supervisor", "ngo_partner"])


def _client(world: Any, role: str) -> Client:
    client = Client()
    verified_login(client, world.actors[role])
    return client


def _html(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _reveal_url(obj: Any) -> str:
    return reverse("access:reveal", args=[obj._meta.label_lower, obj.pk])


# --- pages ---------------------------------------------------------------------------------


def test_ngo_partner_sees_names_masked_on_pages_until_revealed(world: Any) -> None:
    """NGO partners are not cleared for identity: names, birth dates and phones are masked."""
    person = world.victim("ngo_partner", "own")
    client = _client(world, "ngo_partner")
    detail = _html(client, reverse("registry:person-detail", args=[person.pk]))
    assert person.given_name_latin not in detail and "+855" not in detail
    assert "2001-05-17" not in detail
    assert MASK in detail and _reveal_url(person) in detail
    case_page = _html(
        client, reverse("registry:case-detail", args=[world.case("ngo_partner", "own").pk])
    )
    assert person.given_name_latin not in case_page and MASK in case_page
    # Search matches only identities the partner reads: a masked name finds nothing, so the
    # search cannot confirm it (issue #11 item 3; registry/tests/test_search_oracle.py).
    search = _html(client, reverse("registry:person-search") + "?name=Sreyneang")
    assert reverse("registry:person-detail", args=[person.pk]) not in search

    identity_reveal(
        actor=world.actors["ngo_partner"], obj=person, reason="Family tracing", password=PASSWORD
    )
    detail = _html(client, reverse("registry:person-detail", args=[person.pk]))
    assert person.given_name_latin in detail and "+855 12 000" in detail
    assert _reveal_url(person) not in detail
    search = _html(client, reverse("registry:person-search") + "?name=Sreyneang")
    assert reverse("registry:person-detail", args=[person.pk]) in search


def test_ngo_partner_sees_the_assessment_page_headed_with_a_masked_name(world: Any) -> None:
    """The page names the victim as the case page does: masked for a partner not cleared."""
    records = world.at("ngo_partner", "own")
    url = reverse("registry:assessment-add", args=[records.case.pk, records.participant.pk])
    heading = _html(_client(world, "ngo_partner"), url).split("<h1", 1)[1].split("</h1>", 1)[0]
    assert MASK in heading and records.victim.given_name_latin not in heading
    assert f"person {records.victim.pk}" in heading


def test_case_officer_reads_identity_but_not_testimony(world: Any) -> None:
    records = world.at("case_officer", "own")
    client = _client(world, "case_officer")
    page = _html(client, reverse("registry:case-detail", args=[records.case.pk]))
    assert records.victim.given_name_latin in page  # identity: cleared
    assert records.profile.testimony not in page  # testimony: masked, may be revealed
    assert records.case.summary not in page
    assert _reveal_url(records.profile) in page
    assert _reveal_url(records.victim) not in page  # nothing of the person is hidden

    identity_reveal(
        actor=world.actors["case_officer"],
        obj=records.profile,
        reason="Preparing the court file",
        password=PASSWORD,
    )
    page = _html(client, reverse("registry:case-detail", args=[records.case.pk]))
    assert records.profile.testimony in page


def test_supervisor_reads_everything_and_gets_no_reveal_link(world: Any) -> None:
    records = world.at("supervisor", "own")
    page = _html(
        _client(world, "supervisor"), reverse("registry:case-detail", args=[records.case.pk])
    )
    assert records.profile.testimony in page and records.case.summary in page
    assert records.victim.given_name_latin in page
    assert _reveal_url(records.profile) not in page and "Reveal hidden details" not in page


def test_profile_form_neither_shows_nor_overwrites_a_hidden_testimony(world: Any) -> None:
    records = world.at("case_officer", "own")
    client = _client(world, "case_officer")
    url = reverse("registry:victim-profile", args=[records.case.pk, records.participant.pk])
    form = _html(client, url)
    assert records.profile.testimony not in form and 'name="testimony"' not in form
    assert _reveal_url(records.profile) in form
    response = client.post(
        url,
        {
            "trafficking_status": "ActualVictimOfTrafficking",
            "consent_to_share": "on",
            "consent_recorded_on": "2024-01-15",  # consent now needs its date (issue #14)
            "testimony": "",
        },
    )
    assert response.status_code == 302
    assert VictimProfile.objects.get(pk=records.profile.pk).testimony == records.profile.testimony


# --- API -----------------------------------------------------------------------------------


def test_api_masks_identity_for_the_ngo_partner(world: Any) -> None:
    person = world.victim("ngo_partner", "own")
    ngo = _client(world, "ngo_partner")
    body = ngo.get(f"/api/v1/persons/{person.pk}/").json()
    assert body["given_name_latin"] == MASK and body["display_name"] == MASK
    assert body["phone"] == MASK and body["date_of_birth"] == MASK
    assert body["sex"] != MASK  # not sensitive
    # A masked name matches nothing (search is no oracle); after a reveal it does.
    assert ngo.get("/api/v1/persons/?name=Sreyneang").json()["results"] == []
    case = ngo.get(f"/api/v1/cases/{world.case('ngo_partner', 'own').pk}/").json()
    victim = next(p for p in case["participants"] if p["role"] == "victim")
    assert victim["person"]["given_name_latin"] == MASK
    assert victim["victim_profile"]["testimony"] == MASK

    identity_reveal(
        actor=world.actors["ngo_partner"], obj=person, reason="Family tracing", password=PASSWORD
    )
    body = ngo.get(f"/api/v1/persons/{person.pk}/").json()
    assert body["given_name_latin"] == person.given_name_latin
    assert body["phone"] == person.phone
    found = ngo.get("/api/v1/persons/?name=Sreyneang").json()["results"]
    assert [p["id"] for p in found] == [person.pk]
    assert found[0]["display_name"] == person.display_name


def test_api_masks_testimony_for_the_case_officer_not_the_supervisor(world: Any) -> None:
    records = world.at("case_officer", "own")
    officer = _client(world, "case_officer")
    boss = _client(world, "supervisor")
    profile_url = f"/api/v1/victim-profiles/{records.profile.pk}/"
    case_url = f"/api/v1/cases/{records.case.pk}/"
    assert officer.get(profile_url).json()["testimony"] == MASK
    assert officer.get(case_url).json()["summary"] == MASK
    officer_person = officer.get(f"/api/v1/persons/{records.victim.pk}/").json()
    assert officer_person["given_name_latin"] == records.victim.given_name_latin
    assert boss.get(profile_url).json()["testimony"] == records.profile.testimony
    assert boss.get(case_url).json()["summary"] == records.case.summary


def test_person_pick_lists_show_names_only_to_roles_cleared_for_identity(world: Any) -> None:
    ngo_records = world.at("ngo_partner", "own")
    ngo_form = _html(
        _client(world, "ngo_partner"),
        reverse("registry:arrest-add", args=[ngo_records.case.pk]),
    )
    assert ngo_records.suspect.given_name_latin not in ngo_form
    assert f"{MASK} ({ngo_records.suspect})" in ngo_form  # still told apart by record number
    records = world.at("case_officer", "own")
    officer_form = _html(
        _client(world, "case_officer"), reverse("registry:event-add", args=[records.case.pk])
    )
    assert records.suspect.given_name_latin in officer_form


def test_case_form_neither_shows_nor_overwrites_a_hidden_summary(world: Any) -> None:
    records = world.at("case_officer", "own")
    client = _client(world, "case_officer")
    url = reverse("registry:case-edit", args=[records.case.pk])
    form = _html(client, url)
    assert records.case.summary not in form and 'name="summary"' not in form
    case = records.case
    before = case.summary
    assert before
    response = client.post(
        url,
        {
            "kind": case.kind,
            "source": case.source,
            "province": case.province_id,
            "opened_on": case.opened_on.isoformat(),
            "status": case.status,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.summary == before


def test_case_officer_sees_the_hidden_summary_labelled_with_a_reveal_link(world: Any) -> None:
    """Issue #14 item 4: the summary of one's own case was an unlabelled ••• with no way to
    open it; it now says why it is hidden and offers the reveal (testimony, audited)."""
    case = world.case("case_officer", "own")
    client = _client(world, "case_officer")
    page = _html(client, reverse("registry:case-detail", args=[case.pk]))
    assert case.summary not in page and "hidden: it may hold testimony" in page
    assert _reveal_url(case) in page
    identity_reveal(
        actor=world.actors["case_officer"],
        obj=case,
        reason="Writing the follow-up report",
        password=PASSWORD,
    )
    page = _html(client, reverse("registry:case-detail", args=[case.pk]))
    assert case.summary in page and _reveal_url(case) not in page
    supervisor_page = _html(
        _client(world, "supervisor"),
        reverse("registry:case-detail", args=[world.case("supervisor", "own").pk]),
    )
    assert world.case("supervisor", "own").summary in supervisor_page
