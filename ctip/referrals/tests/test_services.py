"""Referral rules: who may send and move a referral, in which order, with which consent."""

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ctip.access.models import Agency
from ctip.audit.models import AuditEvent
from ctip.referrals import services
from ctip.referrals.models import Referral, ServiceDeadline, Task
from ctip.registry.models import CaseShare
from ctip.registry.selectors import case_list
from ctip.registry.services import case_close

pytestmark = pytest.mark.django_db


def send(actor: Any, participant: Any, **kwargs: Any) -> Referral:
    kwargs.setdefault("to_agency", "DOSVY-12")
    kwargs.setdefault("service", "shelter")
    return services.referral_send(actor=actor, participant=participant, **kwargs)


def last_denial() -> AuditEvent:
    event = AuditEvent.objects.filter(action="denied").order_by("-sequence").first()
    assert event is not None
    return event


def test_sending_shares_the_case_with_the_receiver(police: Any, social: Any, victim: Any) -> None:
    assert not case_list(actor=social).filter(pk=victim.case_id).exists()
    referral = send(police, victim)
    assert referral.status == "sent"
    assert referral.from_agency.code == "PAHT-12"
    assert CaseShare.objects.get(case=victim.case, agency__code="DOSVY-12").reason == "referral"
    assert case_list(actor=social).filter(pk=victim.case_id).exists()
    assert AuditEvent.objects.filter(
        object_type="referrals.referral", object_id=str(referral.pk), action="create"
    ).exists()


def test_due_dates_come_from_the_service_deadline(police: Any, victim: Any) -> None:
    rule = ServiceDeadline.objects.get(service="medical_care")
    referral = send(police, victim, to_agency="MOH", service="medical_care")
    today = timezone.localdate(referral.sent_at)
    assert referral.accept_due_on - today == datetime.timedelta(days=rule.days_to_accept)
    assert referral.due_on - today == datetime.timedelta(days=rule.days_to_complete)


def test_full_lifecycle_each_step_timestamped(police: Any, social: Any, victim: Any) -> None:
    referral = send(police, victim)
    services.referral_accept(actor=social, referral=referral)
    services.referral_start(actor=social, referral=referral)
    services.referral_complete(actor=social, referral=referral, outcome="Sheltered 6 weeks")
    referral.refresh_from_db()
    assert referral.status == "completed"
    stamps = [referral.accepted_at, referral.started_at, referral.completed_at]
    assert None not in stamps and stamps == sorted(stamps)  # type: ignore[type-var]
    assert referral.outcome == "Sheltered 6 weeks"
    transitions = AuditEvent.objects.filter(
        object_type="referrals.referral", object_id=str(referral.pk), action="update"
    ).values_list("detail__transition", flat=True)
    assert list(transitions) == ["accept", "start", "complete"]


def test_out_of_order_is_refused_and_audited(police: Any, social: Any, victim: Any) -> None:
    referral = send(police, victim)
    with pytest.raises(ValidationError) as exc:
        services.referral_complete(actor=social, referral=referral)
    assert "status" in exc.value.message_dict
    referral.refresh_from_db()
    assert referral.status == "sent" and referral.completed_at is None
    denial = last_denial()
    assert denial.detail["wanted"] == "referral_complete"
    assert denial.object_id == str(referral.pk)


def test_wrong_agency_cannot_accept(police: Any, victim: Any, make_member: Any) -> None:
    referral = send(police, victim)
    with pytest.raises(PermissionDenied, match="DOSVY-12"):
        services.referral_accept(actor=police, referral=referral)
    outsider = make_member("case_officer", "NGO-HAGAR")
    with pytest.raises(PermissionDenied):
        services.referral_accept(actor=outsider, referral=referral)
    referral.refresh_from_db()
    assert referral.status == "sent"
    assert last_denial().detail["wanted"] == "referral_accept"


