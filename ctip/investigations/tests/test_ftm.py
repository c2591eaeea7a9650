"""FollowTheMoney exchange: every entity exported re-imports unchanged and validates against the
followthemoney model; masking; unparseable phones kept; bad files refused whole."""

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from followthemoney import model

from ctip.access import masking
from ctip.audit.models import AuditEvent
from ctip.investigations import services as core
from ctip.investigations.ftm.export import as_lines, case_network
from ctip.investigations.ftm.importer import network_import
from ctip.investigations.ftm.selectors import network_export
from ctip.investigations.models import Identifier, Organisation, Relation
from ctip.linkage.tests.conftest import population_model, trained  # noqa: F401  (fixtures)
from ctip.reference.models import Country
from ctip.registry.models import Person
from ctip.registry.services import participant_add, person_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(officer_ahtjp: Any, cases: dict[str, Any]) -> dict[str, Any]:
    """A case with two suspects, a victim, a company and every kind of identifier and tie."""
    case = cases["own_1"]
    actor = officer_ahtjp
    boss = person_create(
        actor=actor, family_name_latin="Chan", given_name_latin="Dara", family_name_km="ចាន់",
        given_name_km="ដារា", aliases=["Boss Dara"], sex="male",
        date_of_birth=datetime.date(1985, 3, 4), citizenships=["KHM"],
    )  # fmt: skip
    aide = person_create(
        actor=actor, family_name_latin="Li", given_name_latin="Wei", sex="male",
        estimated_age=45, citizenships=["CHN"],
    )  # fmt: skip
    victim = person_create(actor=actor, family_name_latin="Sok", given_name_latin="Srey Mom")
    for person, role in ((boss, "suspect"), (aide, "suspect"), (victim, "victim")):
        participant_add(actor=actor, case=case, person=person, role=role)
    company = core.organisation_create(
        actor=actor, name="Golden Fortune Technology Co., Ltd", registration_number="00051234",
        jurisdiction=Country.objects.get(alpha3="KHM"), aliases=["GF Tech"],
    )  # fmt: skip
    core.organisation_involve(actor=actor, case=case, organisation=company, role="operator")
    record = core.identifier_record
    record(actor=actor, case=case, kind="phone", value="012 345 678", person=boss)
    record(actor=actor, case=case, kind="phone", value="097 88", person=boss)  # unparseable
    record(actor=actor, case=case, kind="email", value="hr@goldenfortune.example", person=boss)
    record(actor=actor, case=case, kind="account", value="t.me/GoldJob_HR", person=boss)
    record(actor=actor, case=case, kind="bank_account", value="000 123 456", service="ABA Bank",
           person=aide)  # fmt: skip
    record(actor=actor, case=case, kind="crypto_wallet", value="TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE",
           service="USDT", organisation=company)  # fmt: skip
    record(actor=actor, case=case, kind="vehicle", value="2A-1234", person=aide)
    record(actor=actor, case=case, kind="address", value="Ou Tres, Preah Sihanouk",
           organisation=company)  # fmt: skip
    record(actor=actor, case=case, kind="phone", value="012 999 000", person=victim)
    for kind, subject, obj in (
        ("ownership", boss, company), ("directorship", aide, company),
        ("employment", victim, company), ("unknown", boss, aide),
    ):  # fmt: skip
        core.relation_create(actor=actor, case=case, kind=kind, subject=subject, object=obj,
                             role="60 %" if kind == "ownership" else "",
                             start_date=datetime.date(2022, 1, 1))  # fmt: skip
    return {"case": case, "boss": boss, "aide": aide, "victim": victim, "company": company}


def dicts(entities: Any) -> list[dict[str, Any]]:
    return [json.loads(line) for line in as_lines(entities)]


