"""The person services refuse actors who may not change the person, whatever calls them."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from ctip.access.models import Agency
from ctip.registry import services
from ctip.registry.models import Person


@pytest.fixture
def person(make_member: Any) -> Person:
    officer = make_member("case_officer", "PAHT-12")
    return services.person_create(
        actor=officer,
        registered_by=Agency.objects.get(code="PAHT-12"),
        given_name_latin="Sokha",
        sex="female",
    )


def test_person_update_refuses_an_agency_that_cannot_see_the_person(
    make_member: Any, person: Person
) -> None:
    outsider = make_member("case_officer", "PAHT-1")
    with pytest.raises(PermissionDenied):
        services.person_update(actor=outsider, person=person, sex="male")
    person.refresh_from_db()
    assert person.sex == "female"


def test_document_add_refuses_an_agency_that_cannot_see_the_person(
    make_member: Any, person: Person
) -> None:
    outsider = make_member("case_officer", "PAHT-1")
    with pytest.raises(PermissionDenied):
        services.document_add(actor=outsider, person=person, kind="passport", number="N123")
    assert not person.documents.exists()


def test_person_create_refuses_registering_for_another_agency(make_member: Any) -> None:
    officer = make_member("case_officer", "PAHT-12")
    with pytest.raises(PermissionDenied):
        services.person_create(
            actor=officer, registered_by=Agency.objects.get(code="AHTJP"), given_name_latin="Dara"
        )
    assert not Person.objects.exists()
