"""The task and care-plan pages refuse one who may not change the case before the service
would, and audit that refusal as the service audits its own; a closed case's refusal too."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.referrals import services
from ctip.referrals.models import CarePlanItem, Task
from ctip.registry.models import Case

pytestmark = pytest.mark.django_db


def _post(user: Any, url: str, data: dict[str, Any]) -> Any:
    client = Client()
    client.force_login(user)
    return client.post(url, data)


def _page(page: str, victim: Any, agency: str) -> tuple[str, dict[str, Any]]:
    if page == "task":
        return reverse("referrals:task-create", args=[victim.case_id]), {
            "title": "Visit the family",
            "owner_agency": Agency.objects.get(code=agency).pk,
            "service": "shelter",
        }
    return reverse("referrals:care-plan-add", args=[victim.pk]), {
        "service": "shelter",
        "goal": "A safe place to stay",
    }


def _denials(user: Any) -> list[tuple[str, str, str]]:
    return [
        (e.object_type, e.object_id, e.detail.get("wanted", ""))
        for e in AuditEvent.objects.filter(actor_id=user.pk, action="denied").order_by("sequence")
    ]


@pytest.mark.parametrize("page", ["task", "care_plan"])
def test_one_who_sees_the_case_but_may_not_change_it_is_refused_and_audited(
    page: str, police: Any, social: Any, victim: Any
) -> None:
    # A referral opens the case to social affairs for reading, not for changing.
    services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    tasks, items = Task.objects.count(), CarePlanItem.objects.count()
    url, data = _page(page, victim, "DOSVY-12")
    assert _post(social, url, data).status_code == 403
    assert (Task.objects.count(), CarePlanItem.objects.count()) == (tasks, items)
    assert _denials(social) == [("registry.case", str(victim.case_id), "change")]


@pytest.mark.parametrize(
    ("page", "wanted", "object_type"),
    [
        ("task", "task_create", "registry.case"),
        ("care_plan", "care_plan_item_add", "registry.participant"),
    ],
)
def test_a_closed_case_is_refused_on_the_page_and_the_refusal_is_audited(
    page: str, wanted: str, object_type: str, police: Any, victim: Any
) -> None:
    Case.objects.filter(pk=victim.case_id).update(status="closed", closed_on=datetime.date.today())
    tasks, items = Task.objects.count(), CarePlanItem.objects.count()
    url, data = _page(page, victim, "PAHT-12")
    response = _post(police, url, data)
    assert response.status_code == 200 and "closed" in response.content.decode()
    assert (Task.objects.count(), CarePlanItem.objects.count()) == (tasks, items)
    assert [(t, w) for t, _pk, w in _denials(police)] == [(object_type, wanted)]
