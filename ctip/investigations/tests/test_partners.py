"""Networks across the border: a case's network goes to a partner country as a package only
under an agreement in force, masked by the agreement's roles and nationalities; a partner's
package comes into a case only from a partner with an agreement, addressed to us, whole.
Both sides run here: our installation ("KH") sends to "TH", then plays Thailand receiving."""

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from followthemoney import model

from ctip.access.actors import COMMAND_LINE
from ctip.audit.models import AuditEvent
from ctip.investigations.ftm.partners import (
    OBJECT_TYPE,
    network_package_receive,
    network_package_send,
)
from ctip.investigations.models import IdentifierUse
from ctip.investigations.services import identifier_record as record_identifier
from ctip.linkage.services import agreement_record
from ctip.registry.models import Person

from .test_ftm import network  # noqa: F401  (the fixture: two suspects, a victim, ties)

pytestmark = pytest.mark.django_db


def agree(partner: str, *, nationalities: list[str] | None = None, **extra: Any) -> Any:
    args: dict[str, Any] = {
        "actor": COMMAND_LINE,
        "partner": partner,
        "roles": ["suspect"],
        "nationalities": nationalities or [],
        "cases_from": datetime.date(2019, 1, 1),
        "cases_until": None,
        "in_force_until": datetime.date.today() + datetime.timedelta(days=365),
        "reference": f"MoU KH-{partner} (test)",
    }
    args.update(extra)
    return agreement_record(**args)


def rows(content: bytes) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    header, *body = content.decode().splitlines()
    return json.loads(header), [json.loads(line) for line in body]


