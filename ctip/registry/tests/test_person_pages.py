"""Finding persons by name in either script, birth date, age or document, and their page."""

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def found(client: Any, **query: str) -> list[Any]:
    response = client.get(reverse("registry:person-search"), query)
    assert response.status_code == 200
    return response.context["results"]


@pytest.mark.parametrize("name", ["Chan Sokha", "Sokhar Chan", "sokha", "ចាន់ សុខា", "សុខា"])
def test_find_by_name_in_either_script(client: Any, officer: Any, victim: Any, name: str):
    client.force_login(officer)
    assert victim.person in found(client, name=name)


def test_find_by_age_birth_date_and_document(client: Any, officer: Any, victim: Any, suspect: Any):
    client.force_login(officer)
    assert victim.person in found(client, age="17")
    assert suspect.person not in found(client, age="17")
    assert found(client, date_of_birth="1985-06-01") == [suspect.person]
    assert found(client, document_number="0101 2345 67") == [suspect.person]


@pytest.mark.parametrize(
    ("field", "value"), [("age", "121"), ("age", "-3"), ("date_of_birth", "2999-12-31")]
)
def test_search_refuses_bad_input(client: Any, officer: Any, field: str, value: str):
    client.force_login(officer)
    response = client.get(reverse("registry:person-search"), {field: value})
    assert field in response.context["form"].errors
    assert response.context["results"] == []


def test_other_agencies_do_not_find_the_person(client: Any, outsider: Any, victim: Any):
    client.force_login(outsider)
    assert found(client, name="Chan Sokha") == []
    url = reverse("registry:person-detail", args=[victim.person.pk])
    assert client.get(url).status_code == 404


def test_person_page_lists_cases(client: Any, officer: Any, case: Any, suspect: Any):
    client.force_login(officer)
    response = client.get(reverse("registry:person-detail", args=[suspect.person.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert case.reference in html and "Suspect" in html and "0101-2345-67" in html
