"""Networks across the border: a case's network sent to a partner country as a package, and a
partner's package received into a case, each only under an agreement in force with that
partner (linkage.MatchingAgreement, the agreement `ctip linkage agreement` records, decision
0650).

A package is FollowTheMoney JSON lines (ftm.export) after one header line naming the sender,
the partner it is for, the agreement's reference, the number of entities and the SHA-256 of
the lines after the header, so that a cut or altered file is refused whole. What the
agreement does not cover is masked, not dropped: a person is named only if they take part in
the case in one of the agreement's roles and, where it names nationalities, hold one of them;
everyone else is a `Person` with an opaque id and no name, phone or account (like a person the
sender may not read). The case must have been opened in the agreement's period. Local ids
(`ctip-person-12`) become opaque per partner (a keyed hash), so a package tells the partner
nothing of this installation's numbering; ids that came from elsewhere (Aleph) stay.

The package travels by the channel the two programmes agreed (ctip sends nothing by itself):
the sender downloads it, the receiver uploads it. Both ends are audited (`export` and
`import`, object type `investigations.network_package`, with the agreement, partner, counts
and the digest, never the contents); a refusal is audited too.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from followthemoney.proxy import EntityProxy

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.investigations.selectors import is_investigator
from ctip.linkage.models import MatchingAgreement
from ctip.linkage.selectors import agreement_in_force, covers_nationality
from ctip.registry.crypto import blind_index
from ctip.registry.models import Case, Participant, Person

from .export import case_network
from .importer import network_import

FORMAT = "ctip-network-package"
VERSION = 1
OBJECT_TYPE = "investigations.network_package"
MAX_HEADER = 4096


def installation_name() -> str:
    """This installation's name as its partners record it in their agreements (setting
    CTIP_EXCHANGE_NAME; "KH" for Cambodia's)."""
    return str(settings.CTIP_EXCHANGE_NAME)


def partners_in_force(on: datetime.date | None = None) -> list[str]:
    """The partners with an agreement in force (what a package may be sent to)."""
    on = on or timezone.localdate()
    return list(
        MatchingAgreement.objects.filter(in_force_until__gte=on)
        .order_by("partner")
        .values_list("partner", flat=True)
    )


@dataclass
class Package:
    """A package made for a partner: its bytes, and what the audit trail keeps of it."""

    content: bytes
    partner: str
    agreement: MatchingAgreement
    entities: int
    named: int
    masked: int
    digest: str


def _opaque(partner: str, local_id: str) -> str:
    """A local id as the partner sees it: the same for every package to that partner (so a
    second package meets the first), meaningless elsewhere."""
    key = blind_index(f"{partner}\x1f{local_id}", purpose="network-package")[:20]
    return f"{installation_name().lower()}-{key}"


def _rewrite_ids(entities: list[EntityProxy], partner: str) -> list[dict[str, Any]]:
    """The entities as dicts, local ids (and every reference to them) made opaque."""
    local = {str(e.id) for e in entities if str(e.id).startswith("ctip-")}
    ids = {old: _opaque(partner, old) for old in local}
    out = []
    for entity in entities:
        data = entity.to_dict()
        data["id"] = ids.get(data["id"], data["id"])
        for prop in entity.schema.properties.values():
            values = data["properties"].get(prop.name)
            if not values:
                continue
            if prop.type.name == "entity":
                data["properties"][prop.name] = [ids.get(v, v) for v in values]
        if entity.schema.is_a("Person") and _stand_in(data["properties"].get("name", [])):
            # A masked person's stand-in name (P<id>) carries the local number: replace it.
            data["properties"]["name"] = [data["id"]]
        out.append(data)
    return out


def _stand_in(names: list[str]) -> bool:
    """Whether a person's names are only the export's stand-in for a masked person."""
    return bool(names) and all(n.startswith("P") and n[1:].isdigit() for n in names)


def _lines(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows).encode()


def _refuse(actor: Any, error: Exception, case: Case, partner: str, wanted: str) -> Exception:
    return refusal(
        error,
        actor=actor,
        action=AuditAction.DENIED,
        obj=case,
        detail={"wanted": wanted, "partner": partner[:80]},
    )


