"""A referral's own notes (decision 0510): its receiver and its sending side write and read
them; another agency referred the same victim does neither; refusals are audited."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse

from ctip.audit.models import AuditEvent
from ctip.referrals import selectors, services
from ctip.referrals.models import ReferralNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def ngo(make_member: Any) -> Any:
    return make_member("case_officer", "NGO-CWCC", username="ngo")


def test_both_sides_write_and_read_and_another_receiver_neither(
    police: Any, social: Any, ngo: Any, victim: Any
) -> None:
    shelter = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    services.referral_send(
        actor=police, participant=victim, to_agency="NGO-CWCC", service="legal_aid"
    )
    theirs = services.referral_note_add(actor=social, referral=shelter, text="Bed found.")
    ours = services.referral_note_add(actor=police, referral=shelter, text="Court on Monday.")
    assert (theirs.agency.code, ours.agency.code) == ("DOSVY-12", "PAHT-12")
    assert list(selectors.referral_notes(actor=police, referral=shelter)) == [theirs, ours]
    assert list(selectors.referral_notes(actor=social, referral=shelter)) == [theirs, ours]
    assert list(selectors.referral_notes(actor=ngo, referral=shelter)) == []
    with pytest.raises(PermissionDenied):
        services.referral_note_add(actor=ngo, referral=shelter, text="Sneaking in.")
    denied = AuditEvent.objects.filter(action="denied").order_by("-sequence").first()
    assert denied is not None and denied.detail["wanted"] == "referral_note_add"
    with pytest.raises(ValidationError):
        services.referral_note_add(actor=social, referral=shelter, text="   ")
    assert ReferralNote.objects.count() == 2
    # Stored encrypted, and the audit trail does not hold the text.
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM referrals_referralnote")
        assert not any("Bed found" in row[0] for row in cursor.fetchall())
    created = AuditEvent.objects.filter(object_type="referrals.referralnote").first()
    assert created is not None and "Bed found" not in str(created.changes)


def test_the_page_offers_the_note_form_to_both_sides_only(
    police: Any, social: Any, ngo: Any, victim: Any
) -> None:
    shelter = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    services.referral_send(
        actor=police, participant=victim, to_agency="NGO-CWCC", service="legal_aid"
    )
    url = reverse("referrals:detail", args=[shelter.pk])
    post = reverse("referrals:referral-note-add", args=[shelter.pk])
    social_client, ngo_client = Client(), Client()
    social_client.force_login(social)
    ngo_client.force_login(ngo)
    assert post in social_client.get(url).content.decode()
    answer = social_client.post(post, {"text": "Stayed two nights; calm."})
    assert answer.status_code == 302
    assert "Stayed two nights" in social_client.get(url).content.decode()
    page = ngo_client.get(url).content.decode()
    assert post not in page and "Stayed two nights" not in page
    ngo_client.post(post, {"text": "Sneaking in."})
    assert not ReferralNote.objects.filter(agency__code="NGO-CWCC").exists()