def test_only_the_sender_closes(police: Any, social: Any, victim: Any) -> None:
    referral = send(police, victim)
    with pytest.raises(PermissionDenied):
        services.referral_close(actor=social, referral=referral, reason="not needed")
    with pytest.raises(ValidationError) as exc:
        services.referral_close(actor=police, referral=referral, reason=" ")
    assert "reason" in exc.value.message_dict
    services.referral_close(actor=police, referral=referral, reason="Family took her home")
    referral.refresh_from_db()
    assert referral.status == "closed" and referral.close_reason == "Family took her home"


def test_decline_needs_a_reason(police: Any, social: Any, victim: Any) -> None:
    referral = send(police, victim)
    with pytest.raises(ValidationError) as exc:
        services.referral_decline(actor=social, referral=referral, reason="")
    assert "reason" in exc.value.message_dict
    services.referral_decline(actor=social, referral=referral, reason="Shelter full")
    referral.refresh_from_db()
    assert referral.status == "declined" and referral.declined_at is not None
    with pytest.raises(ValidationError):
        services.referral_accept(actor=social, referral=referral)


def test_closed_case_refuses_sending_and_moving(
    police: Any, social: Any, victim: Any, make_member: Any
) -> None:
    referral = send(police, victim)
    supervisor = make_member("supervisor", "PAHT-12")
    case_close(actor=supervisor, case=victim.case, reason="Court judgement final")
    with pytest.raises(ValidationError) as exc:
        services.referral_accept(actor=social, referral=referral)
    assert "case" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        send(police, victim, to_agency="MOH", service="medical_care")
    assert "case" in exc.value.message_dict
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("to_agency", "service", "field"),
    [
        ("NO-SUCH-AGENCY", "shelter", "to_agency"),
        ("COURT-12", "shelter", "to_agency"),  # a court offers prosecution, not shelter
        ("DOSVY-12", "haircut", "service"),
        ("PAHT-12", "investigation", "to_agency"),  # to itself
    ],
)
def test_bad_receiver_or_service_is_refused(
    police: Any, victim: Any, to_agency: str, service: str, field: str
) -> None:
    before = AuditEvent.objects.filter(action="denied").count()
    with pytest.raises(ValidationError) as exc:
        send(police, victim, to_agency=to_agency, service=service)
    assert field in exc.value.message_dict
    assert Referral.objects.count() == 0
    assert not CaseShare.objects.filter(case=victim.case).exists()
    assert AuditEvent.objects.filter(action="denied").count() == before + 1


def test_administrator_can_change_what_an_agency_offers(police: Any, victim: Any) -> None:
    court = Agency.objects.get(code="COURT-12")
    services.agency_service_set(actor=None, agency=court, service="legal_aid", offered=True)
    assert send(police, victim, to_agency="COURT-12", service="legal_aid").status == "sent"
    dosvy = Agency.objects.get(code="DOSVY-12")
    services.agency_service_set(actor=None, agency=dosvy, service="shelter", offered=False)
    with pytest.raises(ValidationError, match="does not offer"):
        send(police, victim)


