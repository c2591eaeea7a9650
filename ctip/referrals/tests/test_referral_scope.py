"""What a referral opens to the receiving agency (issue #11 item 4, issue #14 items 1 and 2):
the referred victim's part of the case, to read; never the right to change the owner's case
or to pass it on; and only the referred victim's consent is asked for."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.referrals import services
from ctip.registry import selectors as registry
from ctip.registry.models import CaseShare
from ctip.registry.services import (
    arrest_add,
    case_share,
    case_update,
    participant_add,
    person_create,
    victim_profile_save,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_victim(police: Any, victim: Any) -> Any:
    """Another victim in the same case, who has not consented to sharing their identity."""
    person = person_create(actor=police, given_name_latin="Bopha", family_name_latin="Keo")
    participant = participant_add(actor=police, case=victim.case, person=person, role="victim")
    victim_profile_save(
        actor=police,
        participant=participant,
        trafficking_status="ActualVictimOfTrafficking",
        consent_to_share=False,
    )
    participant.refresh_from_db()
    return participant


def _send(actor: Any, participant: Any, **kwargs: Any) -> Any:
    kwargs.setdefault("to_agency", "DOSVY-12")
    kwargs.setdefault("service", "shelter")
    return services.referral_send(actor=actor, participant=participant, **kwargs)


def test_only_the_referred_victims_consent_is_asked(
    police: Any, victim: Any, second_victim: Any
) -> None:
    """#14.2: a consenting victim's referral is not blocked by another victim's refusal."""
    referral = _send(police, victim, shares_identity=False)
    assert referral.status == "sent"
    share = CaseShare.objects.get(case=victim.case, agency__code="DOSVY-12")
    assert share.reason == "referral"
    assert list(share.participants.all()) == [victim]


