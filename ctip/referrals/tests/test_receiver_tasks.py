"""Tasks of a referral (decision 0510): the agency it was sent to adds its own while serving the
person; the owner's side and that receiver read them; another agency that received a referral
for the same victim reads and adds none of them, by service, selector, page or API."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.referrals import selectors, services
from ctip.referrals.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def ngo(make_member: Any) -> Any:
    """Staff of a third agency, which receives another referral for the same victim."""
    return make_member("case_officer", "NGO-CWCC", username="ngo")


@pytest.fixture
def referrals(police: Any, social: Any, ngo: Any, victim: Any) -> dict[str, Any]:
    shelter = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    legal = services.referral_send(
        actor=police, participant=victim, to_agency="NGO-CWCC", service="legal_aid"
    )
    return {"shelter": shelter, "legal": legal}


def _add(actor: Any, referral: Any, agency: str, title: str = "Visit the family") -> Task:
    return services.task_create(
        actor=actor,
        case=referral.case,
        referral=referral,
        title=title,
        owner_agency=Agency.objects.get(code=agency),
        service=referral.service,
    )


def last_denial() -> AuditEvent:
    event = AuditEvent.objects.filter(action="denied").order_by("-sequence").first()
    assert event is not None
    return event


def test_the_receiver_adds_tasks_to_a_referral_it_serves(
    police: Any, social: Any, referrals: dict[str, Any]
) -> None:
    shelter = referrals["shelter"]
    with pytest.raises(PermissionDenied):  # not before it has accepted the referral
        _add(social, shelter, "DOSVY-12")
    assert last_denial().detail["wanted"] == "task_create"
    services.referral_accept(actor=social, referral=shelter)
    task = _add(social, shelter, "DOSVY-12")
    assert task.owner_agency.code == "DOSVY-12" and task.referral == shelter
    # Its own list, the owner's reading of the referral, and finishing it.
    assert list(selectors.task_list(actor=social)) == [task]
    assert selectors.task_get(actor=police, pk=task.pk) == task
    assert task in selectors.task_queryset(actor=police).filter(referral=shelter)
    services.task_complete(actor=social, task=task)
    assert Task.objects.get(pk=task.pk).status == "done"


def test_the_receiver_adds_no_task_to_the_case_or_for_the_owner(
    police: Any, social: Any, referrals: dict[str, Any]
) -> None:
    shelter = services.referral_accept(actor=social, referral=referrals["shelter"])
    with pytest.raises(PermissionDenied):  # the case's own tasks are the owner's work
        services.task_create(
            actor=social,
            case=shelter.case,
            title="Close the file",
            owner_agency=Agency.objects.get(code="DOSVY-12"),
            service="shelter",
        )
    with pytest.raises(ValidationError, match="agency you work for"):
        _add(social, shelter, "PAHT-12")
    services.referral_start(actor=social, referral=shelter)
    _add(social, shelter, "DOSVY-12", "While in progress")
    services.referral_complete(actor=social, referral=shelter, outcome="Housed")
    with pytest.raises(PermissionDenied):  # no longer serving
        _add(social, shelter, "DOSVY-12")
    assert list(Task.objects.values_list("title", flat=True)) == ["While in progress"]


def test_another_receiver_of_the_same_victim_reads_and_adds_none(
    police: Any, social: Any, ngo: Any, referrals: dict[str, Any]
) -> None:
    shelter = services.referral_accept(actor=social, referral=referrals["shelter"])
    services.referral_accept(actor=ngo, referral=referrals["legal"])
    theirs = _add(social, shelter, "DOSVY-12", "Find a bed")
    owners = _add(police, shelter, "PAHT-12", "Check on the shelter")
    ngo_task = _add(ngo, referrals["legal"], "NGO-CWCC", "Meet the lawyer")
    # The NGO reads the victim's part of the case, the shelter referral included, but none of
    # that referral's tasks: not by id, not in lists.
    assert selectors.referral_get(actor=ngo, pk=shelter.pk) == shelter
    for task in (theirs, owners):
        with pytest.raises(Http404):
            selectors.task_get(actor=ngo, pk=task.pk)
    assert list(selectors.task_queryset(actor=ngo)) == [ngo_task]
    assert set(selectors.task_queryset(actor=social)) == {theirs, owners}
    assert set(selectors.task_queryset(actor=police)) == {theirs, owners, ngo_task}
    assert not selectors.referral_task_owners(actor=ngo, referral=shelter).exists()
    with pytest.raises(PermissionDenied):
        _add(ngo, shelter, "NGO-CWCC")
    denial = last_denial()
    assert denial.actor_username == ngo.username and denial.detail["wanted"] == "task_create"
    # Nor may it finish the shelter's task.
    with pytest.raises(Http404):
        selectors.task_get(actor=ngo, pk=theirs.pk)


def test_pages_and_api_follow_the_rule(
    police: Any, social: Any, ngo: Any, referrals: dict[str, Any]
) -> None:
    shelter = services.referral_accept(actor=social, referral=referrals["shelter"])
    services.referral_accept(actor=ngo, referral=referrals["legal"])
    social_client = Client()
    social_client.force_login(social)
    detail = social_client.get(reverse("referrals:detail", args=[shelter.pk])).content.decode()
    add_url = reverse("referrals:referral-task-create", args=[shelter.pk])
    assert add_url in detail  # reached by a link from the referral's page
    form = social_client.get(add_url).content.decode()
    assert "DOSVY-12" in form and "PAHT-12" not in form.split("<form")[1]
    answer = social_client.post(
        add_url,
        {
            "title": "Find a bed",
            "owner_agency": Agency.objects.get(code="DOSVY-12").pk,
            "service": "shelter",
        },
    )
    assert answer.status_code == 302
    task = Task.objects.get(title="Find a bed")
    assert task.referral == shelter and task.owner_agency.code == "DOSVY-12"
    police_client = Client()
    police_client.force_login(police)
    assert (
        "Find a bed"
        in police_client.get(reverse("referrals:detail", args=[shelter.pk])).content.decode()
    )
    ngo_client = Client()
    ngo_client.force_login(ngo)
    seen = ngo_client.get(reverse("referrals:detail", args=[shelter.pk]))
    assert seen.status_code == 200 and "Find a bed" not in seen.content.decode()
    assert add_url not in seen.content.decode()
    assert ngo_client.get(add_url).status_code == 403
    api = APIClient()
    api.force_authenticate(ngo)
    assert api.get(f"/api/v1/tasks/{task.pk}/").status_code == 404
    refused = api.post(
        "/api/v1/tasks/",
        {
            "case": shelter.case_id,
            "referral": shelter.pk,
            "title": "Sneak in",
            "owner_agency": "NGO-CWCC",
            "due_on": "2030-01-01",
        },
        format="json",
    )
    assert refused.status_code == 403 and not Task.objects.filter(title="Sneak in").exists()
    api.force_authenticate(social)
    created = api.post(
        "/api/v1/tasks/",
        {
            "case": shelter.case_id,
            "referral": shelter.pk,
            "title": "Buy clothes",
            "owner_agency": "DOSVY-12",
            "due_on": "2030-01-01",
        },
        format="json",
    )
    assert created.status_code == 201
    assert api.get(f"/api/v1/tasks/{task.pk}/").status_code == 200


def test_one_who_may_not_add_tasks_is_not_told_the_case_is_closed(
    police: Any, social: Any, referrals: dict[str, Any]
) -> None:
    from ctip.registry.models import Case

    case = referrals["shelter"].case
    Case.objects.filter(pk=case.pk).update(status="closed")
    case.refresh_from_db()
    assert case.is_closed
    # The receiver has not accepted the referral: it may not add tasks, and is told only that.
    with pytest.raises(PermissionDenied):
        _add(social, referrals["shelter"], "DOSVY-12")
    # The owner's side may: it is told why not now.
    with pytest.raises(ValidationError, match="is closed"):
        _add(police, referrals["shelter"], "PAHT-12")