def test_sending_is_refused_without_an_agreement_or_by_a_non_investigator(
    investigator: Any,
    officer_ahtjp: Any,
    network: Any,  # noqa: F811
) -> None:
    case = network["case"]
    with pytest.raises(ValidationError) as refused:
        network_package_send(actor=investigator, case=case, partner="TH")
    assert "No matching agreement with TH is in force." in refused.value.messages
    ended = agree("VN", in_force_until=datetime.date.today() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError):
        network_package_send(actor=investigator, case=case, partner=ended.partner)
    agree("LA", cases_from=datetime.date.today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as refused:
        network_package_send(actor=investigator, case=case, partner="LA")
    assert "case" in refused.value.message_dict
    agree("TH")
    with pytest.raises(PermissionDenied):
        network_package_send(actor=officer_ahtjp, case=case, partner="TH")
    denied = AuditEvent.objects.filter(action="denied", object_id=str(case.pk))
    assert denied.count() == 4
    assert all(e.detail["wanted"] == "network package" for e in denied)


def test_a_package_is_masked_by_the_agreement_and_received_by_the_partner(
    settings: Any,
    investigator: Any,
    officer_pp: Any,
    cases: Any,
    network: Any,  # noqa: F811
) -> None:
    # A victim's bank account: hers, never sent (not even without its holder).
    record_identifier(
        actor=investigator, case=network["case"], kind="bank_account", value="555 444 333",
        service="ACLEDA", person=network["victim"],
    )  # fmt: skip
    # Thailand's agreement names suspects of Cambodian nationality only.
    agree("TH", nationalities=["KHM"])
    package = network_package_send(actor=investigator, case=network["case"], partner="TH")
    header, body = rows(package.content)
    assert header["from"] == "KH" and header["to"] == "TH"
    assert header["agreement"] == "MoU KH-TH (test)" and header["entities"] == len(body)
    text = package.content.decode().split("\n", 1)[1]
    # No local id or number crosses: ids are opaque per partner.
    assert "ctip-" not in text and f"P{network['aide'].pk}" not in text
    for row in body:
        schema = model.get(row["schema"])
        assert schema is not None
        schema.validate(row)  # type: ignore[arg-type]
    persons = [row for row in body if row["schema"] == "Person"]
    named = [p for p in persons if p["properties"].get("firstName")]
    assert [p["properties"]["firstName"] for p in named] == [["Dara"]]
    assert named[0]["properties"]["phone"] == ["+85512345678"]
    # The Chinese suspect is outside the agreement: an opaque stand-in, nothing identifying.
    (aide,) = [p for p in persons if not p["properties"].get("firstName")]
    assert aide["properties"] == {"name": [aide["id"]]}
    assert "Li" not in json.dumps(aide) and "2A1234" not in text and "000123456" not in text
    assert "Srey Mom" not in text and "555444333" not in text  # a victim is never sent
    assert (package.named, package.masked) == (1, 1)
    sent = AuditEvent.objects.get(action="export", object_id=str(network["case"].pk))
    assert sent.detail["object"] == OBJECT_TYPE and sent.detail["sha256"] == package.digest
    assert sent.detail["partner"] == "TH" and "Dara" not in json.dumps(sent.detail)

    # A second package to the same partner keeps the same ids (the partner's records meet).
    again = network_package_send(actor=investigator, case=network["case"], partner="TH")
    assert {r["id"] for r in rows(again.content)[1]} == {r["id"] for r in body}

    # The other side: Thailand's installation, with its agreement with Cambodia.
    settings.CTIP_EXCHANGE_NAME = "TH"
    agree("KH")
    persons_before = Person.objects.count()
    counts = network_package_receive(
        actor=officer_pp,
        case=cases["pp"],
        lines=package.content.splitlines(keepends=True),
        file_name="kh.json",
    )
    assert counts["persons"] == 2 and Person.objects.count() == persons_before + 2
    # Dara's phones are now recorded in the receiving case too (one identifier, both cases;
    # the torn poster's half number crosses as typed, flagged).
    shared = IdentifierUse.objects.filter(
        case=cases["pp"], identifier__kind="phone", identifier__uses__case=network["case"]
    )
    assert sorted(use.identifier.value for use in shared) == ["+85512345678", "09788"]
    received = AuditEvent.objects.filter(action="import", object_id=str(cases["pp"].pk))
    assert any(e.detail.get("object") == OBJECT_TYPE for e in received)


def test_a_package_is_refused_whole_unless_whole_addressed_and_agreed(
    settings: Any,
    investigator: Any,
    officer_pp: Any,
    cases: Any,
    network: Any,  # noqa: F811
) -> None:
    agree("TH")
    content = network_package_send(actor=investigator, case=network["case"], partner="TH").content
    persons_before = Person.objects.count()

    def receive(data: bytes) -> list[str]:
        with pytest.raises(ValidationError) as refused:
            network_package_receive(
                actor=officer_pp, case=cases["pp"], lines=data.splitlines(keepends=True)
            )
        return refused.value.messages

    # Addressed to Thailand, not to us (we are "KH").
    assert any("is for TH" in m for m in receive(content))
    settings.CTIP_EXCHANGE_NAME = "TH"
    # From Cambodia, with which "TH" (this installation now) has no agreement.
    assert "No matching agreement with KH is in force." in receive(content)
    agree("KH")
    header, *body = content.splitlines(keepends=True)
    # A line dropped, a value changed, a plain FtM file without the header.
    assert any("cut or changed" in m for m in receive(header + b"".join(body[1:])))
    altered = content.replace(b"+85512345678", b"+85512345679")
    assert any("cut or changed" in m for m in receive(altered))
    assert any("not a network package header" in m for m in receive(b"".join(body)))
    assert Person.objects.count() == persons_before
    refused = AuditEvent.objects.filter(action="import", object_id=str(cases["pp"].pk))
    assert refused.count() == 5 and all(e.detail.get("refused") for e in refused)


def test_the_exchange_page_sends_and_receives_packages(
    client: Any,
    settings: Any,
    investigator: Any,
    officer_pp: Any,
    cases: Any,
    network: Any,  # noqa: F811
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(investigator)
    page = client.get("/investigations/exchange/")
    assert "data-no-agreement" in page.content.decode()
    agree("TH")
    assert "data-no-agreement" not in client.get("/investigations/exchange/").content.decode()
    hidden = client.post(
        "/investigations/exchange/partners/",
        {"action": "send", "send-case": cases["sr"].reference, "send-partner": "TH"},
    )
    assert hidden.status_code == 400 and "that you may see" in hidden.content.decode()
    sent = client.post(
        "/investigations/exchange/partners/",
        {"action": "send", "send-case": network["case"].reference, "send-partner": "TH"},
    )
    assert sent.status_code == 200 and "-to-TH-" in sent["Content-Disposition"]
    settings.CTIP_EXCHANGE_NAME = "TH"
    client.force_login(officer_pp)
    upload = SimpleUploadedFile("kh.json", sent.content, content_type="application/json")
    refused = client.post(
        "/investigations/exchange/partners/",
        {"action": "receive", "receive-case": cases["pp"].reference,
         "receive-role": "suspect", "receive-file": upload},
    )  # fmt: skip
    assert refused.status_code == 400
    assert "No matching agreement with KH is in force." in refused.content.decode()
    agree("KH")
    upload = SimpleUploadedFile("kh.json", sent.content, content_type="application/json")
    done = client.post(
        "/investigations/exchange/partners/",
        {"action": "receive", "receive-case": cases["pp"].reference,
         "receive-role": "suspect", "receive-file": upload},
    )  # fmt: skip
    assert done.status_code == 302 and done["Location"].endswith(f"/cases/{cases['pp'].pk}/")
    assert client.get("/investigations/exchange/partners/").status_code == 302
