"""The verification pages, driven through Django's test client as officers click through them,
and read from the side of those who must not see: other agencies, the public."""

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.verification import services
from ctip.verification.models import Verification

from .conftest import add_evidence, photo

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_officer_orders_and_runs_a_verification_through_the_pages(
    lead: Any, partner: Any, signer: Any, make_member: Any
) -> None:
    client = signed_in(lead)
    home = client.get(reverse("home")).content.decode()
    assert reverse("verification:list") in home  # the menu leads there
    response = client.post(
        reverse("verification:create"),
        {
            "lead_agency": Agency.objects.get(code="AHTJP").pk,
            "allegation": "Children selling at night near the market.",
            "plan": "Visit on Friday night with social affairs.",
            "planned_for": datetime.date.today().isoformat(),
        },
    )
    verification = Verification.objects.get()
    assert response["Location"] == reverse("verification:detail", args=[verification.pk])
    page = client.get(reverse("verification:team-add", args=[verification.pk])).content.decode()
    assert "partner — PAHT-18" in page
    from ctip.access.models import Membership

    for user, code in ((lead, "AHTJP"), (partner, "PAHT-18")):
        membership = Membership.objects.get(user=user, agency__code=code)
        client.post(
            reverse("verification:team-add", args=[verification.pk]),
            {"member": membership.pk, "role": "member"},
        )
    assert verification.team.count() == 2
    client.post(
        reverse("verification:visit", args=[verification.pk]),
        {"visited_on": datetime.date.today().isoformat(), "notes": "Found four children."},
    )
    # Submitting without evidence: the page says so, nothing changes.
    refused = client.post(
        reverse("verification:submit", args=[verification.pk]),
        {"outcome": "substantiated", "sign_off_agency": Agency.objects.get(code="NCCT").pk},
    ).content.decode()
    assert "at least one piece of evidence" in refused
    verification.refresh_from_db()
    assert verification.status == "visited"
    # A photo without its file is not evidence: the page says so.
    refused = client.post(
        reverse("verification:finding-add", args=[verification.pk]),
        {"kind": "photo", "description": "Photo of the children at the stall."},
    ).content.decode()
    assert "Attach the photo, document or statement itself" in refused
    client.post(
        reverse("verification:finding-add", args=[verification.pk]),
        {
            "kind": "photo",
            "description": "Photo of the children at the stall.",
            "file": SimpleUploadedFile("stall.jpg", photo(gps=True), "image/jpeg"),
        },
    )
    finding = verification.findings.get()
    # Stored without its GPS position, and readable by the team through the page's link.
    page = client.get(reverse("verification:detail", args=[verification.pk])).content.decode()
    link = reverse("registry:file-download", args=[finding.file_id])
    assert link in page
    download = client.get(link)
    assert download.status_code == 200
    from PIL import Image

    assert 0x8825 not in Image.open(io.BytesIO(download.content)).getexif()
    # An officer of an agency not involved cannot read it (404, like an unknown file).
    stranger = make_member("case_officer", "PAHT-12", username="stranger")
    assert signed_in(stranger).get(link).status_code == 404
    client.post(
        reverse("verification:submit", args=[verification.pk]),
        {"outcome": "substantiated", "sign_off_agency": Agency.objects.get(code="NCCT").pk},
    )
    verification.refresh_from_db()
    assert verification.status == "awaiting_sign_off"
    queue = signed_in(signer).get(reverse("verification:list") + "?box=sign").content.decode()
    assert verification.reference in queue
    signed_in(signer).post(
        reverse("verification:sign-off", args=[verification.pk]), {"decision": "sign"}
    )
    verification.refresh_from_db()
    assert verification.status == "closed"
    response = client.post(
        reverse("verification:open-case", args=[verification.pk]),
        {"kind": "sexual_exploitation", "province": ""},
    )
    assert "Choose the province of the case" in response.content.decode()
    response = client.post(
        reverse("verification:open-case", args=[verification.pk]),
        {"kind": "sexual_exploitation", "province": Province.objects.get(code="KH-12").pk},
    )
    verification.refresh_from_db()
    case = verification.opened_cases.get().case
    assert response["Location"] == reverse("registry:case-detail", args=[case.pk])
    # The case page links back to the verification it came from.
    case_page = client.get(reverse("registry:case-detail", args=[case.pk])).content.decode()
    assert reverse("verification:detail", args=[verification.pk]) in case_page


