"""The investigations pages, from the investigator's side and from an attacker's."""

from typing import Any

import pytest
from django.urls import reverse

from ctip.access.masking import MASK
from ctip.audit.models import AuditEvent
from ctip.investigations import selectors, services
from ctip.investigations.models import Identifier, IdentifierUse

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_phone(investigator: Any, officer_sr: Any, cases: Any, suspect: Any) -> Any:
    services.identifier_record(
        actor=investigator, case=cases["own_1"], kind="phone", value="012 345 678", person=suspect
    )
    services.identifier_record(
        actor=investigator, case=cases["own_2"], kind="phone", value="+855 12 345 678"
    )
    services.identifier_record(
        actor=officer_sr, case=cases["sr"], kind="phone", value="012-345-678"
    )
    return Identifier.objects.get()


def test_case_page_shows_counts_and_follows_the_number(
    client: Any, investigator: Any, cases: Any, shared_phone: Any
) -> None:
    client.force_login(investigator)
    page = client.get(reverse("investigations:case", args=[cases["own_1"].pk])).content.decode()
    assert "+855 12 345 678" in page
    assert "in 1 other case you may see" in page
    assert "1 more you may not see" in page
    assert cases["own_2"].reference in page
    assert cases["sr"].reference not in page  # counted, never named
    page = client.get(reverse("investigations:identifier", args=[shared_phone.pk])).content.decode()
    assert cases["own_1"].reference in page and cases["own_2"].reference in page
    assert "And in 1 case you may not see." in page
    assert "Sok Dara" in page  # the investigator reads names (identity clearance)


