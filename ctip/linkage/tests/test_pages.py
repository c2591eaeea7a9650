"""The linkage pages and what they add to the registry's: registration check, identity
section, review queue, unmerge; from the officer's, the reviewer's and the outsider's side."""

import datetime
from typing import Any

import pytest
from django.urls import reverse

from ctip.linkage import services
from ctip.linkage.models import Candidate, IdentityMember, Link
from ctip.registry.models import Person
from ctip.registry.tests.helpers import new_case

from .conftest import register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("trained")]


@pytest.fixture
def linked(police: Any, other_police: Any) -> tuple[Person, Person]:
    first = register(police, "PAHT-12", "KH-12")
    second = register(
        other_police,
        "PAHT-1",
        "KH-1",
        given_name_latin="Sokhar",
        family_name_km="",
        given_name_km="",
    )
    services.linkage_run()
    assert IdentityMember.objects.count() == 2
    return first, second


def _registration(client: Any, case: Any, **extra: str) -> Any:
    data = {
        "new-role": "victim",
        "new-family_name_latin": "Chan",
        "new-given_name_latin": "Sokha",
        "new-sex": "female",
        "new-date_of_birth": "2008-05-17",
        "new-citizenships": "KHM",
    }
    data.update(extra)
    return client.post(reverse("registry:participant-add", args=[case.pk]), data)


def test_registration_shows_a_visible_match_and_waits(
    client: Any, police: Any, linked: Any
) -> None:
    first, second = linked
    case = first.participations.get().case
    client.force_login(police)
    before = Person.objects.count()
    response = _registration(client, case)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This person may already be registered" in body
    assert f'href="/persons/{first.pk}/"' in body
    assert "Date of birth</strong>: the same date" in body
    # The second record is PAHT-1's, which PAHT-12 may not see: counted, not described.
    assert f"/persons/{second.pk}/" not in body
    assert "A likely match is recorded by an agency whose records you may not see" in body
    assert "Sokhar" not in body
    assert Person.objects.count() == before
    # Confirming registers the new person after all.
    response = _registration(client, case, **{"new-confirm": "1"})
    assert response.status_code == 302
    assert Person.objects.count() == before + 1


