"""Person search tried from the attacker's side (issue #11, item 3): an NGO partner who sees a
victim as ••• must not learn their name, Khmer name, date or year of birth by searching;
searches are counted, limited and audited."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from ctip.access.masking import MASK
from ctip.access.models import Agency, Membership
from ctip.access.services import identity_reveal
from ctip.audit.models import AuditEvent
from ctip.audit.selectors import audit_event_list
from ctip.registry import services
from ctip.registry.search_limits import TooManySearches
from ctip.registry.selectors import PersonQuery, person_search

pytestmark = pytest.mark.django_db
BORN = datetime.date(2009, 4, 17)


@pytest.fixture
def masked_victim(officer: Any, case: Any) -> Any:
    """A victim with an exact date of birth, in a case shared with an NGO."""
    person = services.person_create(
        actor=officer,
        registered_by=case.owning_agency,
        family_name_latin="Chan",
        given_name_latin="Sokha",
        family_name_km="ចាន់",
        given_name_km="សុខា",
        sex="female",
        date_of_birth=BORN,
    )
    participant = services.participant_add(actor=officer, case=case, person=person, role="victim")
    services.victim_profile_save(
        actor=officer,
        participant=participant,
        trafficking_status="ActualVictimOfTrafficking",
        consent_to_share=True,
    )
    services.case_share(actor=officer, case=case, agency=Agency.objects.get(code="NGO-CWCC"))
    return person


@pytest.fixture
def ngo(make_member: Any) -> Any:
    return make_member("ngo_partner", "NGO-CWCC", username="ngo")


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


PROBES: list[dict[str, Any]] = [
    {"name": "Sokha Chan"},
    {"name": "សុខា ចាន់"},
    {"date_of_birth": BORN},
    {"age": datetime.date.today().year - BORN.year, "age_tolerance": 0},
    {"name": "Sokha", "date_of_birth": BORN},
]


def test_the_owner_finds_the_person_by_each_probe(officer: Any, masked_victim: Any) -> None:
    """The probes work for whoever reads the identity: the tests below mean something."""
    for probe in PROBES:
        assert person_search(actor=officer, query=PersonQuery(**probe)) == [masked_victim], probe
    page = Client()
    page.force_login(officer)
    html = page.get(reverse("registry:person-search"), {"name": "Sokha Chan"}).content.decode()
    assert f'href="/persons/{masked_victim.pk}/"' in html


def test_an_ngo_partner_learns_nothing_of_a_masked_person_by_searching(
    ngo: Any, masked_victim: Any
) -> None:
    # The partner does see the person, masked, on the person's page and in the API.
    shown = _api(ngo).get(f"/api/v1/persons/{masked_victim.pk}/").json()
    assert shown["given_name_latin"] == MASK and shown["date_of_birth"] == MASK
    assert shown["birth_year"] == MASK  # the year of a masked date of birth is masked too
    for probe in PROBES:
        assert person_search(actor=ngo, query=PersonQuery(**probe)) == [], probe
    # Probing dates one by one (the attack that recovered an exact date) finds nothing.
    for offset in range(-3, 4):
        day = BORN + datetime.timedelta(days=offset)
        found = _api(ngo).get("/api/v1/persons/", {"date_of_birth": day.isoformat()}).json()
        assert found["count"] == 0 and found["results"] == []
    page = Client()
    page.force_login(ngo)
    html = page.get(reverse("registry:person-search"), {"name": "Sokha Chan"}).content.decode()
    assert f'href="/persons/{masked_victim.pk}/"' not in html and "2009" not in html
    assert AuditEvent.objects.filter(actor_username="ngo", action="search").exists()


def test_a_revealed_person_is_found_by_the_partner_who_revealed_them(
    ngo: Any, masked_victim: Any
) -> None:
    identity_reveal(
        actor=ngo,
        obj=masked_victim,
        reason="Shelter intake needs the full name",
        password="a-long-test-password",
    )
    assert person_search(actor=ngo, query=PersonQuery(name="Sokha Chan")) == [masked_victim]


def test_searches_are_rate_limited_and_the_refusal_audited(
    officer: Any, masked_victim: Any, settings: Any
) -> None:
    settings.CTIP_SEARCH_RATE_PER_MINUTE = 3
    for _ in range(3):
        assert person_search(actor=officer, query=PersonQuery(name="Sokha")) == [masked_victim]
    with pytest.raises(TooManySearches):
        person_search(actor=officer, query=PersonQuery(name="Sokha"))
    refused = _api(officer).get("/api/v1/persons/", {"name": "Sokha"})
    assert refused.status_code == 429 and "Too many searches" in refused.json()["detail"]
    page = Client()
    page.force_login(officer)
    html = page.get(reverse("registry:person-search"), {"name": "Sokha"}).content.decode()
    assert "Too many searches" in html and f'href="/persons/{masked_victim.pk}/"' not in html
    denials = AuditEvent.objects.filter(action="denied", detail__wanted="search")
    assert denials.count() == 3 and AuditEvent.objects.filter(action="search").count() == 3


def test_only_person_searches_use_up_the_allowance(
    officer: Any, masked_victim: Any, settings: Any
) -> None:
    """An auditor who is also a case officer reads the trail (each read is audited as a
    search); that must not count against their person searches."""
    Membership.objects.create(user=officer, agency=Agency.objects.get(code="NCCT"), role="auditor")
    officer = type(officer).objects.get(pk=officer.pk)  # the roles are cached on the user
    settings.CTIP_SEARCH_RATE_PER_MINUTE = 3
    for _ in range(3):
        audit_event_list(actor=officer)
    assert AuditEvent.objects.filter(action="search", object_type="audit.auditevent").count() == 3
    assert person_search(actor=officer, query=PersonQuery(name="Sokha")) == [masked_victim]
