"""A compound's page reads the operations against it from screening: the raids whose case is
recorded at the compound, with the people found by nationality, under the investigations
rule (decision 0700), never a person."""

import datetime
from typing import Any

from django.urls import reverse

from ctip.access.models import Agency
from ctip.investigations import selectors, services
from ctip.reference.models import Province
from ctip.screening import services as screening_services

ROWS = [
    {"family_name": "Nguyen", "given_name": "Van Minh", "sex": "male", "age": "24",
     "nationality": "VNM"},
    {"family_name": "Tran", "given_name": "Thi Lan", "sex": "female", "age": "22",
     "nationality": "VNM"},
    {"family_name": "Santoso", "given_name": "Dewi", "sex": "female", "age": "19",
     "nationality": "IDN"},
]  # fmt: skip


def raid(actor: Any, agency: str, name: str, rows: list[dict[str, str]], days_ago: int) -> Any:
    operation = screening_services.operation_create(
        actor=actor,
        kind="raid",
        name=name,
        conducted_on=datetime.date.today() - datetime.timedelta(days=days_ago),
        province=Province.objects.get(code="KH-18"),
        place="Building C",
        lead_agency=Agency.objects.get(code=agency),
        agencies=[Agency.objects.get(code="DOSVY-18")],
    )
    screening_services.found_persons_add(actor=actor, operation=operation, rows=rows)
    return operation


def test_compound_lists_operations_against_it_with_people_by_nationality(
    client: Any, investigator: Any, officer_ahtjp: Any, officer_pp: Any, cases: Any
) -> None:
    own = raid(officer_ahtjp, "AHTJP", "Raid on Blue Bay", [dict(r) for r in ROWS], 20)
    other = raid(officer_pp, "PAHT-12", "Second raid", [dict(ROWS[2])], 5)
    elsewhere = raid(officer_ahtjp, "AHTJP", "Raid on another compound", [dict(ROWS[0])], 3)
    compound = services.compound_create(actor=investigator, name="Blue Bay Compound")
    services.compound_involve(actor=investigator, case=own.case, compound=compound)
    services.compound_involve(actor=officer_pp, case=other.case, compound=compound)
    services.compound_involve(actor=investigator, case=cases["own_1"], compound=compound)

    file = selectors.compound_file(actor=investigator, compound=compound)
    # The investigator's agency led the first raid; the second is the Phnom Penh bureau's
    # (counted among the hidden cases, never listed); the third is at another compound.
    assert [row.operation.pk for row in file.operations] == [own.pk]
    row = file.operations[0]
    assert row.found == 3
    assert row.by_nationality == [("VNM", 2), ("IDN", 1)]
    # A pure investigator does not open screening's pages (no record role there).
    assert row.may_open is False
    assert file.hidden == 1
    assert elsewhere.pk not in [r.operation.pk for r in file.operations]

    # The Phnom Penh officer sees their own raid, and may open it.
    mine = selectors.compound_file(actor=officer_pp, compound=compound)
    assert [(r.operation.pk, r.may_open, r.found) for r in mine.operations] == [(other.pk, True, 1)]

    client.force_login(investigator)
    page = client.get(reverse("investigations:compound", args=[compound.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Raid on Blue Bay" in text and "VNM 2, IDN 1" in text
    assert "Second raid" not in text and "Nguyen" not in text
    client.force_login(officer_ahtjp)
    page = client.get(reverse("investigations:compound", args=[compound.pk]))
    assert reverse("screening:operation-detail", args=[own.pk]) in page.content.decode()