def test_registration_lists_a_possible_match_below_the_likely_threshold(
    client: Any, police: Any, other_police: Any
) -> None:
    """Same names and nothing else in common: the officer sees the record marked "possible"
    with the evidence; a record of the same names they may not see is not counted."""
    undated = {"date_of_birth": None, "family_name_km": "", "given_name_km": ""}
    first = register(police, "PAHT-12", "KH-12", **undated)
    register(other_police, "PAHT-1", "KH-3", **undated)
    services.linkage_run()
    # In a third province: the same one would be evidence enough for a likely match.
    case = new_case(police, province_code="KH-1")
    client.force_login(police)
    response = _registration(client, case, **{"new-date_of_birth": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="pick-match-{first.pk}"' in body
    assert 'class="possible-label">possible</span>' in body
    assert "Those marked “possible” agree on little more than names" in body
    assert "Family name</strong>: the same" in body
    assert "may not see" not in body
    # In Khmer too.
    data = {
        "new-role": "victim",
        "new-family_name_latin": "Chan",
        "new-given_name_latin": "Sokha",
        "new-sex": "female",
        "new-citizenships": "KHM",
    }
    url = reverse("registry:participant-add", args=[case.pk])
    body = client.post(url, data, HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert 'class="possible-label">អាចជា</span>' in body


def test_registration_pick_adds_the_existing_person(client: Any, police: Any, linked: Any) -> None:
    first, _second = linked
    case = register_case_only(police)
    client.force_login(police)
    response = _registration(client, case)
    assert f'id="pick-match-{first.pk}"' in response.content.decode()
    response = client.post(
        reverse("registry:participant-add", args=[case.pk]),
        {"pick-person": first.pk, "pick-role": "victim", "pick-notes": ""},
    )
    assert response.status_code == 302
    assert first.participations.filter(case=case).exists()


def register_case_only(actor: Any) -> Any:
    from ctip.registry.tests.helpers import new_case

    return new_case(actor, opened_on=datetime.date(2024, 4, 1))


def test_no_match_no_notice(client: Any, police: Any, linked: Any) -> None:
    case = register_case_only(police)
    client.force_login(police)
    response = _registration(
        client,
        case,
        **{
            "new-family_name_latin": "Ouk",
            "new-given_name_latin": "Dara",
            "new-sex": "male",
            "new-date_of_birth": "1970-01-02",
        },
    )
    assert response.status_code == 302


def test_person_page_shows_the_identity_as_the_viewer_may_see_it(
    client: Any, police: Any, linked: Any, make_member: Any
) -> None:
    first, second = linked
    client.force_login(police)
    body = client.get(reverse("registry:person-detail", args=[first.pk])).content.decode()
    assert "Also recorded as" in body
    assert (
        "One more record of this person is held by an agency whose records you may not see." in body
    )
    assert f"/persons/{second.pk}/" not in body
    # Someone who may see both records sees both, and no hidden count.
    from ctip.access.models import User

    admin = User.objects.create_superuser(username="root", password="a-long-test-password")
    client.force_login(admin)
    body = client.get(reverse("registry:person-detail", args=[second.pk])).content.decode()
    assert f'href="/persons/{first.pk}/"' in body
    assert "may not see" not in body


def test_person_page_masks_the_identitys_other_records_for_an_ngo_partner(
    client: Any, police: Any, linked: Any, make_member: Any
) -> None:
    """An NGO partner who sees both records of an identity gets the other one's name masked,
    as on every other page (no identity clearance without a reveal)."""
    from ctip.access.masking import MASK
    from ctip.access.models import User
    from ctip.registry import services as registry

    first, second = linked
    root = User.objects.create_superuser(username="root", password="a-long-test-password")
    # The other agency's record takes part in the partner's agency's case too.
    registry.participant_add(
        actor=root, case=first.participations.get().case, person=second, role="witness"
    )
    partner = make_member("ngo_partner", "PAHT-12")
    client.force_login(partner)
    body = client.get(reverse("registry:person-detail", args=[first.pk])).content.decode()
    section = body[body.index('id="identity-heading"') :]
    assert f'href="/persons/{second.pk}/"' in section
    assert "Sokhar" not in body
    assert MASK in section


def test_queue_and_decision_pages(client: Any, reviewer: Any, police: Any, linked: Any) -> None:
    first, _second = linked
    other = register(
        police,
        "PAHT-12",
        "KH-12",
        given_name_latin="Sokun",
        date_of_birth=datetime.date(2008, 5, 18),
    )
    a, b = sorted([first.pk, other.pk])
    candidate = Candidate.objects.create(
        person_a_id=a,
        person_b_id=b,
        probability=0.8,
        pattern={"given": "close spelling", "birth": "different"},
        fingerprint=services.pair_fingerprint(a, b),
    )
    client.force_login(police)
    assert client.get(reverse("linkage:queue")).status_code == 403
    assert client.get(reverse("linkage:pair", args=[candidate.pk])).status_code == 404
    client.force_login(reviewer)
    body = client.get(reverse("linkage:queue")).content.decode()
    assert "1 pair waiting" in body
    body = client.get(reverse("linkage:pair", args=[candidate.pk])).content.decode()
    assert "Sokun" in body and "Date of birth</strong>: different" in body
    response = client.post(
        reverse("linkage:pair", args=[candidate.pk]),
        {"decision": "different", "fingerprint": candidate.fingerprint},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.decision == "different"


def test_stale_decision_is_refused_on_the_page(
    client: Any, reviewer: Any, police: Any, linked: Any
) -> None:
    first, _second = linked
    other = register(police, "PAHT-12", "KH-12", given_name_latin="Sokun")
    a, b = sorted([first.pk, other.pk])
    candidate = Candidate.objects.create(
        person_a_id=a, person_b_id=b, probability=0.8, fingerprint="0" * 64
    )
    client.force_login(reviewer)
    response = client.post(
        reverse("linkage:pair", args=[candidate.pk]), {"decision": "same", "fingerprint": "0" * 64}
    )
    assert response.status_code == 200
    assert "changed after the pair was scored" in response.content.decode()
    assert not Link.objects.filter(person_a_id=a, person_b_id=b).exists()


def test_unmerge_page(client: Any, reviewer: Any, police: Any, linked: Any) -> None:
    first, second = linked
    identity = IdentityMember.objects.get(person=first).identity_id
    client.force_login(police)
    assert client.get(reverse("linkage:identity", args=[identity])).status_code == 404
    assert (
        client.post(reverse("linkage:unmerge", args=[first.pk]), {"reason": "x"}).status_code == 404
    )
    client.force_login(reviewer)
    body = client.get(reverse("linkage:identity", args=[identity])).content.decode()
    assert "Sokhar" in body
    response = client.post(reverse("linkage:unmerge", args=[second.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(reverse("linkage:unmerge", args=[second.pk]), {"reason": "Twins"})
    assert response.status_code == 302
    assert not IdentityMember.objects.exists()