def test_identity_needs_consent_or_override(police: Any, unconsented_victim: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        send(police, unconsented_victim, shares_identity=True)
    assert "shares_identity" in exc.value.message_dict
    # Without identity in the referral itself, the case file it opens still holds it.
    with pytest.raises(ValidationError) as exc:
        send(police, unconsented_victim, shares_identity=False)
    assert "case" in exc.value.message_dict
    assert not CaseShare.objects.filter(case=unconsented_victim.case).exists()
    assert not Referral.objects.exists()


def test_a_case_already_shared_with_the_receiver_needs_no_new_consent(
    police: Any, unconsented_victim: Any
) -> None:
    CaseShare.objects.create(
        case=unconsented_victim.case, agency=Agency.objects.get(code="DOSVY-12"), reason="shared"
    )
    assert send(police, unconsented_victim).consent_basis == "not_needed"


def test_recorded_consent_allows_sharing_identity(police: Any, victim: Any) -> None:
    referral = send(police, victim, shares_identity=True)
    assert referral.consent_basis == "consent"
    assert CaseShare.objects.filter(case=victim.case, agency__code="DOSVY-12").exists()


def test_supervisors_override_is_audited(
    police: Any, unconsented_victim: Any, make_member: Any
) -> None:
    """Who may override is the registry's rule for sharing: a supervisor of the case's agency
    (access.consent.can_override_consent), not a permission granted anywhere."""
    elsewhere = make_member("supervisor", "DOSVY-12", username="other-supervisor")
    # Refused as one who may not refer from the case at all, before any consent check (which
    # would tell an outsider whether the victim consented).
    with pytest.raises(PermissionDenied):
        send(elsewhere, unconsented_victim, shares_identity=True)
    supervisor = make_member("supervisor", "PAHT-12", username="police-supervisor")
    referral = send(supervisor, unconsented_victim, shares_identity=True)
    assert referral.consent_basis == "override"
    event = AuditEvent.objects.get(
        object_type="referrals.referral", object_id=str(referral.pk), action="create"
    )
    assert event.detail == {"consent_override": True}


def test_changed_deadline_rules_refuse_a_stale_form(police: Any, victim: Any) -> None:
    stale = services.deadline_days("shelter")[2]
    services.service_deadline_set(
        actor=None, service="shelter", days_to_accept=2, days_to_complete=60
    )
    with pytest.raises(ValidationError) as exc:
        send(police, victim, deadline_stamp=stale)
    assert "due_on" in exc.value.message_dict
    fresh = services.deadline_days("shelter")[2]
    assert send(police, victim, deadline_stamp=fresh).status == "sent"


def test_duplicate_open_referral_is_refused(police: Any, victim: Any) -> None:
    send(police, victim)
    with pytest.raises(ValidationError, match="already has an open referral"):
        send(police, victim)


def test_task_takes_the_service_default_due_date(police: Any, victim: Any) -> None:
    task = services.task_create(
        actor=police,
        case=victim.case,
        title="Take statement",
        owner_agency=Agency.objects.get(code="PAHT-12"),
        service="investigation",
    )
    days = ServiceDeadline.objects.get(service="investigation").days_to_complete
    assert (task.due_on - timezone.localdate(task.created_at)).days == days
    services.task_complete(actor=police, task=task)
    assert Task.objects.get(pk=task.pk).status == "done"
    with pytest.raises(ValidationError):
        services.task_complete(actor=police, task=task)


def test_a_guessed_task_id_is_refused_like_an_unknown_one_and_audited(
    police: Any, victim: Any, make_member: Any
) -> None:
    from django.http import Http404

    from ctip.referrals.selectors import task_get

    task = services.task_create(
        actor=police,
        case=victim.case,
        title="Take statement",
        owner_agency=Agency.objects.get(code="PAHT-12"),
        service="investigation",
    )
    outsider = make_member("case_officer", "PAHT-18")
    with pytest.raises(Http404):
        task_get(actor=outsider, pk=task.pk)
    denial = last_denial()
    assert (denial.object_type, denial.object_id) == ("referrals.task", str(task.pk))
    assert denial.actor_username == outsider.username
    assert task_get(actor=police, pk=task.pk) == task


def test_send_form_reads_every_service_deadline_in_one_query(
    django_assert_num_queries: Any,
) -> None:
    from ctip.referrals import selectors
    from ctip.referrals.choices import Service

    ServiceDeadline.objects.filter(service=Service.values[0]).delete()  # one left on defaults
    with django_assert_num_queries(1):
        rules, stamps = selectors.send_form_deadlines()
    assert len(rules) == len(Service.values) and rules[0] is None
    assert stamps == {service: services.deadline_days(service)[2] for service in Service.values}
