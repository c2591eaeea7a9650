"""Field masking on every surface: pages, API, exports, audit diffs; and revealing, audited."""

import csv
import io
import json

import openpyxl
import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from ctip.access.masking import (
    MASK,
    SENSITIVE_FIELDS,
    MaskedFieldsMixin,
    clearances,
    mask_rows,
    register_sensitive,
)
from ctip.access.services import identity_reveal
from ctip.access.testing import current_code, otp_device, verified_login
from ctip.audit.models import AuditEvent
from ctip.registry import services
from ctip.registry.fields import EncryptedTextField
from ctip.registry.models import Person

from .world import PASSWORD, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def _page(actor, person) -> str:
    request = RequestFactory().get("/")
    request.user = actor
    template = Template(
        '{% load masking %}<p>{% masked person "display_name" %}</p>'
        '<p>{% masked person "phone" %}</p><p>{% masked person "sex" %}</p>'
    )
    return template.render(Context({"request": request, "person": person}))


class PersonSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    name = serializers.CharField(source="given_name_latin")

    class Meta:
        model = Person
        fields = ["id", "name", "family_name_latin", "phone", "date_of_birth", "sex"]


def _api(actor, person) -> dict:
    request = RequestFactory().get("/api/")
    request.user = actor
    data = PersonSerializer(person, context={"request": request}).data
    return json.loads(JSONRenderer().render(data))


def _export(actor, people) -> tuple[str, list[list]]:
    rows = list(
        mask_rows(
            actor,
            Person,
            (
                {"id": p.pk, "given_name_latin": p.given_name_latin, "phone": p.phone, "sex": p.sex}
                for p in people
            ),
        )
    )
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    saved = io.BytesIO()
    book.save(saved)
    sheet = openpyxl.load_workbook(io.BytesIO(saved.getvalue())).active
    return text.getvalue(), [[c.value for c in r] for r in sheet.iter_rows()]


def test_cleared_role_reads_identity_everywhere(world):
    officer = world.actors["case_officer"]
    person = world.victim("case_officer", "own")
    assert person.given_name_latin in _page(officer, person)
    assert _api(officer, person)["name"] == person.given_name_latin
    text, sheet = _export(officer, [person])
    assert person.phone in text and sheet[1][2] == person.phone


@pytest.mark.parametrize("role", ["analyst", "auditor", "administrator", "ngo_partner"])
def test_roles_without_clearance_see_masks_everywhere(world, role):
    actor = world.actors[role]
    person = world.victim("case_officer", "own")
    html = _page(actor, person)
    assert person.given_name_latin not in html and person.phone not in html
    assert html.count(MASK) == 2 and ">female<" not in html  # sex is not sensitive: shown
    data = _api(actor, person)
    assert data["name"] == data["phone"] == data["date_of_birth"] == MASK
    assert data["family_name_latin"] == MASK and data["sex"] == person.sex
    text, sheet = _export(actor, [person])
    assert person.phone not in text and person.given_name_latin not in text
    assert sheet[1][1:3] == [MASK, MASK] and sheet[1][0] == person.pk


def test_audit_diffs_never_hold_sensitive_values(world):
    person = world.victim("case_officer", "own")
    services.person_update(
        actor=world.root, person=person, phone="+855 99 111 222", gender="", estimated_age=23
    )
    event = AuditEvent.objects.filter(action="update", object_id=str(person.pk)).last()
    assert event.changes["phone"] == [MASK, MASK]
    assert event.changes["estimated_age"] == [None, 23]
    everything = json.dumps(
        list(AuditEvent.objects.values("changes", "detail")), ensure_ascii=False
    )
    assert "+855 99 111 222" not in everything and person.given_name_latin not in everything
    assert "Testimony" not in everything


def test_every_registered_model_field_is_encrypted_at_rest():
    from django.apps import apps

    for label, fields in SENSITIVE_FIELDS.items():
        model = apps.get_model(label)
        concrete = {f.name: f for f in model._meta.concrete_fields}
        for name in fields:
            if name in concrete:
                assert isinstance(concrete[name], EncryptedTextField), f"{label}.{name}"


def test_register_sensitive_refuses_unknown_levels():
    with pytest.raises(ValueError):
        register_sensitive("registry.person", {"nickname": "secret"})


