"""Adding persons, victim profiles, events, arrests and proceedings to a case through pages."""

import datetime
from typing import Any

import pytest
from django.urls import reverse

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.registry import services
from ctip.registry.models import Arrest, Event, Participant, Person, Proceeding, VictimProfile

from .conftest import make_case

pytestmark = pytest.mark.django_db


def new_person(**overrides: Any) -> dict[str, Any]:
    data = {
        "new-role": "victim",
        "new-family_name_latin": "Keo",
        "new-given_name_latin": "Srey Mom",
        "new-sex": "female",
        "new-estimated_age": "15",
        "new-citizenships": ["KHM"],
        "new-document_kind": "",
        "new-document_number": "",
    }
    data.update(overrides)
    return data


def test_register_a_victim_then_her_profile(client: Any, officer: Any, case: Any):
    client.force_login(officer)
    url = reverse("registry:participant-add", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, new_person())
    participant = Participant.objects.get(case=case)
    assert participant.role == "victim"
    assert participant.person.citizenships == ["KHM"]
    profile_url = reverse("registry:victim-profile", args=[case.pk, participant.pk])
    assert response["Location"] == profile_url

    assert client.get(profile_url).status_code == 200
    response = client.post(
        profile_url,
        {
            "trafficking_status": "PossibleVictimOfTrafficking",
            "means_of_control": ["DebtBondage", "FalsePromises"],
            "age_when_trafficked": "14",
        },
    )
    assert response.status_code == 302
    profile = VictimProfile.objects.get(participant=participant)
    assert profile.means_of_control == ["DebtBondage", "FalsePromises"]
    assert profile.age_when_trafficked == 14


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("new-estimated_age", "130"),
        ("new-estimated_age", "-1"),
        ("new-date_of_birth", "2999-01-01"),
        ("new-citizenships", "XXX"),
        ("new-role", "boss"),
        ("new-gender", "NotACode"),
        ("new-family_name_latin", ""),
    ],
)
def test_new_person_bad_input_changes_nothing(
    client: Any, officer: Any, case: Any, field: str, value: str
):
    data = new_person(**{field: value})
    if field == "new-family_name_latin":
        data["new-given_name_latin"] = ""
    client.force_login(officer)
    response = client.post(reverse("registry:participant-add", args=[case.pk]), data)
    assert response.status_code == 200
    name = field.removeprefix("new-")
    errors = {**response.context["person_form"].errors, **response.context["role_form"].errors}
    assert name in errors
    assert not Person.objects.exists()
    assert not Participant.objects.exists()


def test_find_and_add_an_existing_person(client: Any, officer: Any, case: Any, suspect: Any):
    from .conftest import make_case

    other = make_case(officer)
    client.force_login(officer)
    url = reverse("registry:participant-add", args=[other.pk])
    found = client.get(url, {"name": "Vuthi Meas"})
    assert suspect.person in found.context["results"]
    response = client.post(url, {"pick-person": suspect.person.pk, "pick-role": "suspect"})
    assert response.status_code == 302
    assert Participant.objects.filter(case=other, person=suspect.person, role="suspect").exists()


def test_victim_profile_refuses_unknown_codes_and_ages(
    client: Any, officer: Any, case: Any, victim: Any
):
    client.force_login(officer)
    url = reverse("registry:victim-profile", args=[case.pk, victim.pk])
    for data, field in [
        ({"trafficking_status": "Slave"}, "trafficking_status"),
        (
            {"trafficking_status": "PossibleVictimOfTrafficking", "means_of_control": ["Magic"]},
            "means_of_control",
        ),
        (
            {"trafficking_status": "PossibleVictimOfTrafficking", "age_when_trafficked": "121"},
            "age_when_trafficked",
        ),
        (
            {"trafficking_status": "PossibleVictimOfTrafficking", "identified_on": "2999-01-01"},
            "identified_on",
        ),
    ]:
        response = client.post(url, data)
        assert response.status_code == 200
        assert field in response.context["form"].errors
    profile = VictimProfile.objects.get(participant=victim)
    assert profile.trafficking_status == "ActualVictimOfTrafficking"
    assert profile.age_when_trafficked is None


