"""Importing FollowTheMoney entities into a case: a partner's Aleph network, or our own export.

The file is checked whole first (ftm.reader: schema, ids, property types) and then as a network
(every link names an entity of the file or one already known by its id); any problem refuses
the file with a message per line and nothing is written. Entities become what the export
makes of them (ftm.export), through the registry's and the investigations app's services in
one transaction: persons (participants of the case in the role given; found again by their
FtM id, kept as the person's external id), organisations, identifiers (phones and e-mails of
their holder, accounts, wallets, bank accounts, vehicles, addresses) and relations. A phone
that does not parse is kept as typed and flagged by the identifier service (followthemoney
would drop it): in a `phone` property, or after export.PHONE_AS_TYPED in `notes`.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from followthemoney.proxy import EntityProxy

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.investigations import services as core
from ctip.investigations.choices import IdentifierKind, OrganisationKind, RelationKind
from ctip.investigations.models import Organisation
from ctip.investigations.selectors import may_change_case
from ctip.reference.models import Country
from ctip.registry import services as registry
from ctip.registry.models import Case, Participant, Person
from ctip.registry.names import is_khmer

from .export import HOLDER_PROPERTY, IDENTIFIER_SCHEMA, PHONE_AS_TYPED, RELATION_SCHEMA
from .reader import LineError, read_lines

HOLDERS = ("Person", "Company", "Organization", "LegalEntity")
ACCEPTED = (*HOLDERS, *(schema for schema, _v, _s in IDENTIFIER_SCHEMA.values()),
            *(schema for schema, _a, _b in RELATION_SCHEMA.values()))  # fmt: skip
_KIND_OF_SCHEMA = {schema: kind for kind, (schema, _v, _s) in IDENTIFIER_SCHEMA.items()}
_RELATION_OF_SCHEMA = {schema: (kind, a, b) for kind, (schema, a, b) in RELATION_SCHEMA.items()}


def _first(entity: EntityProxy, prop: str) -> str:
    values = entity.get(prop, quiet=True)
    return values[0] if values else ""


def _links(entity: EntityProxy) -> list[str]:
    """Ids of the entities this one refers to."""
    found = []
    for prop in entity.schema.properties.values():
        if prop.type.name == "entity":
            found.extend(entity.get(prop.name, quiet=True))
    return found


def _network_errors(entities: list[EntityProxy], lines: dict[str, int]) -> list[LineError]:
    known = set(lines)
    errors = []
    for entity in entities:
        assert entity.id is not None
        for target in _links(entity):
            if target not in known and not _exists(target):
                errors.append(
                    LineError(
                        lines[entity.id],
                        _("entity %(id)s names %(target)s, which is not in the file")
                        % {"id": entity.id, "target": target},
                    )
                )
        if entity.schema.name == "Ownership":
            continue
        if entity.schema.name in _RELATION_OF_SCHEMA:
            _kind, a, b = _RELATION_OF_SCHEMA[entity.schema.name]
            if not entity.get(a, quiet=True) or not entity.get(b, quiet=True):
                errors.append(
                    LineError(
                        lines[entity.id], _("entity %(id)s links nothing") % {"id": entity.id}
                    )
                )
    return errors


def _exists(ftm_id: str) -> bool:
    return (
        Person.objects.filter(external_id=ftm_id).exists()
        or Organisation.objects.filter(external_id=ftm_id).exists()
    )


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value[:10]) if len(value) >= 10 else None
    except ValueError:
        return None


class _Import:
    """The writes of one file, in dependency order."""

    def __init__(self, actor: Any, case: Case, role: str, raw_phones: dict[str, list[str]]):
        self.actor, self.case, self.role = actor, case, role
        self.raw_phones = raw_phones
        self.holders: dict[str, Person | Organisation] = {}
        self.alpha3 = {a2.lower(): a3 for a2, a3 in Country.objects.values_list("alpha2", "alpha3")}
        self.counts = {"persons": 0, "organisations": 0, "identifiers": 0, "relations": 0}

    def person(self, entity: EntityProxy) -> Person:
        existing = Person.objects.filter(external_id=entity.id).first()
        if existing is None:
            names = [n for n in entity.get("alias", quiet=True)]
            khmer = next((n for n in names if is_khmer(n)), "")
            family_km, _sep, given_km = khmer.partition(" ")
            family, given = _first(entity, "lastName"), _first(entity, "firstName")
            if not family and not given and not khmer:
                family = _first(entity, "name")
            birth = _first(entity, "birthDate")
            fields: dict[str, Any] = {
                "family_name_latin": family,
                "given_name_latin": given,
                "family_name_km": family_km,
                "given_name_km": given_km,
                "aliases": [n for n in names if n != khmer],
                "citizenships": [
                    self.alpha3[c]
                    for c in entity.get("nationality", quiet=True)
                    if c in self.alpha3
                ],
                "external_id": entity.id,
            }
            if len(birth) >= 10:
                fields["date_of_birth"] = _date(birth)
            existing = registry.person_create(
                actor=self.actor, registered_by=self.case.owning_agency, **fields
            )
            if len(birth) == 4 and birth.isdigit():
                # A year alone: the registry keeps it as the known year of birth.
                Person.objects.filter(pk=existing.pk).update(birth_year=int(birth))
                existing.birth_year = int(birth)
            self.counts["persons"] += 1
        if not Participant.objects.filter(case=self.case, person=existing).exists():
            registry.participant_add(
                actor=self.actor, case=self.case, person=existing, role=self.role
            )
        return existing

    def organisation(self, entity: EntityProxy) -> Organisation:
        existing = Organisation.objects.filter(external_id=entity.id).first()
        if existing is None:
            jurisdiction = _first(entity, "jurisdiction")
            existing = core.organisation_create(
                actor=self.actor,
                name=_first(entity, "name"),
                kind=OrganisationKind.COMPANY
                if entity.schema.is_a("Company")
                else OrganisationKind.ORGANISATION,
                registration_number=_first(entity, "registrationNumber"),
                jurisdiction=Country.objects.filter(alpha2=jurisdiction.upper()).first()
                if jurisdiction
                else None,
                aliases=list(entity.get("alias", quiet=True)),
                external_id=entity.id if not str(entity.id).startswith("ctip-") else None,
            )
            self.counts["organisations"] += 1
        core.organisation_involve(
            actor=self.actor, case=self.case, organisation=existing, role="other"
        ) if not existing.involvements.filter(case=self.case).exists() else None
        return existing

    def identifier(self, kind: str, value: str, service: str, holder: Any) -> None:
        person = holder if isinstance(holder, Person) else None
        organisation = holder if isinstance(holder, Organisation) else None
        core.identifier_record(
            actor=self.actor,
            case=self.case,
            kind=kind,
            value=value,
            service=service,
            person=person,
            organisation=organisation,
        )
        self.counts["identifiers"] += 1

    def run(self, entities: list[EntityProxy]) -> None:
        by_id = {str(e.id): e for e in entities}
        for entity in entities:
            if entity.schema.name in HOLDERS:
                if entity.schema.is_a("Person"):
                    self.holders[str(entity.id)] = self.person(entity)
                else:
                    self.holders[str(entity.id)] = self.organisation(entity)
        for entity in entities:
            holder = self.holders.get(str(entity.id))
            if holder is None:
                continue
            phones = list(entity.get("phone", quiet=True)) + self.raw_phones.get(str(entity.id), [])
            phones += [
                note[len(PHONE_AS_TYPED) :]
                for note in entity.get("notes", quiet=True)
                if note.startswith(PHONE_AS_TYPED)
            ]
            for phone in phones:
                self.identifier(IdentifierKind.PHONE, phone, "", holder)
            for email in entity.get("email", quiet=True):
                self.identifier(IdentifierKind.EMAIL, email, "", holder)
            for site in entity.get("website", quiet=True):
                self.identifier(IdentifierKind.WEBSITE, site, "", holder)
            for address_id in entity.get("addressEntity", quiet=True):
                address = by_id.get(address_id)
                if address is not None:
                    self.identifier(IdentifierKind.ADDRESS, _first(address, "full"), "", holder)
        owned = {
            _first(e, "asset"): self.holders.get(_first(e, "owner"))
            for e in entities
            if e.schema.name == "Ownership" and _first(e, "asset") in by_id
            and by_id[_first(e, "asset")].schema.name == "BankAccount"
        }  # fmt: skip
        addressed = {a for e in entities for a in e.get("addressEntity", quiet=True)}
        for entity in entities:
            kind = _KIND_OF_SCHEMA.get(entity.schema.name)
            if kind is None or str(entity.id) in addressed:
                continue
            _schema, value_prop, service_prop = IDENTIFIER_SCHEMA[kind]
            holder_prop = HOLDER_PROPERTY.get(entity.schema.name)
            holder = (
                self.holders.get(_first(entity, holder_prop))
                if holder_prop
                else owned.get(str(entity.id))
            )
            service = _first(entity, service_prop) if service_prop else ""
            self.identifier(kind, _first(entity, value_prop), service, holder)
        for entity in entities:
            if entity.schema.name not in _RELATION_OF_SCHEMA:
                continue
            relation_kind, source, target = _RELATION_OF_SCHEMA[entity.schema.name]
            subject = self.holders.get(_first(entity, source))
            obj = self.holders.get(_first(entity, target))
            if subject is None or obj is None:
                continue  # an Ownership of an account: recorded as its holder above
            core.relation_create(
                actor=self.actor,
                case=self.case,
                kind=RelationKind(relation_kind),
                subject=subject,
                object=obj,
                role=_first(entity, "role"),
                start_date=_date(_first(entity, "startDate")),
                end_date=_date(_first(entity, "endDate")),
                external_id=entity.id,
            )
            self.counts["relations"] += 1


@audited_atomic
def network_import(
    *, actor: Any, case: Case, lines: Iterable[bytes], role: str = "suspect", file_name: str = ""
) -> dict[str, int]:
    """Import a FollowTheMoney file into the case; all of it or nothing."""
    if not may_change_case(actor, case):
        raise refusal(
            PermissionDenied(_("You may not record in this case.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "ftm import"},
        )
    result = read_lines(lines, allowed=ACCEPTED, keep_raw={"phone"})
    errors = list(result.errors)
    if not errors:
        errors = _network_errors(result.entities, result.lines)
    if errors:
        raise refusal(
            ValidationError({"file": [str(error) for error in errors]}),
            actor=actor,
            action=AuditAction.IMPORT,
            obj=case,
            detail={"refused": len(errors), "file": file_name[:200], "format": "ftm"},
        )
    job = _Import(actor, case, role, result.raw)
    try:
        job.run(result.entities)
    except ValidationError as error:
        raise ValidationError(
            {
                "file": [
                    _("the file could not be recorded: %(e)s") % {"e": "; ".join(error.messages)}
                ]
            }
        ) from error
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=case,
        detail={**job.counts, "file": file_name[:200], "format": "ftm"},
    )
    return job.counts
