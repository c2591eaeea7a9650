"""A person's aliases stay a list (#14): validation once turned the list into its text,
"['Boss Dara']", before encryption. Saved values, old stored ones and the migration."""

import importlib
import json

import pytest
from django.apps import apps as django_apps
from django.db import connection

from ctip.access.models import Agency, Membership, User
from ctip.registry import services
from ctip.registry.crypto import decrypt, encrypt
from ctip.registry.fields import legacy_json_value
from ctip.registry.models import Person

pytestmark = pytest.mark.django_db


def _officer() -> User:
    officer, _ = User.objects.get_or_create(username="alias-officer")
    Membership.objects.get_or_create(
        user=officer, agency=Agency.objects.get(code="PAHT-12"), role="case_officer"
    )
    return officer


def _stored(pk: int) -> object:
    """What the column holds, decrypted, past the field's reading."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT aliases FROM registry_person WHERE id = %s", [pk])
        token = cursor.fetchone()[0]
    return json.loads(decrypt(token)) if token else []


def test_aliases_saved_through_the_services_stay_a_list() -> None:
    officer = _officer()
    person = services.person_create(
        actor=officer,
        registered_by=Agency.objects.get(code="PAHT-12"),
        given_name_latin="Dara",
        aliases=["Boss Dara", "ដារា"],
    )
    assert person.aliases == ["Boss Dara", "ដារា"]
    assert _stored(person.pk) == ["Boss Dara", "ដារា"]
    assert Person.objects.get(pk=person.pk).aliases == ["Boss Dara", "ដារា"]
    services.person_update(actor=officer, person=person, aliases=["Big Brother"])
    assert _stored(person.pk) == ["Big Brother"]
    assert Person.objects.get(pk=person.pk).aliases == ["Big Brother"]


def test_the_api_returns_a_list() -> None:
    from rest_framework.test import APIClient

    officer = _officer()
    client = APIClient()
    client.force_authenticate(officer)
    made = client.post(
        "/api/v1/persons/", {"given_name_latin": "Dara", "aliases": ["Boss Dara"]}, format="json"
    )
    assert made.status_code == 201, made.content
    assert client.get(f"/api/v1/persons/{made.json()['id']}/").json()["aliases"] == ["Boss Dara"]


def _store_as_before(person: Person, text: str) -> None:
    """Write the value as the old code did: the list's Python text, JSON-encoded, encrypted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registry_person SET aliases = %s WHERE id = %s",
            [encrypt(json.dumps(text)), person.pk],
        )


def test_values_stored_before_the_fix_read_as_lists_and_the_migration_rewrites_them() -> None:
    officer = _officer()
    old = services.person_create(actor=officer, given_name_latin="Dara", aliases=["x"])
    plain = services.person_create(actor=officer, given_name_latin="Sokha", aliases=["Kha"])
    _store_as_before(old, "['Boss Dara', \"Ma'Dara\"]")
    assert _stored(old.pk) == "['Boss Dara', \"Ma'Dara\"]"
    assert Person.objects.get(pk=old.pk).aliases == ["Boss Dara", "Ma'Dara"]
    migration = importlib.import_module("ctip.registry.migrations.0012_aliases_stored_as_lists")
    migration.rewrite(django_apps, None)
    assert _stored(old.pk) == ["Boss Dara", "Ma'Dara"]
    assert _stored(plain.pk) == ["Kha"]


def test_only_literals_are_read_back() -> None:
    assert legacy_json_value("['a', 'b']") == ["a", "b"]
    assert legacy_json_value('{"phone": "1"}') == {"phone": "1"}
    assert legacy_json_value("Boss Dara") == "Boss Dara"
    assert legacy_json_value("[__import__('os').system('x')]") == ("[__import__('os').system('x')]")
