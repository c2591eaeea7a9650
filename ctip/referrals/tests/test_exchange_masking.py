"""Exchange packages obey masking on every surface (issue #11, item 2), tried as the reader
who must not see the identity: an NGO partner who sees the victim as ••• everywhere else."""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from ctip.access.masking import MASK
from ctip.access.models import Agency
from ctip.access.services import identity_reveal
from ctip.referrals import services
from ctip.registry.services import case_share, document_add

pytestmark = pytest.mark.django_db
SECRETS = ("Sophea", "N1234567")  # ("Chan" is in "Change language")


@pytest.fixture
def package(police: Any, victim: Any) -> Any:
    """A repatriation package that carries the (consented) identity, with a passport."""
    document_add(actor=police, person=victim.person, kind="passport", number="N1234567")
    referral = services.referral_send(
        actor=police,
        participant=victim,
        to_agency="FP-THA",
        service="repatriation",
        shares_identity=True,
    )
    return services.exchange_package_create(actor=police, referral=referral)


@pytest.fixture
def ngo(police: Any, victim: Any, make_member: Any) -> Any:
    """An NGO partner of an agency the case was shared with: it sees the case, names masked."""
    case_share(actor=police, case=victim.case, agency=Agency.objects.get(code="NGO-CWCC"))
    return make_member("ngo_partner", "NGO-CWCC", username="ngo")


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _page(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_ngo_partner_sees_the_person_masked_elsewhere(ngo: Any, victim: Any) -> None:
    """The premise: the same reader sees the person as ••• on the registry's own API."""
    person = _api(ngo).get(f"/api/v1/persons/{victim.person_id}/").json()
    assert person["given_name_latin"] == MASK


def test_api_page_json_and_pdf_mask_identity_for_the_ngo_partner(
    ngo: Any, package: Any, monkeypatch: Any
) -> None:
    response = _api(ngo).get(f"/api/v1/exchange-packages/{package.pk}/")
    assert response.status_code == 200
    payload = response.json()["payload"]
    assert isinstance(payload, dict)  # real JSON, not a Python repr in a string
    assert payload["per_GivenName"] == MASK and payload["per_FamilyName"] == MASK
    assert payload["per_IdentityDocuments"] == [
        {"type": "passport", "number": MASK, "issuingCountry": None}
    ]
    assert payload["ref_Service"] == "repatriation"  # what is not identity stays readable
    page = _page(ngo).get(reverse("referrals:exchange", args=[package.pk])).content.decode()
    record = _page(ngo).get(reverse("referrals:exchange-json", args=[package.pk])).content
    assert json.loads(record)["per_GivenName"] == MASK
    # The PDF is rendered for real; the HTML WeasyPrint is given is kept to read it back
    # (the PDF itself holds glyph ids, not the letters).
    import weasyprint

    rendered: list[str] = []

    class RecordingHTML(weasyprint.HTML):
        def __init__(self, *args: Any, string: str = "", **kwargs: Any) -> None:
            rendered.append(string)
            super().__init__(*args, string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", RecordingHTML)
    pdf = _page(ngo).get(reverse("referrals:exchange-pdf", args=[package.pk]))
    assert pdf.content.startswith(b"%PDF") and rendered and MASK in rendered[0]
    for surface in (response.content.decode(), page, record.decode(), rendered[0]):
        for secret in SECRETS:
            assert secret not in surface


def test_the_sender_with_clearance_and_a_revealing_partner_read_it(
    police: Any, ngo: Any, package: Any, victim: Any
) -> None:
    payload = _api(police).get(f"/api/v1/exchange-packages/{package.pk}/").json()["payload"]
    assert payload["per_GivenName"] == "Sophea"
    assert payload["per_IdentityDocuments"][0]["number"] == "N1234567"
    # Revealing the person (reason, password, audited) opens the package as it opens the
    # person's page: one rule for both.
    identity_reveal(
        actor=ngo,
        obj=victim.person,
        reason="Preparing the return with the family",
        password="a-long-test-password",
    )
    payload = _api(ngo).get(f"/api/v1/exchange-packages/{package.pk}/").json()["payload"]
    assert payload["per_GivenName"] == "Sophea"


def test_only_the_owner_side_and_this_referrals_receiver_read_the_package(
    police: Any, social: Any, victim: Any, package: Any, make_member: Any
) -> None:
    """Another agency referred the same victim (for shelter) reads her part of the case, but
    not the package made for the repatriation referral to the partner country."""
    services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    assert _api(social).get(f"/api/v1/exchange-packages/{package.pk}/").status_code == 404
    page = _page(social).get(reverse("referrals:exchange", args=[package.pk]))
    assert page.status_code == 404
    receiver = make_member("case_officer", "FP-THA", username="thai-partner")
    assert _api(receiver).get(f"/api/v1/exchange-packages/{package.pk}/").status_code == 200
