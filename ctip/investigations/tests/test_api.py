"""The investigations API: what each reader gets (cases they may see listed, others counted),
masking, strict input, and the writes going through the services (audited, refused alike)."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from ctip.access import masking
from ctip.access.masking import MASK
from ctip.audit.models import AuditEvent
from ctip.investigations import services
from ctip.investigations.models import IdentifierUse
from ctip.investigations.sanctions.models import ListedEntity, ScreeningHit, WatchList
from ctip.registry.models import Person

pytestmark = pytest.mark.django_db
API = "/api/v1/investigations"


def client_for(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def shared(
    investigator: Any, officer_ahtjp: Any, officer_sr: Any, cases: Any, suspect: Any
) -> dict[str, Any]:
    """One number in the investigator's case (the suspect's) and in Siem Reap's (hidden)."""
    mine = services.identifier_record(
        actor=investigator, case=cases["own_1"], kind="phone", value="012 345 678", person=suspect
    )
    services.identifier_record(
        actor=officer_sr, case=cases["sr"], kind="phone", value="+855 12 345 678"
    )
    services.identifier_record(
        actor=officer_ahtjp, case=cases["own_2"], kind="phone", value="(012) 345-678"
    )
    return {"use": mine, "identifier": mine.identifier}


def test_a_cases_records_and_connections_list_the_visible_and_count_the_rest(
    investigator: Any, cases: Any, shared: Any, suspect: Any
) -> None:
    api = client_for(investigator)
    body = api.get(f"{API}/cases/{cases['own_1'].pk}/").json()
    assert body["case"]["reference"] == cases["own_1"].reference
    assert body["case"]["owning_agency"] == "AHTJP" and body["case"]["province"] == "KH-12"
    [row] = body["identifiers"]
    assert row["identifier"]["value"] == "+855 12 345 678"
    assert row["person"] == {"id": suspect.pk, "name": suspect.display_name}
    assert (row["other_cases_visible"], row["other_cases_hidden"]) == (1, 1)
    connections = api.get(f"{API}/cases/{cases['own_1'].pk}/connections/").json()
    assert [c["case"]["id"] for c in connections["visible"]] == [cases["own_2"].pk]
    assert connections["hidden"] == 1
    # Nothing of the hidden case: no reference, agency or province.
    text = json.dumps(connections)
    assert cases["sr"].reference not in text and "PAHT-17" not in text
    # The hidden case itself answers like one that does not exist; the refusal is audited.
    assert api.get(f"{API}/cases/{cases['sr'].pk}/").status_code == 404
    assert api.get(f"{API}/cases/999999/").status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", actor_id=investigator.pk, object_id=str(cases["sr"].pk)
    ).exists()