def test_a_refusal_names_the_victim_without_consent(
    police: Any, victim: Any, second_victim: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        _send(police, second_victim, to_agency="MOH", service="medical_care")
    message = " ".join(refused.value.message_dict["case"])
    assert "Keo Bopha" in message and f"person {second_victim.person_id}" in message
    assert "Sophea" not in message
    with pytest.raises(ValidationError) as refused:
        _send(police, second_victim, to_agency="MOH", service="medical_care", shares_identity=True)
    assert "Keo Bopha" in " ".join(refused.value.message_dict["shares_identity"])


def test_the_receiver_reads_the_referred_victims_part_only(
    police: Any, social: Any, victim: Any, second_victim: Any
) -> None:
    suspect = person_create(actor=police, given_name_latin="Vannak")
    participant_add(actor=police, case=victim.case, person=suspect, role="suspect")
    arrest_add(
        actor=police,
        case=victim.case,
        person=suspect,
        arrested_on=datetime.date.today(),
        agency=Agency.objects.get(code="PAHT-12"),
    )
    _send(police, victim)
    case = registry.case_get(actor=social, pk=victim.case_id)
    file = registry.case_file(actor=social, case=case)
    assert [p.pk for p in file.participants] == [victim.pk]
    assert file.arrests == [] and file.proceedings == []
    assert registry.person_get(actor=social, pk=victim.person_id)
    for hidden in (second_victim.person_id, suspect.pk):
        with pytest.raises(Exception, match="No such person"):
            registry.person_get(actor=social, pk=hidden)
    with pytest.raises(Exception, match="No such participant"):
        registry.participant_get(actor=social, pk=second_victim.pk)
    # Nor through search: the other victim's name finds nothing for the receiver.
    found = registry.person_search(actor=social, query=registry.PersonQuery(name="Bopha Keo"))
    assert found == []


def test_the_receiver_changes_nothing_of_the_owners_case(
    police: Any, social: Any, victim: Any
) -> None:
    """#14.1: no Edit case, Add a person, Record an arrest or proceeding, Edit victim profile
    for the receiving agency, on the page or through the services and API."""
    _send(police, victim)
    case = registry.case_get(actor=social, pk=victim.case_id)
    with pytest.raises(PermissionDenied):
        case_update(actor=social, case=case, summary="Changed by the receiver")
    client = Client()
    client.force_login(social)
    page = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    for button in (
        "Edit case",
        "Add a person",
        "Record an arrest",
        "Record a proceeding",
        "Edit victim profile",
        "Add an event",
    ):
        assert button not in page, button
    assert client.get(reverse("registry:case-edit", args=[case.pk])).status_code == 403
    api = APIClient()
    api.force_authenticate(social)
    assert (
        api.patch(f"/api/v1/cases/{case.pk}/", {"summary": "x"}, format="json").status_code == 403
    )
    profile = victim.victim_profile.pk
    changed = api.patch(f"/api/v1/victim-profiles/{profile}/", {"testimony": "x"}, format="json")
    assert changed.status_code == 403
    # What the receiver does do: its side of the referral.
    referral = services.referral_accept(actor=social, referral=case.referrals.get())
    assert referral.status == "accepted"


@pytest.mark.parametrize("received_by", ["referral", "shared"])
def test_a_receiving_agency_cannot_pass_the_case_on(
    police: Any, social: Any, victim: Any, received_by: str
) -> None:
    """#11.4: as a direct share is refused to it, so is a referral to a third agency."""
    if received_by == "referral":
        _send(police, victim)
    else:
        case_share(actor=police, case=victim.case, agency=Agency.objects.get(code="DOSVY-12"))
    with pytest.raises(PermissionDenied):
        _send(social, victim, to_agency="MOH", service="medical_care")
    assert not CaseShare.objects.filter(case=victim.case, agency__code="MOH").exists()
    denial = AuditEvent.objects.filter(action="denied", actor_username="social").latest("sequence")
    assert denial.detail["wanted"] == "referral_send"
    api = APIClient()
    api.force_authenticate(social)
    response = api.post(
        "/api/v1/referrals/",
        {"participant": victim.pk, "to_agency": "MOH", "service": "medical_care"},
        format="json",
    )
    assert response.status_code == 403
    client = Client()
    client.force_login(social)
    assert client.get(reverse("referrals:send", args=[victim.pk])).status_code == 403


def test_one_who_may_not_refer_is_refused_before_any_check_that_would_tell_something(
    police: Any, social: Any, victim: Any
) -> None:
    """The receiver asks for a referral the owner already sent, without consent to identity:
    the answer is the same refusal, not "already has an open referral" or a consent error."""
    _send(police, victim)
    victim_profile_save(actor=police, participant=victim, consent_to_share=False)
    with pytest.raises(PermissionDenied):
        _send(social, victim, to_agency="DOSVY-12", shares_identity=True)
    api = APIClient()
    api.force_authenticate(social)
    response = api.post(
        "/api/v1/referrals/",
        {"participant": victim.pk, "to_agency": "DOSVY-12", "service": "shelter"},
        format="json",
    )
    assert response.status_code == 403, response.json()


def test_sharing_outright_after_a_referral_opens_the_whole_case(
    police: Any, social: Any, victim: Any, second_victim: Any
) -> None:
    victim_profile_save(actor=police, participant=second_victim, consent_to_share=True)
    _send(police, victim)
    case_share(actor=police, case=victim.case, agency=Agency.objects.get(code="DOSVY-12"))
    assert CaseShare.objects.get(case=victim.case, agency__code="DOSVY-12").reason == "shared"
    assert registry.person_get(actor=social, pk=second_victim.person_id)


def test_an_ngo_receiving_a_shared_identity_reads_it_without_a_reveal(
    police: Any, victim: Any, make_member: Any
) -> None:
    """#14.4: an NGO partner sees the victims referred to it with their identity (consented)
    without revealing each one; not those referred without it, and not after a decline."""
    from ctip.access.masking import MASK, forget_reveals

    ngo = make_member("ngo_partner", "NGO-CWCC", username="ngo")
    client = APIClient()
    client.force_authenticate(ngo)
    referral = _send(police, victim, to_agency="NGO-CWCC", service="legal_aid")
    person_url = f"/api/v1/persons/{victim.person_id}/"
    assert client.get(person_url).json()["given_name_latin"] == MASK  # identity not shared
    services.referral_close(actor=police, referral=referral, reason="Sent again, with identity")
    shared = _send(police, victim, to_agency="NGO-CWCC", service="legal_aid", shares_identity=True)
    forget_reveals(ngo)  # the test client reuses one user object, which caches grants
    assert client.get(person_url).json()["given_name_latin"] == "Sophea"
    page = Client()
    page.force_login(ngo)
    html = page.get(reverse("registry:case-detail", args=[victim.case_id])).content.decode()
    assert "Sophea" in html
    services.referral_decline(actor=ngo, referral=shared, reason="No lawyer free this month")
    forget_reveals(ngo)
    assert client.get(person_url).json()["given_name_latin"] == MASK