def test_supervisors_and_superusers_are_cleared_for_everything(world):
    assert (
        clearances(world.root)
        == clearances(world.actors["supervisor"])
        == {
            "identity",
            "health",
            "testimony",
        }
    )
    assert clearances(world.actors["analyst"]) == frozenset()


def test_reveal_needs_permission_reason_and_reauthentication(world, client):
    ngo = world.actors["ngo_partner"]
    person = world.victim("ngo_partner", "referred")
    url = reverse("access:reveal", args=["registry.person", person.pk])
    verified_login(client, ngo)
    assert client.get(url).status_code == 200

    no_reason = client.post(url, {"reason": "need", "password": PASSWORD})
    wrong_password = client.post(url, {"reason": "Arranging shelter intake", "password": "nope"})
    assert no_reason.status_code == wrong_password.status_code == 200
    assert person.given_name_latin not in _page(ngo, person)
    denied = AuditEvent.objects.filter(action="denied", actor_username=ngo.username)
    assert denied.count() == 2

    done = client.post(url, {"reason": "Arranging shelter intake", "password": PASSWORD})
    assert done.status_code == 302
    ngo = type(ngo).objects.get(pk=ngo.pk)  # a fresh request: nothing cached
    assert person.given_name_latin in _page(ngo, person)
    assert _api(ngo, person)["phone"] == person.phone
    other = world.victim("ngo_partner", "shared")
    assert other.given_name_latin not in _page(ngo, other)  # only the record revealed
    event = AuditEvent.objects.filter(action="reveal").last()
    assert event.actor_username == ngo.username and event.object_id == str(person.pk)
    assert event.detail["reason"] == "Arranging shelter intake"


def test_reveal_accepts_a_current_code_instead_of_the_password(world):
    ngo = world.actors["ngo_partner"]
    person = world.victim("ngo_partner", "shared")
    code = current_code(otp_device(ngo))
    grants = identity_reveal(actor=ngo, obj=person, reason="Family tracing request", otp_token=code)
    assert {g.sensitivity for g in grants} == {"identity"}  # a person holds identity only


def test_reveal_is_refused_to_roles_without_the_permission(world, client):
    officer = world.actors["case_officer"]  # reads identity already; may reveal testimony
    analyst = world.actors["analyst"]
    person = world.victim("analyst", "own")
    verified_login(client, analyst)
    url = reverse("access:reveal", args=["registry.person", person.pk])
    assert client.get(url).status_code == 404  # analysts see no person at all
    assert client.get(reverse("access:reveal", args=["access.user", officer.pk])).status_code == 404


def test_case_officer_reveals_testimony_of_a_victim_in_their_case(world, client):
    officer = world.actors["case_officer"]
    profile = world.victim("case_officer", "own").participations.get().victim_profile
    request = RequestFactory().get("/")
    request.user = officer
    tag = Template('{% load masking %}{% masked profile "testimony" %}')
    assert tag.render(Context({"request": request, "profile": profile})) == MASK
    verified_login(client, officer)
    url = reverse("access:reveal", args=["registry.victimprofile", profile.pk])
    response = client.post(url, {"reason": "Preparing the court file", "password": PASSWORD})
    assert response.status_code == 302
    request.user = type(officer).objects.get(pk=officer.pk)
    assert tag.render(Context({"request": request, "profile": profile})).startswith("Testimony")
    other = world.victim("case_officer", "other_province").participations.get().victim_profile
    other_url = reverse("access:reveal", args=["registry.victimprofile", other.pk])
    assert client.get(other_url).status_code == 404


def test_reveal_rule_is_a_selector_that_audits_its_refusal(world):
    from django.core.exceptions import PermissionDenied

    from ctip.access.selectors import reveal_permission_check, reveal_sensitivities

    ngo = world.actors["ngo_partner"]
    officer = world.actors["case_officer"]  # reads identity in clear: nothing to reveal
    person = world.victim("ngo_partner", "shared")
    assert reveal_sensitivities(actor=ngo, obj=person) == {"identity"}
    assert reveal_permission_check(actor=ngo, obj=person) == {"identity"}
    assert reveal_sensitivities(actor=officer, obj=person) == frozenset()
    with pytest.raises(PermissionDenied):
        reveal_permission_check(actor=officer, obj=person)
    denied = AuditEvent.objects.filter(action="denied", actor_username=officer.username).last()
    assert denied.object_id == str(person.pk) and denied.detail == {"wanted": "reveal"}
