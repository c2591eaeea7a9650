"""Agencies taking part in an operation register the persons they find, for their own agency
(decision 0781); anyone else is refused, audited, whatever door they try (attacker's side)."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from ctip.access.models import Agency
from ctip.access.testing import verified_login
from ctip.audit.choices import AuditAction
from ctip.audit.models import AuditEvent
from ctip.registry.choices import ShareReason
from ctip.registry.models import CaseShare, Person
from ctip.registry.selectors import person_queryset
from ctip.screening import services
from ctip.screening.models import FoundPerson

from .conftest import ROWS, screen

pytestmark = pytest.mark.django_db


def registered_by(person: Person) -> str:
    assert person.registered_by is not None
    return person.registered_by.code


@pytest.fixture
def social(make_member: Any) -> Any:
    """An officer of DOSVY-18, the social affairs department taking part in the raid."""
    return make_member("case_officer", "DOSVY-18", username="social18")


def test_an_agency_taking_part_registers_persons_for_itself(
    social: Any, police: Any, operation: Any
) -> None:
    made = services.found_persons_add(actor=social, operation=operation, rows=[dict(ROWS[0])])
    person = made[0].person
    assert registered_by(person) == "DOSVY-18"
    assert made[0].participant.case == operation.case  # in the lead agency's case
    # Both sides see the person: the registering agency and the lead agency owning the case.
    assert person_queryset(actor=social).filter(pk=person.pk).exists()
    assert person_queryset(actor=police).filter(pk=person.pk).exists()
    # The lead agency's officer screens the person the partner registered.
    screen(police, made[0])
    event = AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="registry.case")
    assert event.filter(detail__registered_by="DOSVY-18").exists()


def test_the_lead_agency_still_registers_for_itself(police: Any, operation: Any) -> None:
    made = services.found_persons_add(actor=police, operation=operation, rows=[dict(ROWS[1])])
    assert registered_by(made[0].person) == "PAHT-18"


def test_an_outsider_is_refused_and_audited(outsider: Any, operation: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.found_persons_add(actor=outsider, operation=operation, rows=[dict(ROWS[0])])
    assert not FoundPerson.objects.exists() and not Person.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.DENIED, actor_id=outsider.pk).exists()


def test_an_agency_that_only_received_a_referral_may_not_register(
    make_member: Any, operation: Any
) -> None:
    # A referral opens the case for reading only: no registering into it.
    ngo = Agency.objects.exclude(code__in=["PAHT-18", "DOSVY-18"]).filter(kind="ngo").first()
    assert ngo is not None
    CaseShare.objects.create(case=operation.case, agency=ngo, reason=ShareReason.REFERRAL)
    officer = make_member("case_officer", ngo.code)
    with pytest.raises(PermissionDenied):
        services.found_persons_add(actor=officer, operation=operation, rows=[dict(ROWS[0])])
    assert not Person.objects.exists()


def test_a_partner_without_the_officer_role_may_not_register(
    make_member: Any, operation: Any
) -> None:
    analyst = make_member("analyst", "DOSVY-18")
    with pytest.raises(PermissionDenied):
        services.found_persons_add(actor=analyst, operation=operation, rows=[dict(ROWS[0])])
    assert not Person.objects.exists()


def test_the_registry_refuses_a_registering_agency_the_case_is_not_shared_with(
    police: Any, operation: Any, make_member: Any
) -> None:
    from ctip.registry.services import persons_register_in_case

    # An officer of two agencies, one of them not in the operation, cannot route persons
    # into the case under the other one's name.
    both = make_member("case_officer", "PAHT-12")
    from ctip.access.models import Membership

    Membership.objects.create(
        user=both, agency=Agency.objects.get(code="PAHT-18"), role="case_officer"
    )
    with pytest.raises(PermissionDenied):
        persons_register_in_case(
            actor=both,
            case=operation.case,
            role="other",
            people=[{"family_name_latin": "Li"}],
            registering_agency=Agency.objects.get(code="PAHT-12"),
        )
    assert not Person.objects.exists()


def test_a_partner_officer_uses_the_grid_by_links(client: Any, social: Any, operation: Any) -> None:
    verified_login(client, social)
    page = client.get(reverse("screening:operation-detail", args=[operation.pk])).content.decode()
    grid = reverse("screening:found-grid", args=[operation.pk])
    assert f'href="{grid}"' in page
    data = {"count": "25", "r0-family_name": "Li", "r0-nationality": "CHN", "r0-sex": "male"}
    assert client.post(grid, data).status_code == 302
    assert registered_by(FoundPerson.objects.get().person) == "DOSVY-18"


def test_an_outsider_gets_not_found_on_the_grid(client: Any, outsider: Any, operation: Any) -> None:
    verified_login(client, outsider)
    grid = reverse("screening:found-grid", args=[operation.pk])
    assert client.get(grid).status_code == 404
    data = {"count": "25", "r0-family_name": "Li", "r0-sex": "male"}
    assert client.post(grid, data).status_code == 404
    assert not FoundPerson.objects.exists()
