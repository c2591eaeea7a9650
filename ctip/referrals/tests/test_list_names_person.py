"""The referral list names the person where the referral shared their identity (#14 item 6 and
"an NGO partner sees its referred victims without one reveal per person"), and only there."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from ctip.referrals import services
from ctip.registry.services import victim_profile_save

pytestmark = pytest.mark.django_db


def test_an_ngo_partner_reads_the_names_of_its_referred_victims_in_the_list(
    police: Any, victim: Any, make_member: Any
) -> None:
    partner = make_member("ngo_partner", "NGO-CWCC")
    services.referral_send(
        actor=police,
        participant=victim,
        to_agency="NGO-CWCC",
        service="legal_aid",
        shares_identity=True,
    )
    client = Client()
    client.force_login(partner)
    page = client.get(reverse("referrals:list") + "?box=inbox").content.decode()
    assert "Sophea" in page and "•••" not in page
    assert "Reveal" not in page


def test_without_shared_identity_the_list_names_the_role_only(
    police: Any, victim: Any, make_member: Any
) -> None:
    victim_profile_save(actor=police, participant=victim, consent_to_share=True)
    partner = make_member("ngo_partner", "NGO-CWCC")
    services.referral_send(
        actor=police, participant=victim, to_agency="NGO-CWCC", service="legal_aid"
    )
    client = Client()
    client.force_login(partner)
    page = client.get(reverse("referrals:list") + "?box=inbox").content.decode()
    assert "Sophea" not in page and "Victim" in page