def test_every_entity_exported_validates_and_re_imports_unchanged(
    officer_ahtjp: Any, cases: Any, network: Any
) -> None:
    first = dicts(case_network(actor=officer_ahtjp, cases=[network["case"]]))
    schemata = {row["schema"] for row in first}
    assert schemata >= {
        "Person", "Company", "BankAccount", "CryptoWallet", "UserAccount", "Vehicle", "Address",
        "Ownership", "Directorship", "UnknownLink",
    }  # fmt: skip
    for row in first:
        schema = model.get(row["schema"])
        assert schema is not None
        schema.validate(row)  # type: ignore[arg-type]  # raises InvalidData if a value is invalid
        assert model.get_proxy(row, cleaned=False).to_dict() == row
    # The victim is not exported, nor her phone, nor the employment that names her.
    assert not any("Srey Mom" in json.dumps(row, ensure_ascii=False) for row in first)
    assert "Employment" not in schemata
    boss = next(row for row in first if row["properties"].get("firstName") == ["Dara"])
    assert boss["properties"]["phone"] == ["+85512345678"]
    assert boss["properties"]["notes"] == ["ctip:phone-as-typed:097 88"]
    assert boss["properties"]["alias"] == ["ចាន់ ដារា", "Boss Dara"]

    text = "".join(as_lines(case_network(actor=officer_ahtjp, cases=[network["case"]])))
    counts = network_import(
        actor=officer_ahtjp, case=cases["own_2"], lines=text.encode().splitlines()
    )
    assert counts["persons"] == 2 and counts["relations"] == 3
    second = dicts(case_network(actor=officer_ahtjp, cases=[cases["own_2"]]))
    assert second == first
    flagged = Identifier.objects.get(kind="phone", is_valid=False)
    assert flagged.as_typed == "097 88"


