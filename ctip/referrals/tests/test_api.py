"""The referral API: the same hand-over and refusals as the pages, over REST."""

from typing import Any

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_hand_over_over_the_api(police: Any, social: Any, victim: Any) -> None:
    sent = api(police).post(
        "/api/v1/referrals/",
        {"participant": victim.pk, "to_agency": "DOSVY-12", "service": "psychosocial_support"},
        format="json",
    )
    assert sent.status_code == 201, sent.content
    pk = sent.json()["id"]
    assert sent.json()["status"] == "sent"
    inbox = api(social).get("/api/v1/referrals/?box=inbox").json()
    assert [r["id"] for r in inbox["results"]] == [pk]
    wrong = api(police).post(f"/api/v1/referrals/{pk}/accept/")
    assert wrong.status_code == 403
    early = api(social).post(f"/api/v1/referrals/{pk}/complete/")
    assert early.status_code == 400 and "status" in early.json()
    for step in ("accept", "start", "complete"):
        response = api(social).post(f"/api/v1/referrals/{pk}/{step}/", {}, format="json")
        assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    path = api(police).get(f"/api/v1/pathways/{victim.pk}/").json()
    assert "referral_completed" in [entry["kind"] for entry in path["entries"]]


def test_bad_referral_names_the_field(police: Any, victim: Any) -> None:
    response = api(police).post(
        "/api/v1/referrals/",
        {"participant": victim.pk, "to_agency": "NOPE", "service": "shelter"},
        format="json",
    )
    assert response.status_code == 400
    assert "There is no agency NOPE." in response.json()["to_agency"]


def test_coordination_api_needs_the_secretariat(police: Any, victim: Any, make_member: Any) -> None:
    api(police).post(
        "/api/v1/referrals/",
        {"participant": victim.pk, "to_agency": "MOH", "service": "medical_care"},
        format="json",
    )
    assert api(police).get("/api/v1/referral-coordination/").status_code == 403
    figures = api(make_member("case_officer", "NCCT")).get("/api/v1/referral-coordination/")
    assert figures.status_code == 200
    assert figures.json()["total"] == 1
    assert figures.json()["by_service"][0]["service"] == "medical_care"


def test_tasks_and_my_work_api(police: Any, victim: Any) -> None:
    created = api(police).post(
        "/api/v1/tasks/",
        {
            "case": victim.case_id,
            "title": "Visit family",
            "owner_agency": "PAHT-12",
            "due_on": "2020-01-01",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    work = api(police).get("/api/v1/my-work/").json()
    assert work["own"]["overdue_tasks"] == [created.json()["id"]]
    done = api(police).post(f"/api/v1/tasks/{created.json()['id']}/done/")
    assert done.json()["status"] == "done"
    # A finished task leaves the open-task list but stays readable, like the case it is on.
    again = api(police).get(f"/api/v1/tasks/{created.json()['id']}/")
    assert again.status_code == 200 and again.json()["status"] == "done"


def test_referring_a_participant_out_of_reach_is_an_audited_denial(
    victim: Any, make_member: Any
) -> None:
    from django.test import Client
    from django.urls import reverse

    from ctip.audit.models import AuditEvent

    outsider = make_member("case_officer", "NGO-HAGAR", username="outsider")
    denied = AuditEvent.objects.filter(
        action="denied",
        actor_username="outsider",
        object_type="registry.participant",
        object_id=str(victim.pk),
    )
    response = api(outsider).post(
        "/api/v1/referrals/",
        {"participant": victim.pk, "to_agency": "DOSVY-12", "service": "shelter"},
        format="json",
    )
    # Named in a body, a participant out of reach is an unknown one: 400 on the field.
    assert response.status_code == 400 and "participant" in response.json()
    assert denied.count() == 1
    page = Client()
    page.force_login(outsider)
    assert page.get(reverse("referrals:send", args=[victim.pk])).status_code == 404
    assert denied.count() == 2


def test_a_misspelt_field_is_refused_by_name(police: Any, victim: Any) -> None:
    """Issue #12 item 4: `titel` is not silently dropped (the task would have no title)."""
    response = api(police).post(
        "/api/v1/tasks/",
        {"case": victim.case_id, "titel": "Visit", "owner_agency": "PAHT-12", "service": "shelter"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["titel"] == ["Unknown field."] and "title" in response.json()
    wrong_filter = api(police).get("/api/v1/referrals/?stauts=sent")
    assert wrong_filter.status_code == 400 and "stauts" in wrong_filter.json()
    assert api(police).get("/api/v1/exchange-packages/abc/").status_code == 404


def test_moving_or_packaging_a_referral_out_of_reach_is_an_audited_denial(
    police: Any, victim: Any, make_member: Any
) -> None:
    """Issue #11 item 10: transitions and exchange-package creation on a referral the user may
    not see answer 404, as for an unknown id, and leave a denial naming what was wanted."""
    from django.test import Client
    from django.urls import reverse

    from ctip.audit.models import AuditEvent

    referral = (
        api(police)
        .post(
            "/api/v1/referrals/",
            {"participant": victim.pk, "to_agency": "FP-THA", "service": "repatriation"},
            format="json",
        )
        .json()["id"]
    )
    outsider = make_member("case_officer", "NGO-HAGAR", username="outsider")
    page = Client()
    page.force_login(outsider)
    for transition in ("accept", "close"):
        assert api(outsider).post(f"/api/v1/referrals/{referral}/{transition}/").status_code == 404
        url = reverse("referrals:transition", args=[referral, transition])
        assert page.post(url).status_code == 404
    assert api(outsider).post(f"/api/v1/referrals/{referral}/exchange/").status_code == 404
    assert page.post(reverse("referrals:exchange-create", args=[referral])).status_code == 404
    assert api(outsider).post(f"/api/v1/referrals/{referral + 99}/accept/").status_code == 404
    wanted = list(
        AuditEvent.objects.filter(
            action="denied", actor_username="outsider", object_type="referrals.referral"
        )
        .order_by("sequence")
        .values_list("detail__wanted", flat=True)
    )
    assert wanted == [
        "referral_accept",
        "referral_accept",
        "referral_close",
        "referral_close",
        "exchange_package_create",
        "exchange_package_create",
    ]
