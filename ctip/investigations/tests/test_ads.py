"""Job advertisements: pasted, linked to the phones, accounts and organisations they name,
shown with their red flags and the reasons."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from ctip.investigations import services as core
from ctip.investigations.ads import selectors, services
from ctip.investigations.ads.extract import identifiers_in
from ctip.investigations.models import Identifier, JobAd

pytestmark = pytest.mark.django_db

AD = (
    "Golden Fortune is hiring customer service staff in Sihanoukville. High salary $1500, "
    "no experience needed, free flight ticket. Age 18-30, can type English. "
    "Telegram @golden_hr88 or call 012 345 678"
)


def test_an_ad_is_linked_to_what_it_names(investigator: Any, cases: Any) -> None:
    organisation = core.organisation_create(actor=investigator, name="Golden Fortune")
    # The same number recorded in a case: the ad now meets that case through it.
    use = core.identifier_record(
        actor=investigator, case=cases["own_1"], kind="phone", value="+855 12 345 678"
    )
    ad = services.job_ad_paste(actor=investigator, text=AD, service="Facebook")
    assert ad.language == "en" and ad.case is None
    assert set(ad.organisations.all()) == {organisation}
    kinds = {(i.kind, i.service) for i in ad.identifiers.all()}
    assert kinds == {("phone", ""), ("account", "telegram")}
    assert use.identifier in ad.identifiers.all()
    telegram = Identifier.objects.get(kind="account")
    assert telegram.value == "golden_hr88"


def test_flags_and_reasons_are_shown(client: Any, investigator: Any) -> None:
    client.force_login(investigator)
    page = client.post("/investigations/ads/", {"ad-text": AD, "ad-service": "Facebook"})
    assert page.status_code == 302
    ad = JobAd.objects.get()
    body = client.get(f"/investigations/ads/{ad.pk}/").content.decode()
    for label in (
        "High pay for no qualifications",
        "Overseas travel paid",
        "Vague employer",
        "Contact only through messaging apps",
        "Age and language requirements",
    ):
        assert label in body
    assert "no experience needed" in body and "@golden_hr88" in body
    listing = client.get("/investigations/ads/?flagged=1").content.decode()
    assert f'data-ad="{ad.pk}"' in listing
    assert client.get("/investigations/ads/", HTTP_ACCEPT_LANGUAGE="km").status_code == 200


def test_an_empty_ad_is_refused_naming_the_field(client: Any, investigator: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.job_ad_paste(actor=investigator, text="   ")
    assert "text" in refused.value.message_dict
    client.force_login(investigator)
    page = client.post("/investigations/ads/", {"ad-text": ""})
    assert page.status_code == 400 and not JobAd.objects.exists()


def test_ads_of_other_agencies_are_not_found(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    theirs = services.job_ad_paste(actor=officer_sr, text=AD)
    with pytest.raises(Http404):
        selectors.ad_get(actor=investigator, pk=theirs.pk)
    assert selectors.ad_list(actor=investigator) == []
    assert selectors.ad_get(actor=officer_sr, pk=theirs.pk).flags


def test_identifiers_are_found_in_the_text() -> None:
    found = identifiers_in("WhatsApp wa.me/85512345678, mail jobs@example.com, 微信 abc")
    assert ("account", "wa.me/85512345678", "") in found
    assert ("email", "jobs@example.com", "") in found
