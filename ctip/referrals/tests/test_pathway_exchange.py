"""A victim's service pathway with its gaps, and the cross-border exchange package."""

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ctip.audit.models import AuditEvent
from ctip.referrals import selectors, services
from ctip.referrals.models import Referral
from ctip.registry.services import document_add, victim_profile_save

pytestmark = pytest.mark.django_db
D = datetime.date


def payload_of(package: Any) -> dict[str, Any]:
    """The package's HTCDS record (the encrypted field decrypts to a dict)."""
    return dict(package.payload)


def test_find_gaps_flags_thirty_days_without_service() -> None:
    gaps = selectors.find_gaps(
        D(2024, 1, 1),
        D(2024, 6, 1),
        [(D(2024, 1, 5), D(2024, 2, 1)), (D(2024, 2, 20), D(2024, 3, 1))],
    )
    assert [(g.start, g.end, g.ongoing) for g in gaps] == [(D(2024, 3, 1), D(2024, 6, 1), True)]
    gaps = selectors.find_gaps(D(2024, 1, 1), D(2024, 3, 1), [(D(2024, 2, 15), D(2024, 3, 1))])
    assert [(g.start, g.days) for g in gaps] == [(D(2024, 1, 1), 45)]
    assert selectors.find_gaps(D(2024, 1, 1), D(2024, 1, 30), []) == []


def test_pathway_shows_a_gap_after_service_ended(police: Any, social: Any, victim: Any) -> None:
    referral = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    services.referral_accept(actor=social, referral=referral)
    services.referral_start(actor=social, referral=referral)
    services.referral_complete(actor=social, referral=referral)
    # Seen 45 days later, with nothing since the shelter stay ended.
    later = timezone.localdate() + datetime.timedelta(days=45)
    path = selectors.pathway(actor=police, participant_id=victim.pk, today=later)
    assert len(path.gaps) == 1 and path.gaps[0].ongoing and path.gaps[0].days >= 30
    kinds = [entry.kind for entry in path.entries]
    assert kinds[0] == "identification" and "referral_completed" in kinds


def test_pathway_is_scoped_and_audited(police: Any, victim: Any, make_member: Any) -> None:
    outsider = make_member("case_officer", "NGO-HAGAR")
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.pathway(actor=outsider, participant_id=victim.pk)
    assert AuditEvent.objects.filter(
        action="denied", object_type="registry.participant", object_id=str(victim.pk)
    ).exists()


@pytest.fixture
def foreign_victim(police: Any, victim: Any) -> Any:
    victim_profile_save(
        actor=police,
        participant=victim,
        consent_to_share=True,
        consent_recorded_on=timezone.localdate(),
    )
    document_add(actor=police, person=victim.person, kind="passport", number="N1234567")
    victim.refresh_from_db()
    return victim


def test_exchange_package_carries_identity_only_with_consent(
    police: Any, foreign_victim: Any
) -> None:
    without = services.referral_send(
        actor=police, participant=foreign_victim, to_agency="FP-THA", service="repatriation"
    )
    package = services.exchange_package_create(actor=police, referral=without)
    assert "per_GivenName" not in package.payload
    assert "per_IdentityDocuments" not in package.payload
    assert payload_of(package)["per_Citizenship"] == ["KHM"]
    assert payload_of(package)["ref_ToAgency"] == "FP-THA"

    with_identity = services.referral_send(
        actor=police,
        participant=foreign_victim,
        to_agency="FP-VNM",
        service="repatriation",
        shares_identity=True,
    )
    package = services.exchange_package_create(actor=police, referral=with_identity)
    assert payload_of(package)["per_GivenName"] == "Sophea"
    assert payload_of(package)["per_IdentityDocuments"][0]["number"] == "N1234567"
    event = AuditEvent.objects.get(action="export", object_id=str(package.pk))
    assert "per_GivenName" in event.detail["identity_fields"]
    assert "N1234567" not in json.dumps(event.detail)


def test_exchange_package_only_for_repatriation_to_foreign_partner(
    police: Any, social: Any, victim: Any
) -> None:
    referral = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="repatriation"
    )
    with pytest.raises(ValidationError) as exc:
        services.exchange_package_create(actor=police, referral=referral)
    assert "to_agency" in exc.value.message_dict
    foreign = services.referral_send(
        actor=police, participant=victim, to_agency="FP-CHN", service="repatriation"
    )
    with pytest.raises(PermissionDenied):
        services.exchange_package_create(actor=social, referral=foreign)