def test_add_an_event(client: Any, officer: Any, case: Any, victim: Any):
    client.force_login(officer)
    url = reverse("registry:event-add", args=[case.pk])
    assert client.get(url).status_code == 200
    data = {
        "kind": "recruitment",
        "occurred_on": "2024-01-15",
        "place": "Bus station",
        "persons": [victim.person.pk],
    }
    assert client.post(url, data).status_code == 302
    event = Event.objects.get(case=case)
    assert list(event.persons.all()) == [victim.person]
    page = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    assert "Bus station" in page


def test_event_refuses_future_dates_and_strangers(client: Any, officer: Any, case: Any):
    stranger = services.person_create(actor=officer, family_name_latin="Nobody")
    client.force_login(officer)
    url = reverse("registry:event-add", args=[case.pk])
    response = client.post(url, {"kind": "transit", "occurred_on": "2999-01-01"})
    assert "occurred_on" in response.context["form"].errors
    data = {"kind": "transit", "occurred_on": "2024-01-01", "persons": [stranger.pk]}
    response = client.post(url, data)
    assert "persons" in response.context["form"].errors
    data = {"kind": "transit", "occurred_on": "2024-01-01", "latitude": "91"}
    assert "latitude" in client.post(url, data).context["form"].errors
    assert not Event.objects.exists()


def test_record_an_arrest(client: Any, officer: Any, case: Any, suspect: Any):
    client.force_login(officer)
    url = reverse("registry:arrest-add", args=[case.pk])
    assert client.get(url).status_code == 200
    data = {
        "person": suspect.person.pk,
        "arrested_on": "2024-03-07",
        "agency": case.owning_agency.pk,
        "charges": ["LSHTSE-15"],
    }
    assert client.post(url, data).status_code == 302
    assert Arrest.objects.get(case=case).charges == ["LSHTSE-15"]
    data["charges"] = ["NOT-A-LAW"]
    assert "charges" in client.post(url, data).context["form"].errors
    assert Arrest.objects.count() == 1


def test_record_a_proceeding(client: Any, officer: Any, case: Any, suspect: Any):
    court = Agency.objects.get(code="COURT-12")
    client.force_login(officer)
    url = reverse("registry:proceeding-add", args=[case.pk])
    assert client.get(url).status_code == 200
    data = {
        "defendant": suspect.person.pk,
        "court": court.pk,
        "charges": ["LSHTSE-15"],
        "filed_on": "2024-04-01",
        "stage": "trial",
        "verdict": "convicted",
        "verdict_on": "2024-03-01",
        "sentence_months": "84",
    }
    response = client.post(url, data)
    assert "verdict_on" in response.context["form"].errors
    assert not Proceeding.objects.exists()
    data["verdict_on"] = "2024-09-01"
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    assert "84 months" in page and "Convicted" in page


def test_forms_are_refused_to_other_agencies(client: Any, outsider: Any, case: Any, victim: Any):
    client.force_login(outsider)
    for name, args in [
        ("participant-add", [case.pk]),
        ("victim-profile", [case.pk, victim.pk]),
        ("event-add", [case.pk]),
        ("arrest-add", [case.pk]),
        ("proceeding-add", [case.pk]),
    ]:
        assert client.get(reverse(f"registry:{name}", args=args)).status_code == 404
        assert client.post(reverse(f"registry:{name}", args=args), {}).status_code == 404


def test_province_committee_sees_but_may_not_close(client: Any, make_member: Any, case: Any):
    """A user who may see the case but not close it gets 403 on the close page."""
    committee_officer = make_member("case_officer", "PCCT-12")  # sees cases in KH-12
    client.force_login(committee_officer)
    page = client.get(reverse("registry:case-detail", args=[case.pk]))
    assert page.status_code == 200
    assert reverse("registry:case-close", args=[case.pk]) not in page.content.decode()
    assert client.get(reverse("registry:case-close", args=[case.pk])).status_code == 403


def test_closed_case_takes_no_additions(client: Any, supervisor: Any, case: Any):
    services.case_close(
        actor=supervisor, case=case, closed_on=datetime.date(2024, 4, 1), reason="Done"
    )
    client.force_login(supervisor)
    response = client.post(reverse("registry:event-add", args=[case.pk]), {})
    assert response.status_code == 302
    assert not Event.objects.exists()