def test_recording_from_the_page(client: Any, investigator: Any, cases: Any) -> None:
    client.force_login(investigator)
    url = reverse("investigations:case", args=[cases["own_1"].pk])
    response = client.post(
        url,
        {
            "form": "identifier",
            "identifier-kind": "account",
            "identifier-value": "https://t.me/GoldJob_HR",
            "identifier-service": "",
            "identifier-holder": "",
        },
    )
    assert response.status_code == 302
    assert Identifier.objects.get().value == "goldjob_hr"
    response = client.post(
        url, {"form": "identifier", "identifier-kind": "phone", "identifier-value": ""}
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert IdentifierUse.objects.count() == 1


def test_other_agencys_case_is_404_and_audited(client: Any, investigator: Any, cases: Any) -> None:
    client.force_login(investigator)
    for pk in (cases["sr"].pk, 10**9):
        assert client.get(reverse("investigations:case", args=[pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", object_type="registry.case", object_id=str(cases["sr"].pk)
    ).exists()
    response = client.post(
        reverse("investigations:case", args=[cases["sr"].pk]),
        {"form": "identifier", "identifier-kind": "phone", "identifier-value": "012 345 678"},
    )
    assert response.status_code == 404
    assert not IdentifierUse.objects.exists()


@pytest.mark.parametrize(("role", "agency"), [("analyst", "NCCT"), ("ngo_partner", "NGO-CWCC")])
def test_roles_outside_investigations_get_404(
    client: Any, make_member: Any, cases: Any, shared_phone: Any, role: str, agency: str
) -> None:
    client.force_login(make_member(role, agency))
    for url in (
        reverse("investigations:home"),
        reverse("investigations:case", args=[cases["own_1"].pk]),
        reverse("investigations:identifier", args=[shared_phone.pk]),
        reverse("investigations:network"),
        reverse("investigations:network-image"),
    ):
        assert client.get(url).status_code == 404, url


def test_network_labels_masked_without_identity_clearance(
    make_member: Any, officer_sr: Any, cases: Any
) -> None:
    # An NGO partner of the owning agency sees the case but reads no identity in clear.
    ngo = make_member("ngo_partner", "PAHT-17")
    services.identifier_record(actor=officer_sr, case=cases["sr"], kind="phone", value="012345678")
    graph = selectors.network(actor=ngo, case=cases["sr"])
    labels = [n.label for n in graph.nodes.values() if n.kind == "identifier"]
    assert labels and all(MASK in label and "345" not in label for label in labels)


def test_network_page_and_image(
    client: Any, investigator: Any, cases: Any, shared_phone: Any
) -> None:
    client.force_login(investigator)
    page = client.get(reverse("investigations:network"), {"case": cases["own_1"].pk})
    html = page.content.decode()
    assert "<svg" in html and "+855 12 345 678" in html
    assert "<script" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert " style=" not in html  # the CSP allows no inline style
    image = client.get(reverse("investigations:network-image"), {"case": cases["own_1"].pk})
    assert image["Content-Type"] == "image/svg+xml"
    assert image.content.startswith(b"<svg")
    assert AuditEvent.objects.filter(action="export", object_type="investigations.network").exists()
    bad = client.get(
        reverse("investigations:network"), {"opened_from": "2025-02-01", "opened_to": "2025-01-01"}
    )
    assert "The end of the period is before its start." in bad.content.decode()
    assert client.get(reverse("investigations:network"), {"case": "x"}).status_code == 404


def test_registry_case_page_links_here(client: Any, officer_ahtjp: Any, cases: Any) -> None:
    client.force_login(officer_ahtjp)
    page = client.get(reverse("registry:case-detail", args=[cases["own_1"].pk])).content.decode()
    assert reverse("investigations:case", args=[cases["own_1"].pk]) in page
    # Case officers use the pages on their own cases.
    ours = client.get(reverse("investigations:case", args=[cases["own_1"].pk]))
    assert ours.status_code == 200


def test_identifier_search(client: Any, investigator: Any, shared_phone: Any) -> None:
    client.force_login(investigator)
    found = client.get(reverse("investigations:home"), {"kind": "phone", "value": "85512345678"})
    assert found.status_code == 302
    assert found["Location"] == reverse("investigations:identifier", args=[shared_phone.pk])
    missing = client.get(reverse("investigations:home"), {"kind": "phone", "value": "011 111 111"})
    assert "No case you may see records this identifier." in missing.content.decode()


def test_other_pages_render(client: Any, investigator: Any, cases: Any, suspect: Any) -> None:
    company = services.organisation_create(actor=investigator, name="Blue Bay Co")
    services.organisation_involve(
        actor=investigator, case=cases["own_1"], organisation=company, role="employer"
    )
    compound = services.compound_create(actor=investigator, name="Blue Bay Compound")
    services.compound_involve(actor=investigator, case=cases["own_1"], compound=compound)
    client.force_login(investigator)
    for url in (
        reverse("investigations:organisations"),
        reverse("investigations:organisation", args=[company.pk]),
        reverse("investigations:compounds"),
        reverse("investigations:compound", args=[compound.pk]),
        reverse("investigations:person", args=[suspect.pk]),
        reverse("investigations:alerts"),
        reverse("investigations:network"),
    ):
        assert client.get(url).status_code == 200, url


def test_a_holder_named_on_the_page_must_be_a_person_of_that_case(
    client: Any, investigator: Any, cases: Any, suspect: Any
) -> None:
    client.force_login(investigator)
    answers = {}
    for case in (cases["own_1"], cases["own_2"]):  # the suspect is a participant of own_1 only
        answers[case.reference] = client.post(
            reverse("investigations:case", args=[case.pk]),
            {
                "form": "identifier",
                "identifier-kind": "phone",
                "identifier-value": "012 345 678",
                "identifier-service": "",
                "identifier-holder": f"p{suspect.pk}",
            },
        ).status_code
    # Recorded with its holder on own_1; refused on own_2 (a person of another case), unsaved.
    assert answers == {cases["own_1"].reference: 302, cases["own_2"].reference: 200}
    holders = dict(IdentifierUse.objects.values_list("case__reference", "person_id"))
    assert holders == {cases["own_1"].reference: suspect.pk}