def test_exchange_pdf_json_and_hand_entered_updates(police: Any, foreign_victim: Any) -> None:
    referral = services.referral_send(
        actor=police, participant=foreign_victim, to_agency="FP-THA", service="repatriation"
    )
    client = Client()
    client.force_login(police)
    response = client.post(reverse("referrals:exchange-create", args=[referral.pk]))
    package = Referral.objects.get(pk=referral.pk).exchange_package
    assert response["Location"] == reverse("referrals:exchange", args=[package.pk])
    pdf = client.get(reverse("referrals:exchange-pdf", args=[package.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    record = json.loads(client.get(reverse("referrals:exchange-json", args=[package.pk])).content)
    assert record["ref_Service"] == "repatriation" and "per_GivenName" not in record
    today = timezone.localdate().isoformat()
    client.post(
        reverse("referrals:exchange", args=[package.pk]),
        {"status": "acknowledged", "occurred_on": today, "note": "Thai DSDW confirmed"},
    )
    page = client.get(reverse("referrals:exchange", args=[package.pk])).content.decode()
    assert "Acknowledged by partner" in page and "Thai DSDW confirmed" in page
    bad = client.post(
        reverse("referrals:exchange", args=[package.pk]),
        {"status": "returned", "occurred_on": "2099-01-01"},
    )
    assert "in the future" in bad.content.decode()
    package.refresh_from_db()
    assert package.status == "acknowledged"


def test_override_shares_identity_in_exchange(police: Any, victim: Any, make_member: Any) -> None:
    supervisor = make_member("supervisor", "PAHT-12", username="police-supervisor")
    referral = services.referral_send(
        actor=supervisor,
        participant=victim,
        to_agency="FP-MYS",
        service="repatriation",
        shares_identity=True,
    )
    package = services.exchange_package_create(actor=police, referral=referral)
    assert payload_of(package)["per_FamilyName"] == "Chan"


def test_pathway_queries_do_not_grow_with_the_persons_cases(police: Any, victim: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ctip.registry.services import case_create, participant_add

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            entries = selectors.pathway(actor=police, participant_id=victim.pk).entries
        assert entries
        return len(captured)

    before = queries()
    for day in (3, 2):  # the same person, a victim again in two more of the unit's cases
        case = case_create(
            actor=police,
            kind="trafficking",
            source="operation",
            owning_agency=victim.case.owning_agency,
            province=victim.case.province,
            opened_on=datetime.date.today() - datetime.timedelta(days=day),
        )
        participant_add(actor=police, case=case, person=victim.person, role="victim")
    assert len(selectors.pathway(actor=police, participant_id=victim.pk).entries) >= 3
    assert queries() == before


def test_may_prepare_exchange_only_for_the_sender_of_a_foreign_repatriation(
    police: Any, social: Any, victim: Any
) -> None:
    foreign = services.referral_send(
        actor=police, participant=victim, to_agency="FP-THA", service="repatriation"
    )
    local = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="repatriation"
    )
    assert selectors.may_prepare_exchange(actor=police, referral=foreign)
    assert not selectors.may_prepare_exchange(actor=police, referral=local)
    assert not selectors.may_prepare_exchange(actor=social, referral=foreign)
    # Once prepared, or once the referral is closed, the page no longer offers it either.
    services.exchange_package_create(actor=police, referral=foreign)
    assert not selectors.may_prepare_exchange(actor=police, referral=foreign)
    other = services.referral_send(
        actor=police, participant=victim, to_agency="FP-MYS", service="repatriation"
    )
    services.referral_close(actor=police, referral=other, reason="family traced elsewhere")
    other.refresh_from_db()
    assert not selectors.may_prepare_exchange(actor=police, referral=other)


def test_exchange_package_export_is_audited_by_the_selector(
    police: Any, foreign_victim: Any
) -> None:
    referral = services.referral_send(
        actor=police, participant=foreign_victim, to_agency="FP-THA", service="repatriation"
    )
    package = services.exchange_package_create(actor=police, referral=referral)
    before = AuditEvent.objects.filter(action="export", object_id=str(package.pk)).count()
    content = selectors.exchange_package_export(actor=police, package=package, fmt="json")
    assert json.loads(content)["ref_ToAgency"] == "FP-THA"
    events = AuditEvent.objects.filter(action="export", object_id=str(package.pk))
    assert events.count() == before + 1
    assert events.order_by("-id").first().detail["format"] == "json"  # type: ignore[union-attr]