def test_citizenship_and_language_are_picked_by_name(client: Any, officer: Any, case: Any):
    client.force_login(officer)
    url = reverse("registry:participant-add", args=[case.pk])
    html = client.get(url).content.decode()
    assert '<option value="KHM">Cambodia</option>' in html
    assert '<option value="km">Khmer</option>' in html
    assert "ISO 3-letter" not in html
    client.post(url, new_person(**{"new-citizenships": ["KHM", "VNM"], "new-languages": ["km"]}))
    person = Participant.objects.get(case=case).person
    assert person.citizenships == ["KHM", "VNM"] and person.languages == ["km"]
    client.cookies.load({"django_language": "km"})
    assert '<option value="KHM">កម្ពុជា</option>' in client.get(url).content.decode()


def test_consent_without_a_date_is_refused(client: Any, officer: Any, case: Any):
    client.force_login(officer)
    client.post(reverse("registry:participant-add", args=[case.pk]), new_person())
    participant = Participant.objects.get(case=case)
    url = reverse("registry:victim-profile", args=[case.pk, participant.pk])
    data = {"trafficking_status": "ActualVictimOfTrafficking", "consent_to_share": "on"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "consent_recorded_on" in response.context["form"].errors
    assert not VictimProfile.objects.filter(participant=participant).exists()
    response = client.post(url, {**data, "consent_recorded_on": "2025-01-02"})
    assert response.status_code == 302


def test_search_results_have_no_role_chosen_for_the_user(client: Any, officer: Any, case: Any):
    services.person_create(actor=officer, registered_by=case.owning_agency, family_name_latin="Keo")
    client.force_login(officer)
    url = reverse("registry:participant-add", args=[case.pk])
    html = client.get(url, {"name": "Keo"}).content.decode()
    select = html.split('name="pick-role"', 1)[1].split("</select>", 1)[0]
    assert select.split("<option", 2)[1].startswith(' value="">')  # no default role
    refused = client.post(url, {"pick-person": "1", "pick-role": ""})
    assert refused.status_code == 200


def test_case_form_can_go_straight_on_to_adding_a_person(client: Any, officer: Any):
    client.force_login(officer)
    from ctip.reference.models import Province

    response = client.post(
        reverse("registry:case-create"),
        {
            "kind": "trafficking",
            "source": "hotline",
            "owning_agency": officer.memberships.first().agency_id,
            "province": Province.objects.get(code="KH-12").pk,
            "opened_on": "2025-03-01",
            "status": "active",
            "then": "add-person",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("/persons/add/")


def test_card_and_search_give_the_same_birth_year(client: Any, officer: Any, case: Any):
    # An age estimated years ago is a year of birth today: the card and the search agree.
    client.force_login(officer)
    client.post(reverse("registry:participant-add", args=[case.pk]), new_person())
    person = Participant.objects.get(case=case).person
    card = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    found = client.get(reverse("registry:person-search"), {"name": "Keo Srey Mom"})
    assert f"born about {person.birth_year}" in card and "years old" not in card
    assert f"about {person.birth_year}" in found.content.decode()


def test_the_victim_profile_page_reads_the_participant_through_the_selector(
    client: Any, officer: Any, case: Any, victim: Any
):
    """The page's read of a victim is audited like any other; under another case's address
    the same participant is not found and nothing changes."""
    client.force_login(officer)
    url = reverse("registry:victim-profile", args=[case.pk, victim.pk])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action="view", object_type="registry.participant", object_id=str(victim.pk)
    ).exists()
    other = make_case(officer)
    elsewhere = reverse("registry:victim-profile", args=[other.pk, victim.pk])
    assert client.get(elsewhere).status_code == 404
    response = client.post(elsewhere, {"trafficking_status": "PossibleVictimOfTrafficking"})
    assert response.status_code == 404
    victim.victim_profile.refresh_from_db()
    assert victim.victim_profile.trafficking_status == "ActualVictimOfTrafficking"


def test_a_refused_registration_from_the_case_page_is_audited(
    client: Any, make_member: Any, officer: Any, case: Any
):
    """A supervisor of the owning agency's parent may change the case but not register persons
    for that agency: the page answers 403, nothing is written, and the refusal stays audited
    (a plain transaction around the services would roll the audit row back with the rest)."""
    owner = case.owning_agency
    parent = Agency.objects.get(code="GCNP")
    owner.parent = parent
    owner.save()
    supervisor = make_member("supervisor", parent.code)
    client.force_login(supervisor)
    url = reverse("registry:participant-add", args=[case.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, new_person()).status_code == 403
    assert not Participant.objects.filter(case=case).exists()
    assert AuditEvent.objects.filter(
        actor_id=supervisor.pk, action="denied", object_type="registry.person"
    ).exists()
