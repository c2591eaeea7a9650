"""The case registry through the REST API: what a client may read and write, and what it may not."""

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from ctip.access.masking import MASK
from ctip.access.models import Agency, Membership
from ctip.api.services import token_issue
from ctip.audit.choices import AuditAction
from ctip.audit.models import AuditEvent
from ctip.reference.models import Province
from ctip.registry import services
from ctip.registry.models import Case, Person, Proceeding

TODAY = timezone.localdate()
LAST_YEAR = TODAY - datetime.timedelta(days=365)


def client_for(user: Any) -> APIClient:
    """A client that signs each request with the user's real API token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(actor=None, user=user).key}")
    return client


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member("case_officer", "PAHT-12")


@pytest.fixture
def supervisor(make_member: Any) -> Any:
    return make_member("supervisor", "PAHT-12")


@pytest.fixture
def outsider(make_member: Any) -> Any:
    """An officer of another province's police: sees nothing of PAHT-12's cases."""
    return make_member("case_officer", "PAHT-1")


@pytest.fixture
def api(officer: Any) -> APIClient:
    return client_for(officer)


def a_case(actor: Any, **overrides: Any) -> Case:
    fields = {
        "kind": "sexual_exploitation",
        "source": "hotline",
        "owning_agency": Agency.objects.get(code="PAHT-12"),
        "province": Province.objects.get(code="KH-12"),
        "opened_on": LAST_YEAR,
        "summary": "Hotline report of minors held in a karaoke bar.",
        **overrides,
    }
    return services.case_create(actor=actor, **fields)


def a_person(actor: Any, **fields: Any) -> Person:
    fields = {"given_name_latin": "Sokha", "family_name_latin": "Chan", "sex": "female", **fields}
    return services.person_create(
        actor=actor, registered_by=Agency.objects.get(code="PAHT-12"), **fields
    )


NEW_CASE = {
    "kind": "forced_criminality",
    "source": "operation",
    "province": "KH-18",
    "opened_on": "2024-03-02",
    "summary": "Raid on an online-scam compound; 40 foreign nationals held.",
}


# --- cases: the round trip ---------------------------------------------------------------


def test_register_read_change_close_and_reopen_a_case(
    officer: Any, supervisor: Any, api: APIClient
) -> None:
    created = api.post("/api/v1/cases/", NEW_CASE, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["reference"].startswith("CT-2024-")
    assert body["owning_agency"] == "PAHT-12"  # the officer's only agency, by default
    assert body["status"] == "active"
    case_url = f"/api/v1/cases/{body['id']}/"

    read = api.get(case_url).json()
    # The summary tells the victims' story (testimony): a case officer sees it masked, the
    # supervisor in clear.
    assert read["summary"] == MASK
    assert client_for(supervisor).get(case_url).json()["summary"] == NEW_CASE["summary"]
    assert read["province"] == "KH-18"
    assert read["participants"] == [] and read["timeline"] == []

    changed = api.patch(case_url, {"kind": "trafficking", "summary": "Updated."}, format="json")
    assert changed.status_code == 200, changed.json()
    assert changed.json()["kind"] == "trafficking"
    assert Case.objects.get(pk=body["id"]).summary == "Updated."

    # Closing needs a supervisor.
    closing = {"status": "closed_referred", "closed_on": "2024-06-30", "reason": "Referred."}
    assert api.post(f"{case_url}close/", closing, format="json").status_code == 403
    boss = client_for(supervisor)
    closed = boss.post(f"{case_url}close/", closing, format="json")
    assert closed.status_code == 200, closed.json()
    assert closed.json()["status"] == "closed_referred"
    assert closed.json()["closed_on"] == "2024-06-30"
    assert closed.json()["closure_reason"] == "Referred."

    # A closed case cannot be edited until it is reopened.
    assert api.patch(case_url, {"summary": "Late note."}, format="json").status_code == 403
    reopened = boss.post(f"{case_url}reopen/")
    assert reopened.status_code == 200
    assert reopened.json()["status"] == "follow_up"
    assert reopened.json()["closed_on"] is None
    assert api.patch(case_url, {"summary": "Late note."}, format="json").status_code == 200

    actions = list(
        AuditEvent.objects.filter(object_type="registry.case", object_id=str(body["id"]))
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions[0] == AuditAction.CREATE
    assert AuditAction.CLOSE in actions
    assert AuditAction.VIEW in actions


def test_another_agencys_case_is_not_found(officer: Any, outsider: Any) -> None:
    case = a_case(officer)
    client = client_for(outsider)
    url = f"/api/v1/cases/{case.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"summary": "x"}, format="json").status_code == 404
    closing = {"reason": "x"}
    assert client.post(f"{url}close/", closing, format="json").status_code == 404
    assert client.get("/api/v1/cases/").json()["count"] == 0
    # Unknown and forbidden answer alike, but the refusal is in the audit trail.
    assert client.get("/api/v1/cases/999999/").status_code == 404
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, object_id=str(case.pk)).exists()


def test_sharing_lets_the_other_agency_read_the_case(officer: Any, outsider: Any) -> None:
    case = a_case(officer)
    shared = client_for(officer).post(
        f"/api/v1/cases/{case.pk}/share/", {"agency": "PAHT-1"}, format="json"
    )
    assert shared.status_code == 200, shared.json()
    answer = client_for(outsider).get(f"/api/v1/cases/{case.pk}/")
    assert answer.status_code == 200
    assert answer.json()["shared_with"] == ["PAHT-1"]


def test_case_for_an_agency_the_user_is_not_in_is_refused(api: APIClient) -> None:
    payload = {**NEW_CASE, "owning_agency": "AHTJP"}
    answer = api.post("/api/v1/cases/", payload, format="json")
    assert answer.status_code == 403
    assert not Case.objects.exists()


def test_owning_agency_cannot_be_changed_by_update(officer: Any, api: APIClient) -> None:
    case = a_case(officer)
    answer = api.patch(f"/api/v1/cases/{case.pk}/", {"owning_agency": "AHTJP"}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"owning_agency"}
    case.refresh_from_db()
    assert case.owning_agency.code == "PAHT-12"


# --- cases: the list ---------------------------------------------------------------------


def test_case_list_filters_sorts_and_pages(officer: Any, api: APIClient) -> None:
    phnom_penh = a_case(officer, opened_on=datetime.date(2024, 2, 1))
    sihanouk = a_case(
        officer,
        province=Province.objects.get(code="KH-18"),
        kind="forced_criminality",
        opened_on=datetime.date(2024, 5, 1),
    )
    older = a_case(officer, opened_on=datetime.date(2023, 7, 1), kind="forced_labour")

    def refs(**params: Any) -> list[str]:
        answer = api.get("/api/v1/cases/", params)
        assert answer.status_code == 200, answer.json()
        return [row["reference"] for row in answer.json()["results"]]

    assert refs() == [sihanouk.reference, phnom_penh.reference, older.reference]
    assert refs(province="KH-18") == [sihanouk.reference]
    assert refs(kind="forced_labour") == [older.reference]
    assert refs(opened_from="2024-01-01", opened_to="2024-03-01") == [phnom_penh.reference]
    assert refs(agency="PAHT-12", ordering="opened") == [
        older.reference,
        phnom_penh.reference,
        sihanouk.reference,
    ]
    assert refs(reference=older.reference) == [older.reference]
    assert refs(status="closed") == []

    page = api.get("/api/v1/cases/", {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2
    assert "page=2" in page["next"]
    assert len(api.get(page["next"]).json()["results"]) == 1
    # The list row carries no protected text.
    assert "summary" not in page["results"][0]


def test_case_list_past_the_count_cap_pages_to_the_end(
    officer: Any, api: APIClient, monkeypatch: Any
) -> None:
    # The API counts at most COUNT_CAP matches (decision 0100); beyond that `count` is null,
    # and `next` still leads through every page to the last, found by reading one row ahead.
    from ctip.api import pagination

    opened = [a_case(officer, opened_on=datetime.date(2024, 1, day)) for day in range(1, 6)]
    monkeypatch.setattr(pagination, "COUNT_CAP", 3)
    page = api.get("/api/v1/cases/", {"page_size": 2}).json()
    assert page["count"] is None and page["count_capped"] is True
    seen = [row["reference"] for row in page["results"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        seen += [row["reference"] for row in page["results"]]
    assert sorted(seen) == sorted(case.reference for case in opened)
    assert len(seen) == 5
    assert api.get("/api/v1/cases/", {"page_size": 2, "page": 4}).status_code == 404
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    exact = api.get("/api/v1/cases/", {"page_size": 2}).json()
    assert exact["count"] == 5 and exact["count_capped"] is False


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "smuggling"}, "kind"),
        ({"province": "KH-99"}, "province"),
        ({"opened_from": "last spring"}, "opened_from"),
        ({"opened_from": "2024-05-01", "opened_to": "2024-01-01"}, "opened_to"),
        ({"ordering": "summary"}, "ordering"),
        ({"provnce": "KH-12"}, "provnce"),
    ],
)
def test_bad_list_filters_are_named(api: APIClient, params: dict[str, str], field: str) -> None:
    answer = api.get("/api/v1/cases/", params)
    assert answer.status_code == 400
    assert field in answer.json()


# --- bad input -----------------------------------------------------------------------------


def test_future_opening_date_is_refused_and_nothing_is_written(api: APIClient) -> None:
    tomorrow = (TODAY + datetime.timedelta(days=1)).isoformat()
    answer = api.post("/api/v1/cases/", {**NEW_CASE, "opened_on": tomorrow}, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"opened_on"}
    assert "future" in answer.json()["opened_on"][0]
    assert not Case.objects.exists()


def test_unknown_fields_are_named(api: APIClient) -> None:
    answer = api.post(
        "/api/v1/cases/", {**NEW_CASE, "opend_on": "2024-01-01", "created_by": 1}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"opend_on", "created_by"}
    assert not Case.objects.exists()


def test_missing_malformed_and_unknown_fields_are_named_together(api: APIClient) -> None:
    answer = api.post(
        "/api/v1/cases/", {"kind": "piracy", "opened_on": "soon", "provnce": "KH-12"}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"kind", "opened_on", "source", "province", "provnce"}


def test_closing_before_opening_is_refused(officer: Any, supervisor: Any) -> None:
    case = a_case(officer, opened_on=datetime.date(2024, 5, 1))
    answer = client_for(supervisor).post(
        f"/api/v1/cases/{case.pk}/close/",
        {"closed_on": "2024-04-30", "reason": "Resolved."},
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"closed_on"}
    case.refresh_from_db()
    assert case.status == "active" and case.closed_on is None


def test_closing_without_a_reason_is_refused(officer: Any, supervisor: Any) -> None:
    case = a_case(officer)
    answer = client_for(supervisor).post(f"/api/v1/cases/{case.pk}/close/", {}, format="json")
    assert answer.status_code == 400
    assert "reason" in answer.json()


def test_age_over_120_is_refused(api: APIClient) -> None:
    answer = api.post(
        "/api/v1/persons/", {"given_name_latin": "Vuthy", "estimated_age": 130}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"estimated_age"}
    assert not Person.objects.exists()


def test_proceeding_without_a_case_is_refused(api: APIClient) -> None:
    answer = api.post(
        "/api/v1/proceedings/", {"filed_on": "2024-01-05", "charges": ["LSHTSE-15"]}, format="json"
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"case"}
    answer = api.post(
        "/api/v1/proceedings/", {"case": None, "filed_on": "2024-01-05"}, format="json"
    )
    assert set(answer.json()) == {"case"}
    assert not Proceeding.objects.exists()


def test_unknown_vocabulary_code_is_refused(officer: Any, api: APIClient) -> None:
    case = a_case(officer)
    victim = services.participant_add(
        actor=officer, case=case, person=a_person(officer), role="victim"
    )
    answer = api.post(
        "/api/v1/victim-profiles/",
        {
            "participant": victim.pk,
            "trafficking_status": "NotATrafficStatus",
            "means_of_control": ["DebtBondage", "MindControlRays"],
        },
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"trafficking_status", "means_of_control"}
    assert "MindControlRays" in answer.json()["means_of_control"][0]
    victim.refresh_from_db()
    assert not hasattr(victim, "victim_profile")


def test_a_second_victim_profile_is_refused(officer: Any, api: APIClient) -> None:
    victim = services.participant_add(
        actor=officer, case=a_case(officer), person=a_person(officer), role="victim"
    )
    payload = {"participant": victim.pk, "trafficking_status": "ActualVictimOfTrafficking"}
    assert api.post("/api/v1/victim-profiles/", payload, format="json").status_code == 201
    again = api.post("/api/v1/victim-profiles/", payload, format="json")
    assert again.status_code == 400
    assert again.json() == {
        "participant": ["This victim already has a profile; change it instead."]
    }


# --- the whole case file -------------------------------------------------------------------


def test_case_file_built_through_the_api(officer: Any, api: APIClient) -> None:
    case = a_case(officer, kind="trafficking", opened_on=datetime.date(2024, 1, 10))
    victim = api.post(
        "/api/v1/persons/",
        {
            "given_name_latin": "Sreymom",
            "family_name_latin": "Keo",
            "given_name_km": "ស្រីមុំ",
            "family_name_km": "កែវ",
            "sex": "female",
            "estimated_age": 16,
            "citizenships": ["KHM"],
        },
        format="json",
    )
    assert victim.status_code == 201, victim.json()
    suspect = api.post(
        "/api/v1/persons/",
        {"given_name_latin": "Wei", "family_name_latin": "Zhang", "citizenships": ["CHN"]},
        format="json",
    ).json()

    participant = api.post(
        "/api/v1/participants/",
        {"case": case.pk, "person": victim.json()["id"], "role": "victim"},
        format="json",
    )
    assert participant.status_code == 201, participant.json()
    profile = api.post(
        "/api/v1/victim-profiles/",
        {
            "participant": participant.json()["id"],
            "trafficking_status": "ActualVictimOfTrafficking",
            "age_when_trafficked": 15,
            "means_of_control": ["DebtBondage"],
        },
        format="json",
    )
    assert profile.status_code == 201, profile.json()
    changed = api.patch(
        f"/api/v1/victim-profiles/{profile.json()['id']}/",
        {"consent_to_share": True},
        format="json",
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["consent_recorded_on"] == TODAY.isoformat()

    for kind, day in (("exploitation", "2024-01-05"), ("recruitment", "2023-11-20")):
        event = api.post(
            "/api/v1/events/",
            {
                "case": case.pk,
                "kind": kind,
                "occurred_on": day,
                "country": "KHM",
                "province": "KH-18",
                "persons": [victim.json()["id"]],
            },
            format="json",
        )
        assert event.status_code == 201, event.json()

    arrest = api.post(
        "/api/v1/arrests/",
        {
            "case": case.pk,
            "person": suspect["id"],
            "arrested_on": "2024-01-12",
            "agency": "PAHT-12",
            "charges": ["LSHTSE-15"],
        },
        format="json",
    )
    assert arrest.status_code == 201, arrest.json()
    proceeding = api.post(
        "/api/v1/proceedings/",
        {
            "case": case.pk,
            "defendant": suspect["id"],
            "court": "COURT-12",
            "filed_on": "2024-02-01",
            "charges": ["LSHTSE-15"],
        },
        format="json",
    )
    assert proceeding.status_code == 201, proceeding.json()
    verdict = api.patch(
        f"/api/v1/proceedings/{proceeding.json()['id']}/",
        {
            "stage": "trial",
            "verdict": "convicted",
            "verdict_on": "2024-06-01",
            "sentence_months": 84,
        },
        format="json",
    )
    assert verdict.status_code == 200, verdict.json()

    file = api.get(f"/api/v1/cases/{case.pk}/").json()
    roles = sorted((p["role"], p["person"]["id"]) for p in file["participants"])
    # The arrest made the suspect a participant.
    assert roles == sorted([("victim", victim.json()["id"]), ("suspect", suspect["id"])])
    victim_row = next(p for p in file["participants"] if p["role"] == "victim")
    assert victim_row["victim_profile"]["means_of_control"] == ["DebtBondage"]
    assert victim_row["person"]["given_name_km"] == "ស្រីមុំ"
    # The story reads in order: recruitment before exploitation.
    assert [e["kind"] for e in file["timeline"]] == ["recruitment", "exploitation"]
    assert file["arrests"][0]["charges"] == ["LSHTSE-15"]
    assert file["proceedings"][0]["verdict"] == "convicted"
    assert file["proceedings"][0]["sentence_months"] == 84


def test_records_of_hidden_cases_are_not_found(officer: Any, outsider: Any) -> None:
    case = a_case(officer)
    person = a_person(officer)
    participant = services.participant_add(actor=officer, case=case, person=person, role="victim")
    client = client_for(outsider)
    assert client.get(f"/api/v1/participants/{participant.pk}/").status_code == 404
    assert client.get(f"/api/v1/persons/{person.pk}/").status_code == 404
    # Nor can the outsider write into the case by naming it.
    answer = client.post(
        "/api/v1/events/",
        {"case": case.pk, "kind": "rescue", "occurred_on": "2024-01-01"},
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"case"}


def test_a_hidden_person_cannot_be_pulled_into_a_case(officer: Any, outsider: Any) -> None:
    hidden = services.person_create(
        actor=outsider,
        registered_by=Agency.objects.get(code="PAHT-1"),
        given_name_latin="Chay",
        family_name_latin="Sok",
    )
    case = a_case(officer)
    answer = client_for(officer).post(
        "/api/v1/participants/",
        {"case": case.pk, "person": hidden.pk, "role": "witness"},
        format="json",
    )
    assert answer.status_code == 400
    assert set(answer.json()) == {"person"}


# --- persons -------------------------------------------------------------------------------


def test_find_a_person_by_name_variant_birth_date_age_and_document(
    officer: Any, api: APIClient
) -> None:
    created = api.post(
        "/api/v1/persons/",
        {
            "given_name_latin": "Sokha",
            "family_name_latin": "Chhay",
            "date_of_birth": "2008-04-17",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    document = api.post(
        f"/api/v1/persons/{pk}/documents/",
        {"kind": "national_id", "number": "0102 3456-78", "issuing_country": "KHM"},
        format="json",
    )
    assert document.status_code == 201, document.json()
    a_person(officer, given_name_latin="Dara", family_name_latin="Pich")

    def found(**params: Any) -> list[int]:
        answer = api.get("/api/v1/persons/", params)
        assert answer.status_code == 200, answer.json()
        return [row["id"] for row in answer.json()["results"]]

    assert found(name="Chay Sokhar") == [pk]  # spelling variants, family name first
    assert found(date_of_birth="2008-04-17") == [pk]
    assert found(age=TODAY.year - 2008) == [pk]
    assert found(document_number="010234567 8") == [pk]
    assert found(name="Vuthy") == []

    person = api.get(f"/api/v1/persons/{pk}/").json()
    assert person["documents"][0]["number"] == "0102 3456-78"
    assert person["registered_by"] == "PAHT-12"

    changed = api.patch(f"/api/v1/persons/{pk}/", {"sex": "female"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["sex"] == "female"


def test_person_search_needs_a_criterion(api: APIClient) -> None:
    answer = api.get("/api/v1/persons/")
    assert answer.status_code == 400
    assert "non_field_errors" in answer.json()
    assert api.get("/api/v1/persons/", {"age": 121}).status_code == 400


def test_person_for_another_agency_is_refused(api: APIClient) -> None:
    answer = api.post(
        "/api/v1/persons/", {"given_name_latin": "Vuthi", "registered_by": "AHTJP"}, format="json"
    )
    assert answer.status_code == 403
    assert not Person.objects.exists()


def test_person_of_another_agency_cannot_be_changed(officer: Any, outsider: Any) -> None:
    person = a_person(officer)
    answer = client_for(outsider).patch(
        f"/api/v1/persons/{person.pk}/", {"sex": "male"}, format="json"
    )
    assert answer.status_code == 404
    person.refresh_from_db()
    assert person.sex == "female"


# --- reference data ------------------------------------------------------------------------


def test_reference_lists(api: APIClient) -> None:
    provinces = api.get("/api/v1/provinces/").json()
    assert len(provinces) == 25
    assert {"code": "KH-12"}.items() <= next(p for p in provinces if p["code"] == "KH-12").items()
    countries = {c["alpha3"] for c in api.get("/api/v1/countries/").json()}
    assert {"KHM", "THA", "VNM", "CHN"} <= countries
    vocabularies = {v["name"]: v["terms"] for v in api.get("/api/v1/vocabularies/").json()}
    assert len(vocabularies["means_of_control"]) == 16
    one = api.get("/api/v1/vocabularies/charge/").json()
    assert any(term["code"] == "LSHTSE-15" for term in one["terms"])
    assert api.get("/api/v1/vocabularies/nonsense/").status_code == 404
    courts = api.get("/api/v1/agencies/", {"kind": "court"}).json()
    assert courts and all(a["kind"] == "court" for a in courts)
    assert api.get("/api/v1/agencies/AHTJP/").json()["kind"] == "police_unit"
    assert api.get("/api/v1/agencies/", {"kind": "bank"}).status_code == 400


def test_browsable_api_pages_render_for_a_signed_in_officer(officer: Any) -> None:
    # Developers explore the API in a browser with their session; every page must draw.
    case = a_case(officer)
    person = a_person(officer)
    client = APIClient()
    client.force_login(officer)
    for url in (
        "/api/v1/",
        "/api/v1/cases/",
        f"/api/v1/cases/{case.pk}/",
        f"/api/v1/cases/{case.pk}/close/",
        "/api/v1/persons/?name=sokha",
        f"/api/v1/persons/{person.pk}/",
        "/api/v1/proceedings/",
        "/api/v1/provinces/",
        "/api/v1/agencies/",
        "/api/v1/vocabularies/charge/",
    ):
        answer = client.get(url, HTTP_ACCEPT="text/html")
        assert answer.status_code in (200, 405), url
        assert answer["Content-Type"].startswith("text/html"), url


def test_html_form_post_from_the_browsable_api_registers_a_case(officer: Any) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(officer)
    page = client.get("/api/v1/cases/", HTTP_ACCEPT="text/html")
    token = page.cookies["csrftoken"].value
    answer = client.post(
        "/api/v1/cases/",
        {**NEW_CASE, "csrfmiddlewaretoken": token},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 201, answer.json()


def test_list_and_case_file_cost_a_fixed_number_of_queries(officer: Any, api: APIClient) -> None:
    # A slow link pays for every round trip twice: the query count must not grow with rows.
    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(url).status_code == 200
        return len(captured)

    case = a_case(officer)

    def add_story(n: int) -> None:
        a_case(officer)
        person = a_person(officer, given_name_latin=f"Vuthy{n}")
        participant = services.participant_add(
            actor=officer, case=case, person=person, role="victim"
        )
        services.victim_profile_save(
            actor=officer, participant=participant, trafficking_status="ActualVictimOfTrafficking"
        )
        services.event_add(
            actor=officer, case=case, kind="rescue", occurred_on=LAST_YEAR, persons=[person]
        )

    add_story(0)
    few_list = queries("/api/v1/cases/")
    few_file = queries(f"/api/v1/cases/{case.pk}/")
    for n in range(1, 6):
        add_story(n)
    assert queries("/api/v1/cases/") == few_list
    assert queries(f"/api/v1/cases/{case.pk}/") == few_file


@pytest.mark.parametrize("role", ["analyst", "auditor"])
def test_roles_without_case_rows_see_an_empty_list(
    officer: Any, make_member: Any, role: str
) -> None:
    # Analysts read aggregates through the statistics, auditors the audit trail: no case rows.
    case = a_case(officer)
    client = client_for(make_member(role, "PAHT-12"))
    assert client.get("/api/v1/cases/").json()["count"] == 0
    assert client.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert client.post("/api/v1/cases/", NEW_CASE, format="json").status_code == 403
    assert not Case.objects.exclude(pk=case.pk).exists()


def test_a_user_of_several_agencies_must_name_the_owner(make_member: Any) -> None:
    user = make_member("case_officer", "PAHT-12")
    Membership.objects.create(user=user, agency=Agency.objects.get(code="AHTJP"), role="supervisor")
    client = client_for(user)
    answer = client.post("/api/v1/cases/", NEW_CASE, format="json")
    assert answer.status_code == 400
    assert set(answer.json()) == {"owning_agency"}
    answer = client.post("/api/v1/cases/", {**NEW_CASE, "owning_agency": "AHTJP"}, format="json")
    assert answer.status_code == 201
    assert answer.json()["owning_agency"] == "AHTJP"


def test_a_period_that_ends_before_it_starts_reads_as_on_the_page(api: APIClient) -> None:
    """The case filters are defined once (selectors.CaseFilters): one rule, one message."""
    answer = api.get("/api/v1/cases/", {"opened_from": "2025-01-01", "opened_to": "2024-01-01"})
    assert answer.status_code == 400
    assert answer.json()["opened_to"] == ["The end of the period is before its start."]