def test_same_agency_supervisor_is_told_why_and_nothing_changes(
    submitted: Any, same_supervisor: Any
) -> None:
    page = signed_in(same_supervisor).post(
        reverse("verification:sign-off", args=[submitted.pk]), {"decision": "sign"}
    )
    assert "the agency that verified" in page.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == "awaiting_sign_off"


def test_other_agencies_get_404_and_the_refusal_is_audited(planned: Any, make_member: Any) -> None:
    from ctip.audit.models import AuditEvent

    stranger = make_member("case_officer", "PAHT-12", username="stranger")
    client = signed_in(stranger)
    assert client.get(reverse("verification:detail", args=[planned.pk])).status_code == 404
    assert client.get(reverse("verification:detail", args=[99999])).status_code == 404
    assert AuditEvent.objects.filter(
        actor_username="stranger", action="denied", object_id=str(planned.pk)
    ).exists()
    rows = client.get(reverse("verification:list") + "?box=").content.decode()
    assert planned.reference not in rows
    api = client.get(f"/api/v1/verifications/{planned.pk}/")
    assert api.status_code == 404


def test_persons_found_are_masked_for_roles_without_identity_clearance(
    visited: Any, make_member: Any, lead: Any
) -> None:
    intake = make_member("intake_officer", "AHTJP", username="intake")
    page = signed_in(intake).get(reverse("verification:detail", args=[visited.pk])).content.decode()
    assert "Sok" not in page and "Zhang" not in page and "•••" in page
    own = signed_in(lead).get(reverse("verification:detail", args=[visited.pk])).content.decode()
    assert "Sok Dara" in own


def test_allegation_about_officials_is_hidden_from_the_unit_concerned(
    lead: Any, make_member: Any
) -> None:
    verification = services.verification_create(
        actor=lead,
        lead_agency=Agency.objects.get(code="AHTJP"),
        allegation="Officers of the province police take money from the compound.",
        plan="Visit unannounced.",
        concerns_officials=True,
        unit_concerned=Agency.objects.get(code="PAHT-18"),
    )
    insider = make_member("intake_officer", "PAHT-18", username="insider")
    outsider = make_member("intake_officer", "NCCT", username="outsider-intake")
    url = reverse("verification:detail", args=[verification.pk])
    assert signed_in(insider).get(url).status_code == 404
    assert signed_in(outsider).get(url).status_code == 200


def test_public_page_shows_no_names_and_needs_no_sign_in(submitted: Any, signer: Any) -> None:
    services.verification_sign_off(actor=signer, verification=submitted)
    # Published directly here: the service asks for an allegation from the public (intake).
    Verification.objects.filter(pk=submitted.pk).update(
        published_at=submitted.signed_off_at, public_summary="Workers found held; case opened."
    )
    page = Client().get(reverse("verification:public")).content.decode()
    assert "Workers found held; case opened." in page and "Substantiated" in page
    for secret in ("Dara", "Zhang", "beach road", "Building C", "passport"):
        assert secret not in page
    api = Client().get("/api/v1/verification-summaries/").json()
    assert api["count"] == 1 and api["results"][0]["outcome"] == "Substantiated"


def test_pages_in_khmer(planned: Any, lead: Any) -> None:
    client = signed_in(lead)
    page = client.get(
        reverse("verification:detail", args=[planned.pk]), HTTP_ACCEPT_LANGUAGE="km"
    ).content.decode()
    assert "ការផ្ទៀងផ្ទាត់" in page
    assert "កត់ត្រាការចុះពិនិត្យ" in page  # "Record the visit", this app's own catalogue
    assert "Record the visit" not in page


def test_evidence_counts_on_the_sign_off_page(submitted: Any, signer: Any, lead: Any) -> None:
    add_evidence  # noqa: B018 - the fixture added one statement
    page = signed_in(signer).get(reverse("verification:sign-off", args=[submitted.pk]))
    assert "1 piece of evidence" in page.content.decode()
