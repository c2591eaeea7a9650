"""The network draws one identity's person records (linkage) as one node: only the records the
viewer sees, counted with their cases, never joined to a record whose name is masked."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from ctip.access.actors import COMMAND_LINE
from ctip.access.masking import MASK
from ctip.access.models import RevealGrant
from ctip.audit.services import audit_record
from ctip.investigations import selectors, services
from ctip.investigations.drawing import label_width, layout, svg
from ctip.investigations.ftm.export import as_lines, case_network, person_id
from ctip.investigations.ftm.importer import network_import
from ctip.investigations.ftm.partners import OBJECT_TYPE, network_package_send
from ctip.investigations.selectors.network import Graph, Node
from ctip.linkage.identities import regroup
from ctip.linkage.models import Link
from ctip.linkage.services import agreement_record
from ctip.registry.services import participant_add, person_create

pytestmark = pytest.mark.django_db


def _suspect(actor: Any, case: Any) -> Any:
    person = person_create(
        actor=actor,
        given_name_latin="Dara",
        family_name_latin="Chan",
        sex="male",
        estimated_age=38,
        citizenships=["KHM"],
    )
    participant_add(actor=actor, case=case, person=person, role="suspect")
    services.identifier_record(actor=actor, case=case, kind="phone", value="012 345 678",
                               person=person)  # fmt: skip
    return person


def _link(*persons: Any) -> None:
    first = persons[0]
    for other in persons[1:]:
        Link.objects.create(person_a_id=first.pk, person_b_id=other.pk, source="review")
    regroup([p.pk for p in persons])


@pytest.fixture
def dara(officer_ahtjp: Any, officer_pp: Any, officer_sr: Any, cases: Any) -> dict[str, Any]:
    """The same recruiter recorded in three cases the investigator sees and one (Siem Reap)
    they do not; the linkage app resolved the four records to one identity."""
    records = {
        "own_1": _suspect(officer_ahtjp, cases["own_1"]),
        "own_2": _suspect(officer_ahtjp, cases["own_2"]),
        "pp": _suspect(officer_pp, cases["pp"]),
        "sr": _suspect(officer_sr, cases["sr"]),
    }
    return records


def _persons(graph: Graph) -> list[Node]:
    return [node for node in graph.nodes.values() if node.kind == "person"]


def test_without_an_identity_each_record_is_a_node(investigator: Any, dara: Any) -> None:
    graph = selectors.network(actor=investigator)
    assert len(_persons(graph)) == 2  # own_1 and own_2: the investigator's agency's cases


def test_one_identity_is_one_node_counting_only_what_the_viewer_sees(
    investigator: Any, dara: Any, cases: Any
) -> None:
    _link(*dara.values())
    graph = selectors.network(actor=investigator)
    (node,) = _persons(graph)
    # Two of the four records are in cases the investigator sees: the others are not counted.
    assert (node.records, node.cases) == (2, 2)
    assert node.id == f"person:{dara['own_1'].pk}"
    assert node.label == "Chan Dara"
    phone = next(k for k, n in graph.nodes.items() if n.kind == "identifier")
    assert (node.id, phone) in graph.edges or (phone, node.id) in graph.edges
    assert not any(str(dara["sr"].pk) in key for key in graph.nodes if key.startswith("person"))
    image = svg(graph, title="t")
    assert "2 records of one person, in 2 cases" in image
    assert "4 records" not in image and "3 records" not in image


def test_a_masked_record_never_shares_a_node_with_a_named_one(
    make_member: Any, officer_sr: Any, cases: Any
) -> None:
    # An NGO partner of the Siem Reap bureau reads no names, save one record revealed to it.
    ngo = make_member("ngo_partner", "PAHT-17")
    first = _suspect(officer_sr, cases["sr"])
    second = _suspect(officer_sr, cases["sr"])
    third = _suspect(officer_sr, cases["sr"])
    _link(first, second, third)
    graph = selectors.network(actor=ngo, case=cases["sr"])
    (node,) = _persons(graph)
    assert node.records == 3 and MASK in node.label
    RevealGrant.objects.create(
        user=ngo,
        object_type="registry.person",
        object_id=str(third.pk),
        sensitivity="identity",
        reason="test",
        expires_at=timezone.now() + datetime.timedelta(hours=1),
    )
    ngo.__dict__.pop("_ctip_reveals", None)  # reveals are cached per request on the user
    graph = selectors.network(actor=ngo, case=cases["sr"])
    nodes = sorted(_persons(graph), key=lambda n: n.records)
    assert [(n.records, MASK in n.label) for n in nodes] == [(1, False), (2, True)]
    assert nodes[0].label == "Chan Dara"


def test_the_page_lists_what_a_node_stands_for(client: Any, investigator: Any, dara: Any) -> None:
    _link(*dara.values())
    client.force_login(investigator)
    html = client.get(reverse("investigations:network")).content.decode()
    assert "2 records of one person, in 2 cases" in html
    assert html.count('class="node-label">Chan Dara<') == 1


def _boxes(graph: Graph) -> list[tuple[float, float, float, float]]:

    positions, _w, _h = layout(graph)
    out = []
    for key, (x, y) in positions.items():
        half = label_width(graph.nodes[key].label) / 2
        out.append((x - half, y + 15, x + half, y + 29))  # the label under the node
    return out


def test_labels_of_a_dense_network_do_not_overlap() -> None:
    # The demo's centre: a hub (the compound) with twenty things around it, long labels.
    graph = Graph()
    graph.nodes["compound:1"] = Node("compound:1", "compound", "Golden Fortune Compound")
    for i in range(20):
        key = f"case:{i}"
        graph.nodes[key] = Node(key, "case", f"KH-2026-PAHT-{i:05d}")
        graph.add_edge("compound:1", key)
        if i % 2:
            graph.add_edge(key, f"case:{i - 1}")
    boxes = _boxes(graph)
    clashes = [
        (a, b)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
    ]
    assert clashes == []


def test_the_export_ties_an_identitys_named_records_with_similar(
    investigator: Any, officer_ahtjp: Any, dara: Any, cases: Any
) -> None:

    _link(*dara.values())
    entities = case_network(actor=investigator, cases=[cases["own_1"], cases["own_2"]])
    similar = [e for e in entities if e.schema.name == "Similar"]
    assert [(s.first("candidate"), s.first("match")) for s in similar] == [
        (person_id(dara["own_1"]), person_id(dara["own_2"]))
    ]
    assert sum(1 for e in entities if e.schema.is_a("Person")) == 2  # records stay apart
    # Only between named records: persons a package may not name get no tie.
    masked = case_network(
        actor=investigator, cases=[cases["own_1"], cases["own_2"]], names=lambda p: False
    )
    assert not any(e.schema.name == "Similar" for e in masked)
    # ctip reads its own export back (the tie is read, not recorded).
    lines = [line.encode() for line in as_lines(entities)]
    counts = network_import(actor=investigator, case=cases["own_2"], lines=lines)
    assert counts["persons"] >= 0


def test_the_packages_page_lists_what_was_sent_for_visible_cases(
    client: Any, make_member: Any, investigator: Any, officer_sr: Any, dara: Any, cases: Any
) -> None:
    agreement_record(
        actor=COMMAND_LINE, partner="VN", roles=["suspect"], nationalities=[],
        cases_from=datetime.date(2019, 1, 1), cases_until=None,
        in_force_until=datetime.date.today() + datetime.timedelta(days=365),
        reference="MoU KH-VN (test)",
    )  # fmt: skip
    _link(*dara.values())
    made = network_package_send(actor=investigator, case=cases["own_1"], partner="VN")
    assert b'"Similar"' not in made.content  # one record of Dara in this case: nothing to tie
    # A package of a case the investigator may not see (Siem Reap's) stays off their list.
    audit_record(actor=officer_sr, action="export", obj=cases["sr"],
                 detail={"object": OBJECT_TYPE, "partner": "VN", "entities": 3})  # fmt: skip
    client.force_login(investigator)
    html = client.get(reverse("investigations:packages")).content.decode()
    assert html.count('data-package="sent"') == 1
    assert cases["own_1"].reference in html and "MoU KH-VN (test)" in html
    assert cases["sr"].reference not in html
    assert made.digest[:12] in html
    assert (
        reverse("investigations:packages")
        in client.get(reverse("investigations:network")).content.decode()
    )
    client.force_login(officer_sr)  # Siem Reap's officer sees theirs, not the police's
    html = client.get(reverse("investigations:packages")).content.decode()
    assert cases["sr"].reference in html and cases["own_1"].reference not in html
    client.force_login(make_member("ngo_partner", "PAHT-17"))  # not an investigations user
    assert client.get(reverse("investigations:packages")).status_code == 404