def test_identifiers_are_found_however_typed_and_masked_without_clearance(
    investigator: Any, cases: Any, shared: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = client_for(investigator)
    found = api.get(f"{API}/identifiers/", {"kind": "phone", "value": "00855 12 345 678"}).json()
    assert [row["id"] for row in found] == [shared["identifier"].pk]
    search = AuditEvent.objects.filter(action="search", object_type="investigations.identifier")
    assert search.exists() and "345" not in json.dumps(list(search.values("detail")))
    body = api.get(f"{API}/identifiers/{shared['identifier'].pk}/").json()
    assert sorted(u["case"]["id"] for u in body["uses"]) == sorted(
        [cases["own_1"].pk, cases["own_2"].pk]
    )
    assert body["hidden"] == 1
    # A reader without identity clearance: the value and the holder's name are masked.
    monkeypatch.setitem(masking.CLEARANCE, "investigator", frozenset({"health"}))
    investigator.__dict__.pop("_ctip_levels", None)
    body = client_for(investigator).get(f"{API}/cases/{cases['own_1'].pk}/").json()
    [row] = body["identifiers"]
    assert row["identifier"]["value"] == MASK
    assert row["person"]["name"] == f"P{row['person']['id']} {MASK}"
    assert "345" not in json.dumps(body) and "Dara" not in json.dumps(body)


def test_identifier_search_answers_format_json_as_the_other_lists(
    investigator: Any, shared: Any
) -> None:
    api = client_for(investigator)
    query = {"kind": "phone", "value": "012 345 678"}
    plain = api.get(f"{API}/identifiers/", query)
    negotiated = api.get(f"{API}/identifiers/", {**query, "format": "json"})
    assert plain.status_code == negotiated.status_code == 200
    assert negotiated["Content-Type"].startswith("application/json")
    assert negotiated.json() == plain.json() and len(plain.json()) == 1
    # Anything else unknown is still refused, by name.
    assert set(api.get(f"{API}/identifiers/", {**query, "fromat": "json"}).json()) == {"fromat"}


def test_bad_queries_and_bodies_name_the_field(investigator: Any, cases: Any) -> None:
    api = client_for(investigator)
    answer = api.get(f"{API}/identifiers/", {"kind": "fax", "value": "1", "valu": "2"})
    assert answer.status_code == 400 and set(answer.json()) == {"kind", "valu"}
    answer = api.post(
        f"{API}/identifier-uses/",
        {"case": cases["own_1"].pk, "kind": "phone", "value": "012 1", "owner": 1},
        format="json",
    )
    assert answer.status_code == 400 and set(answer.json()) == {"owner"}
    answer = api.post(
        f"{API}/identifier-uses/",
        {"case": cases["sr"].pk, "kind": "phone", "value": "012 1"},
        format="json",
    )
    # A hidden case is a 400 on its field, with the words of an unknown one.
    assert answer.status_code == 400 and set(answer.json()) == {"case"}
    unknown = api.post(
        f"{API}/identifier-uses/", {"case": 999999, "kind": "phone", "value": "1"}, format="json"
    )
    assert unknown.json()["case"] == answer.json()["case"]


def test_recording_and_removing_an_identifier_goes_through_the_services(
    investigator: Any, officer_sr: Any, cases: Any, suspect: Any
) -> None:
    api = client_for(investigator)
    other = Person.objects.create(family_name_latin="Elsewhere")
    refused = api.post(
        f"{API}/identifier-uses/",
        {"case": cases["own_1"].pk, "kind": "phone", "value": "012 1", "person": other.pk},
        format="json",
    )
    assert refused.status_code == 400 and refused.json()["person"] == ["Not found."]
    made = api.post(
        f"{API}/identifier-uses/",
        {"case": cases["own_1"].pk, "kind": "phone", "value": "097 88", "person": suspect.pk},
        format="json",
    )
    assert made.status_code == 201
    identifier = made.json()["identifier"]
    # Kept as typed and flagged, never dropped.
    assert identifier["is_valid"] is False and identifier["as_typed"] == "097 88"
    use = IdentifierUse.objects.get(pk=made.json()["id"])
    assert AuditEvent.objects.filter(action="create", object_id=str(use.pk)).exists()
    # Another agency's officer neither sees nor removes it.
    assert client_for(officer_sr).delete(f"{API}/identifier-uses/{use.pk}/").status_code == 404
    assert api.delete(f"{API}/identifier-uses/{use.pk}/").status_code == 204
    assert not IdentifierUse.objects.filter(pk=use.pk).exists()


def test_organisations_and_compounds_count_the_cases_not_seen(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    company = services.organisation_create(actor=officer_sr, name="Golden Sky Co")
    services.organisation_involve(
        actor=officer_sr, case=cases["sr"], organisation=company, role="recruiter"
    )
    services.organisation_involve(
        actor=investigator, case=cases["own_1"], organisation=company, role="employer"
    )
    compound = services.compound_create(actor=officer_sr, name="Blue Bay")
    services.compound_involve(actor=officer_sr, case=cases["sr"], compound=compound)
    api = client_for(investigator)
    listed = api.get(f"{API}/organisations/", {"q": "golden"}).json()
    assert [row["name"] for row in listed["results"]] == ["Golden Sky Co"]
    assert listed["results"][0]["cases"] == 2 and "next" in listed
    body = api.get(f"{API}/organisations/{company.pk}/").json()
    assert [c["case"]["id"] for c in body["cases"]] == [cases["own_1"].pk]
    assert body["hidden"] == 1
    body = api.get(f"{API}/compounds/{compound.pk}/").json()
    assert body["cases"] == [] and body["hidden"] == 1
    assert api.get(f"{API}/compounds/").json()["results"][0]["name"] == "Blue Bay"


def test_alerts_are_the_readers_own(investigator: Any, officer_sr: Any, cases: Any) -> None:
    services.identifier_record(
        actor=investigator, case=cases["own_1"], kind="phone", value="012 345 678"
    )
    services.identifier_record(actor=officer_sr, case=cases["sr"], kind="phone", value="012345678")
    api = client_for(investigator)
    [alert] = api.get(f"{API}/alerts/", {"unread": "true"}).json()["results"]
    assert alert["open_case"]["id"] == cases["own_1"].pk
    assert alert["new_case_agency"] == "PAHT-17" and alert["new_case"] is None
    assert client_for(officer_sr).post(f"{API}/alerts/{alert['id']}/read/").status_code == 404
    assert api.post(f"{API}/alerts/{alert['id']}/read/").json()["read_at"] is not None
    assert api.get(f"{API}/alerts/", {"unread": "true"}).json()["results"] == []


def _hit(person: Any) -> ScreeningHit:
    watch_list = WatchList.objects.create(name="Test list", version=1)
    entity = ListedEntity.objects.create(
        watch_list=watch_list, ftm_id="os-1", schema="Person", caption="Sok Dara",
        names=["Sok Dara"],
    )  # fmt: skip
    return ScreeningHit.objects.create(
        entity=entity, subject_kind="person", person=person, score=0.93,
        listed_name="Sok Dara", list_version=1,
        evidence=["name 'Sok Dara' ~ listed 'Sok Dara': 1.00", "same year of birth"],
    )  # fmt: skip


def test_sanctions_hits_are_scoped_masked_and_decided_by_investigators(
    investigator: Any, officer_ahtjp: Any, officer_sr: Any, suspect: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    hit = _hit(suspect)
    api = client_for(investigator)
    [row] = api.get(f"{API}/sanctions-hits/").json()["results"]
    assert row["subject"] == suspect.display_name and row["listed"]["caption"] == "Sok Dara"
    assert client_for(officer_sr).get(f"{API}/sanctions-hits/{hit.pk}/").status_code == 404
    # Dismissing needs a reason, named on its field; a case officer may not decide.
    no_reason = api.post(f"{API}/sanctions-hits/{hit.pk}/decide/", {"decision": "dismissed"})
    assert no_reason.status_code == 400 and "note" in no_reason.json()
    officer = client_for(officer_ahtjp).post(
        f"{API}/sanctions-hits/{hit.pk}/decide/", {"decision": "confirmed"}
    )
    assert officer.status_code == 403
    done = api.post(f"{API}/sanctions-hits/{hit.pk}/decide/", {"decision": "confirmed"})
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert done.json()["decided_by"] == investigator.username
    # Without identity clearance the suspect's name leaves neither the subject nor the evidence.
    monkeypatch.setitem(masking.CLEARANCE, "investigator", frozenset({"health"}))
    investigator.__dict__.pop("_ctip_levels", None)
    body = client_for(investigator).get(f"{API}/sanctions-hits/{hit.pk}/").json()
    assert body["subject"] == f"P{suspect.pk} {MASK}"
    assert body["evidence"][0] == f"name {MASK} ~ listed 'Sok Dara': 1.00"
    assert "Sok Dara" in body["listed_name"]  # the list is public


def test_job_ads_are_pasted_flagged_and_scoped(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    api = client_for(investigator)
    made = api.post(
        f"{API}/job-ads/",
        {
            "text": "Big company hiring! Salary $1500, no experience needed. Contact Telegram "
            "@goldjob_hr only. Age 18-30.",
            "case": cases["own_1"].pk,
        },
        format="json",
    )
    assert made.status_code == 201
    ad = made.json()
    assert {"high_pay_no_qualifications", "messaging_only"} <= {f["code"] for f in ad["flags"]}
    assert ad["identifiers"]
    assert client_for(officer_sr).get(f"{API}/job-ads/{ad['id']}/").status_code == 404
    flagged = api.get(f"{API}/job-ads/", {"flagged": "true"}).json()["results"]
    assert [row["id"] for row in flagged] == [ad["id"]]


def test_an_investigator_imports_a_followthemoney_file(investigator: Any, cases: Any) -> None:
    rows = [
        {"id": "aleph-1", "schema": "Person",
         "properties": {"name": ["Wei Li"], "firstName": ["Wei"], "lastName": ["Li"]}},
        {"id": "aleph-2", "schema": "Company", "properties": {"name": ["Blue Sky Ltd"]}},
    ]  # fmt: skip
    text = "\n".join(json.dumps(row) for row in rows).encode()
    api = client_for(investigator)
    done = api.post(
        f"{API}/ftm-imports/",
        {"case": cases["own_2"].pk, "file": SimpleUploadedFile("n.ftm.json", text)},
        format="multipart",
    )
    assert done.status_code == 201, done.content
    assert done.json()["persons"] == 1 and done.json()["organisations"] == 1
    bad = api.post(
        f"{API}/ftm-imports/",
        {"case": cases["own_2"].pk, "file": SimpleUploadedFile("n.ftm.json", b'{"id": 1}\n{x')},
        format="multipart",
    )
    assert bad.status_code == 400
    assert [m[:7] for m in bad.json()["file"]] == ["line 1:", "line 2:"]
    hidden = api.post(
        f"{API}/ftm-imports/",
        {"case": cases["sr"].pk, "file": SimpleUploadedFile("n.ftm.json", text)},
        format="multipart",
    )
    assert hidden.status_code == 400 and "case" in hidden.json()


def test_roles_outside_the_app_find_nothing(make_member: Any, cases: Any) -> None:
    api = client_for(make_member("analyst", "AHTJP"))
    for path in ("organisations/", "compounds/", "alerts/", "sanctions-hits/", "job-ads/"):
        assert api.get(f"{API}/{path}").status_code == 404, path
    assert api.get(f"{API}/cases/{cases['own_1'].pk}/").status_code == 404
    assert APIClient().get(f"{API}/organisations/").status_code == 401


def test_lists_page_by_cursor(investigator: Any) -> None:
    for n in range(3):
        services.organisation_create(actor=investigator, name=f"Company {n}")
    api = client_for(investigator)
    first = api.get(f"{API}/organisations/", {"page_size": 2}).json()
    assert [row["name"] for row in first["results"]] == ["Company 2", "Company 1"]
    second = api.get(first["next"]).json()
    assert [row["name"] for row in second["results"]] == ["Company 0"]
    assert second["next"] is None
    assert api.get(f"{API}/organisations/", {"cursor": "bad"}).status_code == 404


def test_an_import_over_the_size_limit_is_refused_on_its_field(
    investigator: Any, cases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctip.investigations.api import work

    monkeypatch.setattr(work, "MAX_UPLOAD", 10)
    text = b'{"id": "c", "schema": "Company", "properties": {"name": ["Blue Sky Ltd"]}}'
    answer = client_for(investigator).post(
        f"{API}/ftm-imports/",
        {"case": cases["own_2"].pk, "file": SimpleUploadedFile("n.ftm.json", text)},
        format="multipart",
    )
    assert answer.status_code == 400 and answer.json() == {
        "file": ["The file is larger than 20 MB."]
    }


def test_the_hit_page_masks_the_suspects_name_in_the_evidence_too(
    client: Any, investigator: Any, suspect: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    hit = _hit(suspect)
    client.force_login(investigator)
    url = f"/investigations/sanctions/hits/{hit.pk}/"
    assert "name &#x27;Sok Dara&#x27; ~ listed" in client.get(url).content.decode()
    monkeypatch.setitem(masking.CLEARANCE, "investigator", frozenset({"health"}))
    page = client.get(url).content.decode()
    assert f"name {MASK} ~ listed" in page
    assert "name &#x27;Sok Dara&#x27;" not in page
