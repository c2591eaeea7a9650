"""`ctip investigations-demo`: a network that recurs across cases in several provinces,
visible from any of its cases, with alerts for the demo investigator."""

import datetime
import random
from typing import Any

import pytest
from django.core.management import call_command

from ctip.access.models import Agency, Notification, User
from ctip.investigations import selectors
from ctip.investigations.ftm.selectors import packages
from ctip.investigations.models import Compound, ConnectionAlert, Identifier, Relation
from ctip.reference.models import Province
from ctip.registry.models import Person
from ctip.screening import services as screening_services
from ctip.screening.demo import found_rows

pytestmark = pytest.mark.django_db


def test_demo_network_recurs_across_provinces(capsys: Any) -> None:
    call_command("demo_data", cases=400, seed=2024, verbosity=0)
    call_command("demo_accounts")
    call_command("investigations_demo")
    out = capsys.readouterr().out
    assert "compound: Golden Fortune Compound" in out
    compound = Compound.objects.get(external_id="DEMO-INVESTIGATIONS")
    cases = list(compound.involvements.values_list("case_id", flat=True))
    assert len(cases) >= 6
    provinces = set(compound.involvements.values_list("case__province", flat=True))
    assert len(provinces) >= 4
    investigator = User.objects.get(username="ahtjp.investigator")
    # From any of the investigator's cases, the others are visible or counted.
    own = [c for c in cases if selectors.visible_cases(actor=investigator).filter(pk=c).exists()]
    assert len(own) >= 2
    for case_id in own:
        case = selectors.case_get(actor=investigator, pk=case_id)
        found = selectors.case_connections(actor=investigator, case=case)
        assert found.total == len(cases) - 1
        assert found.hidden >= 1
    # Dara's phone, typed four ways, is one identifier; the poster's "number" is flagged.
    phones = Identifier.objects.filter(kind="phone")
    assert {i.value for i in phones if i.is_valid} >= {"+85512345678", "+8613800138000"}
    assert any(not i.is_valid for i in phones)
    assert ConnectionAlert.objects.filter(recipient=investigator).exists()
    graph = selectors.network(actor=investigator)
    assert sum(1 for key in graph.nodes if key.startswith("case:")) == len(own)
    # The investigator imported a partner's network: a Thai recruiter registered as a
    # suspect by their agency, his company tied to the demo's recruitment agency.
    recruiter = Person.objects.get(external_id="th-aleph-recruiter-1")
    assert recruiter.registered_by is not None and recruiter.registered_by.code == "AHTJP"
    assert recruiter.participations.get().role == "suspect"
    assert recruiter.citizenships == ["THA"] and recruiter.birth_year == 1981
    assert Relation.objects.filter(external_id="th-aleph-link-1").exists()
    # Alerts reach the bell too.
    assert Notification.objects.filter(recipient=investigator, kind="alert").exists()
    call_command("investigations_demo")
    assert "nothing added" in capsys.readouterr().out
    # The screening demo's raid in Preah Sihanouk joins the compound (run after the network,
    # as here, or before it, as `make demo` does): its page shows the operation.
    officer = User.objects.get(username="ahtjp.officer")
    raid = screening_services.operation_create(
        actor=officer,
        kind="raid",
        name="Compound raid (demo)",
        conducted_on=datetime.date.today() - datetime.timedelta(days=12),
        province=Province.objects.get(code="KH-18"),
        place="Building C",
        lead_agency=Agency.objects.get(code="AHTJP"),
    )
    screening_services.found_persons_add(
        actor=officer, operation=raid, rows=found_rows(random.Random(1), 12)
    )
    call_command("investigations_demo")
    assert "Operations against the compound: 1." in capsys.readouterr().out
    file = selectors.compound_file(actor=investigator, compound=compound)
    assert [(row.operation.pk, row.found) for row in file.operations] == [(raid.pk, 12)]
    assert sum(count for _country, count in file.operations[0].by_nationality) == 12
    # With an agreement in force, the investigator sends one package (the packages page lists
    # it); running it again sends nothing.
    call_command(
        "linkage",
        "agreement",
        "--partner",
        "VN",
        "--roles",
        "suspect",
        "--cases-from",
        "2019-01-01",
        "--in-force-until",
        "2030-12-31",
        "--reference",
        "Demo memorandum",
    )
    capsys.readouterr()
    call_command("investigations_demo", package="VN")
    assert "sent to VN" in capsys.readouterr().out
    assert [(e.sent, e.partner) for e in packages(actor=investigator)] == [(True, "VN")]
    call_command("investigations_demo", package="VN")
    assert "nothing sent" in capsys.readouterr().out
    assert len(packages(actor=investigator)) == 1