@audited_atomic
def network_package_send(
    *, actor: Any, case: Case, partner: str, on: datetime.date | None = None
) -> Package:
    """The network of `case` (read through the investigations selectors) as a package for
    `partner`; only an investigator sends, and only under an agreement in force whose period
    covers the case. Audited; a refusal is audited and raises."""
    on = on or timezone.localdate()
    if not is_investigator(actor):
        raise _refuse(
            actor,
            PermissionDenied(_("Only an investigator sends a network to a partner country.")),
            case,
            partner,
            "network package",
        )
    try:
        agreement = agreement_in_force(partner=partner, on=on)
    except ValidationError as error:
        raise _refuse(actor, error, case, partner, "network package") from None
    if case.opened_on < agreement.cases_from or (
        agreement.cases_until is not None and case.opened_on > agreement.cases_until
    ):
        raise _refuse(
            actor,
            ValidationError(
                {
                    "case": _(
                        "The agreement with %(partner)s does not cover cases opened on %(date)s."
                    )
                    % {"partner": agreement.partner, "date": case.opened_on.isoformat()}
                }
            ),
            case,
            partner,
            "network package",
        )
    roles: dict[int, set[str]] = {}
    for person_id, role in Participant.objects.filter(case=case).values_list("person_id", "role"):
        roles.setdefault(person_id, set()).add(role)

    def names(person: Person) -> bool:
        return bool(roles.get(person.pk, set()) & set(agreement.roles)) and covers_nationality(
            agreement, person.citizenships
        )

    entities = case_network(actor=actor, cases=[case], names=names)
    persons = [e for e in entities if e.schema.is_a("Person")]
    masked = sum(1 for e in persons if _stand_in(list(e.get("name", quiet=True))))
    body = _lines(_rewrite_ids(entities, agreement.partner))
    digest = hashlib.sha256(body).hexdigest()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "from": installation_name(),
        "to": agreement.partner,
        "agreement": agreement.reference,
        "created_at": timezone.now().isoformat(timespec="seconds"),
        "entities": len(entities),
        "sha256": digest,
    }
    content = (json.dumps(header, ensure_ascii=False, sort_keys=True) + "\n").encode() + body
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=case,
        detail={
            "object": OBJECT_TYPE,
            "partner": agreement.partner,
            "agreement": agreement.pk,
            "entities": len(entities),
            "persons named": len(persons) - masked,
            "persons masked": masked,
            "sha256": digest,
        },
    )
    return Package(content, agreement.partner, agreement, len(entities), len(persons) - masked,
                   masked, digest)  # fmt: skip


def _header(first: bytes) -> dict[str, Any]:
    """The package's header, or a ValidationError on `file` saying what is wrong with it."""
    problem = _("line 1: not a network package header")
    if len(first) > MAX_HEADER:
        raise ValidationError({"file": [problem]})
    try:
        header = json.loads(first)
    except (ValueError, RecursionError):
        raise ValidationError({"file": [problem]}) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValidationError({"file": [problem]})
    if header.get("version") != VERSION:
        raise ValidationError(
            {
                "file": [
                    _("line 1: package version %(v)s is not read here")
                    % {"v": header.get("version")}
                ]
            }
        )
    for key in ("from", "to", "sha256", "entities"):
        if not header.get(key) and header.get(key) != 0:
            raise ValidationError({"file": [_("line 1: the header lacks %(key)s") % {"key": key}]})
    return header


@audited_atomic
def network_package_receive(
    *,
    actor: Any,
    case: Case,
    lines: Iterable[bytes],
    role: str = "suspect",
    file_name: str = "",
    on: datetime.date | None = None,
) -> dict[str, int]:
    """Import a partner's package into `case`: refused whole unless it is addressed to this
    installation, comes from a partner with an agreement in force, and its lines are the ones
    its header counted and hashed; then the FollowTheMoney import (all or nothing, audited)."""
    on = on or timezone.localdate()
    stream = iter(lines)
    first = next(stream, b"")
    body = list(stream)
    try:
        header = _header(first)
        if str(header["to"]) != installation_name():
            raise ValidationError(
                {"file": [_("line 1: the package is for %(to)s, not for this installation")
                          % {"to": str(header["to"])[:80]}]}
            )  # fmt: skip
        try:
            agreement = agreement_in_force(partner=str(header["from"])[:80], on=on)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        digest = hashlib.sha256(b"".join(body)).hexdigest()
        if digest != header["sha256"]:
            raise ValidationError(
                {"file": [_("the package was cut or changed after it was made (its SHA-256 "
                            "does not match the header's)")]}
            )  # fmt: skip
        if sum(1 for raw in body if raw.strip()) != header["entities"]:
            raise ValidationError(
                {"file": [_("the package holds another number of entities than its header says")]}
            )
    except ValidationError as error:
        raise refusal(
            error,
            actor=actor,
            action=AuditAction.IMPORT,
            obj=case,
            detail={"object": OBJECT_TYPE, "refused": 1, "file": file_name[:200]},
        ) from None
    counts = network_import(actor=actor, case=case, lines=body, role=role, file_name=file_name)
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=case,
        detail={
            "object": OBJECT_TYPE,
            "partner": agreement.partner,
            "agreement": agreement.pk,
            "sha256": digest,
            **counts,
        },
    )
    return counts