def test_export_obeys_masking(
    officer_ahtjp: Any, network: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A deployment whose case officers read no identity in clear.
    monkeypatch.setitem(masking.CLEARANCE, "case_officer", frozenset({"health"}))
    officer_ahtjp.__dict__.pop("_ctip_levels", None)
    rows = dicts(case_network(actor=officer_ahtjp, cases=[network["case"]]))
    persons = [row for row in rows if row["schema"] == "Person"]
    assert {row["properties"]["name"][0] for row in persons} == {
        f"P{network['boss'].pk}",
        f"P{network['aide'].pk}",
    }
    assert all(set(row["properties"]) == {"name"} for row in persons)
    text = json.dumps(rows, ensure_ascii=False)
    assert "Dara" not in text and "ដារា" not in text and "+85512345678" not in text
    assert "GoldJob_HR".lower() not in text.lower()


def test_export_is_scoped_and_audited(investigator: Any, officer_sr: Any, cases: Any) -> None:
    with pytest.raises(Http404):
        network_export(actor=investigator, case_pk=cases["sr"].pk)
    network_export(actor=investigator, case_pk=cases["own_1"].pk)
    assert AuditEvent.objects.filter(action="export", object_type="investigations.ftm").exists()


def line(row: dict[str, Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False).encode()


def test_a_bad_file_is_refused_line_by_line_and_nothing_is_written(
    officer_ahtjp: Any, cases: Any
) -> None:
    rows = [
        line({"id": "p1", "schema": "Person", "properties": {"name": ["Chan Dara"]}}),
        line({"id": "p1", "schema": "Person", "properties": {"name": ["Again"]}}),
        b"{oops",
        line({"id": "x", "schema": "Spaceship", "properties": {}}),
        line({"id": "s", "schema": "Sanction", "properties": {}}),
        line({"id": "o", "schema": "Ownership", "properties": {"owner": ["p1"], "asset": ["zz"]}}),
    ]
    with pytest.raises(ValidationError) as refused:
        network_import(actor=officer_ahtjp, case=cases["own_2"], lines=rows)
    messages = refused.value.message_dict["file"]
    assert messages[0].startswith("line 2:") and "already on line 1" in messages[0]
    assert messages[1].startswith("line 3: not JSON")
    assert messages[2].startswith("line 4:") and "Spaceship" in messages[2]
    assert messages[3].startswith("line 5:") and "not accepted here" in messages[3]
    assert not Person.objects.filter(family_name_latin="Chan").exists()
    # Links to entities that are nowhere: refused too, naming the line.
    with pytest.raises(ValidationError) as refused:
        network_import(actor=officer_ahtjp, case=cases["own_2"], lines=[rows[0], rows[5]])
    assert refused.value.message_dict["file"] == [
        "line 2: entity o names zz, which is not in the file"
    ]
    assert not Relation.objects.exists() and not Organisation.objects.exists()


def test_an_unparseable_phone_in_a_partners_file_is_kept_and_flagged(
    officer_ahtjp: Any, cases: Any
) -> None:
    row = {"id": "aleph-1", "schema": "Person",
           "properties": {"name": ["Wei Li"], "firstName": ["Wei"], "lastName": ["Li"],
                          "phone": ["012 345 678", "call 097 88"]}}  # fmt: skip
    network_import(actor=officer_ahtjp, case=cases["own_2"], lines=[line(row)])
    phones = Identifier.objects.filter(kind="phone")
    assert {(p.value, p.is_valid) for p in phones} == {("+85512345678", True), ("call09788", False)}
    assert Person.objects.get(external_id="aleph-1").family_name_latin == "Li"


def test_the_exchange_page_exports_and_imports(
    client: Any, officer_ahtjp: Any, investigator: Any, cases: Any, network: Any
) -> None:
    client.force_login(investigator)
    assert client.get("/investigations/exchange/").status_code == 200
    reference = network["case"].reference
    download = client.get("/investigations/exchange/network.ftm.json", {"export-case": reference})
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    body = download.content
    assert b'"schema": "Company"' in body and b"Srey Mom" not in body
    hidden = client.get(
        "/investigations/exchange/network.ftm.json", {"export-case": cases["sr"].reference}
    )
    assert hidden.status_code == 404
    client.force_login(officer_ahtjp)
    bad = client.post(
        "/investigations/exchange/",
        {
            "import-case": cases["own_2"].reference,
            "import-role": "suspect",
            "import-file": _upload(b"{oops\n"),
        },
    )
    assert bad.status_code == 400 and "line 1: not JSON" in bad.content.decode()
    done = client.post(
        "/investigations/exchange/",
        {
            "import-case": cases["own_2"].reference,
            "import-role": "suspect",
            "import-file": _upload(body),
        },
    )
    assert done.status_code == 302
    assert Person.objects.filter(external_id=f"ctip-person-{network['boss'].pk}").exists()
    assert client.get("/investigations/exchange/", HTTP_ACCEPT_LANGUAGE="km").status_code == 200


def _upload(content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("network.ftm.json", content, content_type="application/json")


def test_other_roles_find_no_exchange(client: Any, make_member: Any) -> None:
    client.force_login(make_member("analyst", "AHTJP"))
    assert client.get("/investigations/exchange/").status_code == 404
    assert client.get("/investigations/exchange/network.ftm.json").status_code == 404


# --- investigators import networks (decision 0703) ---------------------------------------------

SUSPECT = {"id": "aleph-boss", "schema": "Person",
           "properties": {"name": ["Chan Dara"], "firstName": ["Dara"], "lastName": ["Chan"],
                          "phone": ["012 777 888"], "birthDate": ["1985-03-04"]}}  # fmt: skip
COMPANY = {"id": "aleph-co", "schema": "Company",
           "properties": {"name": ["Golden Sky Co"], "registrationNumber": ["0009"]}}  # fmt: skip
DIRECTS = {"id": "aleph-dir", "schema": "Directorship",
           "properties": {"director": ["aleph-boss"], "organization": ["aleph-co"]}}  # fmt: skip


def test_an_investigator_imports_a_network_into_a_case_of_their_agency(
    investigator: Any, cases: Any
) -> None:
    counts = network_import(
        actor=investigator,
        case=cases["own_2"],
        lines=[line(SUSPECT), line(COMPANY), line(DIRECTS)],
    )
    assert counts["persons"] == 1 and counts["organisations"] == 1 and counts["relations"] == 1
    boss = Person.objects.get(external_id="aleph-boss")
    assert boss.registered_by is not None and boss.registered_by.code == "AHTJP"
    assert list(boss.participations.values_list("case_id", "role")) == [
        (cases["own_2"].pk, "suspect")
    ]
    assert Identifier.objects.get(kind="phone").value == "+85512777888"
    created = AuditEvent.objects.filter(action="create", object_type="registry.person")
    assert created.filter(actor_id=investigator.pk, object_id=str(boss.pk)).exists()
    assert AuditEvent.objects.filter(action="import", actor_id=investigator.pk).exists()


def test_an_investigator_registers_no_victims_and_nothing_in_other_agencies_cases(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    from ctip.registry.services import case_share

    for role in ("victim", "witness"):
        with pytest.raises((ValidationError, PermissionDenied)):
            network_import(
                actor=investigator, case=cases["own_2"], lines=[line(SUSPECT)], role=role
            )
    # A case shared with the investigator's agency: identifiers may be recorded there, but
    # persons are registered by the agency owning it.
    case_share(actor=officer_sr, case=cases["sr"], agency=_agency("AHTJP"))
    with pytest.raises(PermissionDenied):
        network_import(actor=investigator, case=cases["sr"], lines=[line(SUSPECT)])
    assert not Person.objects.filter(external_id="aleph-boss").exists()
    assert AuditEvent.objects.filter(action="denied", actor_id=investigator.pk).exists()
    counts = network_import(actor=investigator, case=cases["sr"], lines=[line(COMPANY)])
    assert counts["organisations"] == 1


def _agency(code: str) -> Any:
    from ctip.access.models import Agency

    return Agency.objects.get(code=code)


def test_a_file_naming_a_person_the_importer_may_not_see_pulls_nobody_in(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    hidden = person_create(
        actor=officer_sr, family_name_latin="Secret", given_name_latin="Person",
        registered_by=_agency("PAHT-17"), external_id="aleph-boss",
    )  # fmt: skip
    participant_add(actor=officer_sr, case=cases["sr"], person=hidden, role="suspect")
    # A tie naming the hidden person's id and nothing else of the file: refused as unknown.
    tie = {"id": "t", "schema": "UnknownLink",
           "properties": {"subject": ["aleph-boss"], "object": ["aleph-co"]}}  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        network_import(actor=investigator, case=cases["own_2"], lines=[line(COMPANY), line(tie)])
    assert "names aleph-boss, which is not in the file" in str(refused.value)
    # The same id in the file: a new person of the importer's, the hidden one untouched.
    network_import(actor=investigator, case=cases["own_2"], lines=[line(SUSPECT)])
    assert not hidden.participations.filter(case=cases["own_2"]).exists()
    mine = cases["own_2"].participants.get().person
    assert mine.pk != hidden.pk and mine.family_name_latin == "Chan" and mine.external_id is None


@pytest.mark.usefixtures("trained")
def test_imported_persons_probably_registered_already_are_queued_for_review(
    investigator: Any, officer_pp: Any, cases: Any
) -> None:
    from ctip.linkage import services as linkage
    from ctip.linkage.models import Candidate
    from ctip.registry.tests.helpers import new_person

    known = new_person(officer_pp)  # Chan Sokha, born 2008-05-17
    participant_add(actor=officer_pp, case=cases["pp"], person=known, role="suspect")
    new_person(officer_pp, family_name_latin="Meas", given_name_latin="Vuthy", given_name_km="",
               family_name_km="", date_of_birth=datetime.date(1985, 6, 1))  # fmt: skip
    linkage.linkage_run()
    sokha = {"id": "aleph-sokha", "schema": "Person",
             "properties": {"name": ["Chan Sokha"], "firstName": ["Sokha"],
                            "lastName": ["Chan"], "birthDate": ["2008-05-17"]}}  # fmt: skip
    counts = network_import(actor=investigator, case=cases["own_2"], lines=[line(sokha)])
    imported = Person.objects.get(external_id="aleph-sokha")
    assert counts["possible_matches"] >= 1
    pair = Candidate.objects.get(decision="pending")
    assert {pair.person_a_id, pair.person_b_id} == {known.pk, imported.pk}
    assert AuditEvent.objects.filter(
        object_type="linkage.candidate", actor_id=investigator.pk
    ).exists()


def test_a_file_bigger_than_a_cases_network_is_refused_whole(
    investigator: Any, cases: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ctip.investigations.ftm import importer

    monkeypatch.setattr(importer, "MAX_IMPORT_ENTITIES", 2)
    rows = [
        line({"id": f"c{n}", "schema": "Company", "properties": {"name": [f"Co {n}"]}})
        for n in range(3)
    ]
    with pytest.raises(ValidationError) as refused:
        network_import(actor=investigator, case=cases["own_2"], lines=[b"", *rows])
    assert refused.value.message_dict["file"] == [
        "line 4: more than 2 entities: a case's network is imported in parts"
    ]
    assert not Organisation.objects.exists()


def test_an_investigator_imports_through_the_exchange_page(
    client: Any, investigator: Any, cases: Any
) -> None:
    client.force_login(investigator)
    page = client.get("/investigations/exchange/").content.decode()
    assert "Investigators register suspects and other parts of a network" in page
    done = client.post(
        "/investigations/exchange/",
        {
            "import-case": cases["own_2"].reference,
            "import-role": "suspect",
            "import-file": _upload(line(SUSPECT) + b"\n" + line(COMPANY)),
        },
    )
    assert done.status_code == 302
    assert Person.objects.get(external_id="aleph-boss").registered_by is not None
    # In another agency's case, nothing: the page names the case field.
    refused = client.post(
        "/investigations/exchange/",
        {
            "import-case": cases["sr"].reference,
            "import-role": "suspect",
            "import-file": _upload(line(SUSPECT)),
        },
    )
    assert refused.status_code == 400 and "No case with this reference" in refused.content.decode()
