"""Sanctions screening: loading a FollowTheMoney list, screening, re-screening, deciding."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404

from ctip.access.actors import COMMAND_LINE
from ctip.audit.models import AuditEvent
from ctip.investigations import services as core
from ctip.investigations.sanctions import selectors, services
from ctip.investigations.sanctions.models import ListedEntity, ScreeningHit, WatchList
from ctip.registry.services import participant_add, person_create

pytestmark = pytest.mark.django_db


def person(id_: str, name: str, *aliases: str, **extra: list[str]) -> dict[str, Any]:
    properties = {"name": [name], **extra}
    if aliases:
        properties["alias"] = list(aliases)
    return {"id": id_, "schema": "Person", "properties": properties}


def lines(*entities: dict[str, Any]) -> list[bytes]:
    return [json.dumps(entity, ensure_ascii=False).encode() for entity in entities]


LIST = (
    person("p-dara", "Dara Sok", "សុខ ដារ៉ា", nationality=["kh"]),
    person("p-zhang", "Zhang Wei", "张伟", birthDate=["1980-04-02"]),
    {"id": "c-golden", "schema": "Company", "properties": {"name": ["Golden Fortune Co., Ltd"]}},
    person("p-other", "Somchai Srisuk"),
)


def load(*entities: dict[str, Any], name: str = "Test list") -> services.LoadReport:
    return services.watch_list_load(actor=COMMAND_LINE, name=name, lines=lines(*entities))


def add_suspect(actor: Any, case: Any, **names: Any) -> Any:
    found = person_create(actor=actor, sex="male", **names)
    participant_add(actor=actor, case=case, person=found, role="suspect")
    return found


def test_a_suspect_is_found_under_an_alias_in_another_script_and_order(
    investigator: Any, suspect: Any
) -> None:
    report = load(*LIST)
    assert report.added == 4 and report.screening.new >= 1
    hit = ScreeningHit.objects.get(person=suspect)
    assert hit.entity.ftm_id == "p-dara" and hit.status == "pending"
    assert any("word order" in line or "Khmer" in line for line in hit.evidence)
    assert AuditEvent.objects.filter(
        action="import", object_type="investigations.watchlist"
    ).exists()


def test_chinese_characters_meet_their_pinyin(
    investigator: Any, officer_ahtjp: Any, cases: Any
) -> None:
    zhang = add_suspect(
        officer_ahtjp, cases["own_2"], given_name_latin="Wei", family_name_latin="Zhang",
        date_of_birth=__import__("datetime").date(1980, 4, 2),
    )  # fmt: skip
    load(*LIST)
    hit = ScreeningHit.objects.get(person=zhang)
    assert hit.entity.ftm_id == "p-zhang"
    assert "same year of birth" in hit.evidence


def test_a_file_with_problems_is_refused_line_by_line_and_nothing_is_loaded(
    investigator: Any, suspect: Any
) -> None:
    bad = [
        *lines(LIST[0]),
        b"{not json",
        *lines({"id": "x", "schema": "Spaceship", "properties": {}}),
        *lines(LIST[0]),
        *lines(person("p-bad", "Bad Date", birthDate=["the 5th"])),
    ]
    with pytest.raises(ValidationError) as refused:
        services.watch_list_load(actor=COMMAND_LINE, name="Bad", lines=bad)
    messages = refused.value.message_dict["file"]
    assert any(m.startswith("line 2: not JSON") for m in messages)
    assert any(m.startswith("line 3:") and "Spaceship" in m for m in messages)
    assert any(m.startswith("line 4:") and "already on line 1" in m for m in messages)
    assert any(m.startswith("line 5:") and "birthDate" in m for m in messages)
    assert not WatchList.objects.exists() and not ListedEntity.objects.exists()
    assert AuditEvent.objects.filter(action="import", detail__refused=4).exists()


def test_reloading_re_screens_and_keeps_decisions(investigator: Any, suspect: Any) -> None:
    load(*LIST)
    hit = ScreeningHit.objects.get(person=suspect)
    services.hit_decide(actor=investigator, hit=hit, decision="dismissed", note="Born 1960.")
    report = load(*LIST)
    assert report.watch_list.version == 2 and report.screening.kept >= 1
    hit.refresh_from_db()
    assert hit.status == "dismissed" and hit.list_version == 2
    # The entity leaves the list: its decided hit keeps the decision, the entity is marked.
    report = load(*LIST[1:])
    assert report.removed == 1
    hit.refresh_from_db()
    assert hit.status == "dismissed" and hit.entity.removed


def test_a_pending_hit_that_no_longer_holds_is_withdrawn(investigator: Any, suspect: Any) -> None:
    load(*LIST)
    load(*LIST[1:])
    assert ScreeningHit.objects.get(person=suspect).status == "withdrawn"


def test_deciding_needs_an_investigator_and_a_reason_to_dismiss(
    investigator: Any, officer_ahtjp: Any, suspect: Any
) -> None:
    load(*LIST)
    hit = ScreeningHit.objects.get(person=suspect)
    with pytest.raises(ValidationError) as refused:
        services.hit_decide(actor=investigator, hit=hit, decision="dismissed", note="")
    assert "note" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.hit_decide(actor=investigator, hit=hit, decision="maybe")
    assert "decision" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.hit_decide(actor=officer_ahtjp, hit=hit, decision="confirmed")
    hit.refresh_from_db()
    assert hit.status == "pending"
    services.hit_decide(actor=investigator, hit=hit, decision="confirmed", note="Same passport.")
    event = AuditEvent.objects.filter(object_type="investigations.screeninghit", action="update")
    assert event.get().changes == {"status": ["pending", "confirmed"]}


def test_hits_follow_case_visibility(
    investigator: Any, officer_sr: Any, cases: Any, suspect: Any
) -> None:
    theirs = add_suspect(officer_sr, cases["sr"], given_name_latin="Wei", family_name_latin="Zhang")
    load(*LIST)
    hidden = ScreeningHit.objects.get(person=theirs)
    shown = ScreeningHit.objects.get(person=suspect)
    assert list(selectors.hit_list(actor=investigator)) == [shown]
    with pytest.raises(Http404):
        selectors.hit_get(actor=investigator, pk=hidden.pk)
    with pytest.raises(Http404):
        selectors.hit_get(actor=investigator, pk=hidden.pk + 1000)
    assert selectors.hit_get(actor=officer_sr, pk=hidden.pk) == hidden


def test_organisations_and_phones_are_screened(investigator: Any, cases: Any) -> None:
    organisation = core.organisation_create(actor=investigator, name="GOLDEN FORTUNE GROUP")
    use = core.identifier_record(
        actor=investigator, case=cases["own_1"], kind="phone", value="012 345 678"
    )
    listed_phone = person("p-phone", "Ah Long Boss", phone=["+85512345678"])
    load(*LIST, listed_phone)
    assert ScreeningHit.objects.get(organisation=organisation).entity.ftm_id == "c-golden"
    phone_hit = ScreeningHit.objects.get(identifier_id=use.identifier_id)
    assert phone_hit.entity.ftm_id == "p-phone" and phone_hit.score == 1.0
    assert set(selectors.hit_list(actor=investigator)) >= {phone_hit}


def test_only_administrators_load_lists(investigator: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.watch_list_load(actor=investigator, name="Mine", lines=lines(*LIST))
    assert not WatchList.objects.exists()


def test_the_command_loads_a_file_and_reports_refusals(
    tmp_path: Path, investigator: Any, suspect: Any
) -> None:
    good = tmp_path / "list.json"
    good.write_bytes(b"\n".join(lines(*LIST)) + b"\n")
    out = io.StringIO()
    call_command("sanctions", "load", str(good), "--name", "Demo", stdout=out)
    assert "4 added" in out.getvalue() and "1 new hits" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\n".join([*lines(*LIST), b"[1, 2]"]))
    with pytest.raises(CommandError, match="line 5: a line must be one JSON object"):
        call_command("sanctions", "load", str(bad), "--name", "Demo")
    assert WatchList.objects.get().version == 1


def test_pages_show_the_evidence_and_record_the_decision(
    client: Any, investigator: Any, suspect: Any
) -> None:
    load(*LIST)
    hit = ScreeningHit.objects.get(person=suspect)
    client.force_login(investigator)
    page = client.get("/investigations/sanctions/")
    assert page.status_code == 200 and "Dara Sok" in page.content.decode()
    page = client.get(f"/investigations/sanctions/hits/{hit.pk}/")
    body = page.content.decode()
    assert "សុខ ដារ៉ា" in body and "Sok Dara" in body and "Test list" in body
    page = client.post(f"/investigations/sanctions/hits/{hit.pk}/", {"decision": "dismissed"})
    assert page.status_code == 400 and "Say why" in page.content.decode()
    page = client.post(
        f"/investigations/sanctions/hits/{hit.pk}/",
        {"decision": "confirmed", "note": "Same passport number."},
    )
    assert page.status_code == 302
    hit.refresh_from_db()
    assert hit.status == "confirmed" and hit.decided_by == investigator
    page = client.get("/investigations/sanctions/", HTTP_ACCEPT_LANGUAGE="km")
    assert page.status_code == 200


def test_other_roles_find_no_sanctions_pages(client: Any, make_member: Any, suspect: Any) -> None:
    load(*LIST)
    hit = ScreeningHit.objects.get(person=suspect)
    for role in ("analyst", "ngo_partner", "intake_officer"):
        client.force_login(make_member(role, "AHTJP"))
        assert client.get("/investigations/sanctions/").status_code == 404
        assert client.get(f"/investigations/sanctions/hits/{hit.pk}/").status_code == 404
