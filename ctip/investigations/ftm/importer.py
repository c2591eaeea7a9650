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
from django.db.models import Q
from django.utils.translation import gettext as _
from followthemoney.proxy import EntityProxy

from ctip.access.choices import Action
from ctip.access.policies import restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.investigations import services as core
from ctip.investigations.choices import IdentifierKind, OrganisationKind, RelationKind
from ctip.investigations.models import Organisation
from ctip.investigations.selectors import may_change_case, visible_cases
from ctip.linkage.checks import queue_possible_matches
from ctip.reference.models import Country
from ctip.registry import services as registry
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Case, Participant, Person
from ctip.registry.names import is_khmer
from ctip.registry.selectors import person_queryset

from .export import HOLDER_PROPERTY, IDENTIFIER_SCHEMA, PHONE_AS_TYPED, RELATION_SCHEMA
from .reader import LineError, read_lines

HOLDERS = ("Person", "Company", "Organization", "LegalEntity")
# One case's network, written through the services one entity at a time (each person also
# scored for possible matches): a file above this is refused whole, so that a hostile or
# mistaken upload (a whole sanctions list) costs seconds, not hours.
MAX_IMPORT_ENTITIES = 5_000
# `Similar` (two records presumed one person, as ctip's own export ties an identity's records)
# is read and checked but not recorded: which records are one person is decided here, by this
# installation's linkage and its reviewers (every imported person is scored for matches).
ACCEPTED = (*HOLDERS, *(schema for schema, _v, _s in IDENTIFIER_SCHEMA.values()),
            *(schema for schema, _a, _b in RELATION_SCHEMA.values()), "Similar")  # fmt: skip
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


def _network_errors(
    actor: Any, entities: list[EntityProxy], lines: dict[str, int]
) -> list[LineError]:
    known = set(lines)
    errors = []
    for entity in entities:
        assert entity.id is not None
        for target in _links(entity):
            if target not in known and not _exists(actor, target):
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


def _known_person(actor: Any, ftm_id: str) -> Person | None:
    """A person already imported under this id whom the actor may see (in a case they see
    here, or through the registry's rule). One they may not see is not found: a file naming
    another agency's id must neither reveal that person nor pull them into this case."""
    return (
        Person.objects.filter(external_id=ftm_id)
        .filter(
            Q(participations__case__in=visible_cases(actor=actor))
            | Q(pk__in=person_queryset(actor=actor).values("pk"))
        )
        .first()
    )


def _exists(actor: Any, ftm_id: str) -> bool:
    return (
        _known_person(actor, ftm_id) is not None
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
        self.counts = {
            "persons": 0,
            "organisations": 0,
            "identifiers": 0,
            "relations": 0,
            "possible_matches": 0,
        }
        self.network = role in registry.NETWORK_ROLES

    def person(self, entity: EntityProxy) -> Person:
        existing = _known_person(self.actor, str(entity.id))
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
                # An id already held by a person the actor may not see stays with that one.
                "external_id": None
                if Person.objects.filter(external_id=entity.id).exists()
                else entity.id,
            }
            if len(birth) >= 10:
                fields["date_of_birth"] = _date(birth)
            if self.network:
                existing = registry.network_person_register(
                    actor=self.actor, case=self.case, role=self.role, **fields
                ).person
            else:
                existing = registry.person_create(
                    actor=self.actor, registered_by=self.case.owning_agency, **fields
                )
            if len(birth) == 4 and birth.isdigit():
                # A year alone: the registry keeps it as the known year of birth.
                Person.objects.filter(pk=existing.pk).update(birth_year=int(birth))
                existing.birth_year = int(birth)
            self.counts["persons"] += 1
            self.counts["possible_matches"] += queue_possible_matches(
                actor=self.actor, person=existing, source="ftm import"
            )
        if not Participant.objects.filter(case=self.case, person=existing).exists():
            add = registry.network_person_add if self.network else registry.participant_add
            add(actor=self.actor, case=self.case, person=existing, role=self.role)
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

    def party(self, ftm_id: str) -> Person | Organisation | None:
        """An entity of the file, or one imported earlier that a link names: an organisation,
        or a person the actor may see (brought into the case in the file's role)."""
        if ftm_id in self.holders or not ftm_id:
            return self.holders.get(ftm_id)
        organisation = Organisation.objects.filter(external_id=ftm_id).first()
        if organisation is not None:
            if not organisation.involvements.filter(case=self.case).exists():
                core.organisation_involve(
                    actor=self.actor, case=self.case, organisation=organisation, role="other"
                )
            self.holders[ftm_id] = organisation
            return organisation
        person = _known_person(self.actor, ftm_id)
        if person is not None:
            if not Participant.objects.filter(case=self.case, person=person).exists():
                add = registry.network_person_add if self.network else registry.participant_add
                add(actor=self.actor, case=self.case, person=person, role=self.role)
            self.holders[ftm_id] = person
        return person

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
                self.party(_first(entity, holder_prop))
                if holder_prop
                else owned.get(str(entity.id))
            )
            service = _first(entity, service_prop) if service_prop else ""
            self.identifier(kind, _first(entity, value_prop), service, holder)
        for entity in entities:
            if entity.schema.name not in _RELATION_OF_SCHEMA:
                continue
            relation_kind, source, target = _RELATION_OF_SCHEMA[entity.schema.name]
            subject = self.party(_first(entity, source))
            obj = self.party(_first(entity, target))
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


def _may_register(actor: Any, case: Case, role: str) -> bool:
    """Investigators of the owning agency register a network's suspects and other parts
    (decision 0703); any other role in the case is the case officers' (the registry's rule)."""
    if role in registry.NETWORK_ROLES:
        return registry.may_register_network(actor, case)
    return restrict(Case.objects.filter(pk=case.pk), actor, Action.CHANGE).exists()


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
    if role not in ParticipantRole.values or role == ParticipantRole.VICTIM:
        raise ValidationError({"role": [_("Persons of a network are not victims.")]})
    result = read_lines(lines, allowed=ACCEPTED, keep_raw={"phone"})
    errors = list(result.errors)
    if not errors and len(result.entities) > MAX_IMPORT_ENTITIES:
        errors = [
            LineError(
                result.lines[str(result.entities[MAX_IMPORT_ENTITIES].id)],
                _("more than %(n)d entities: a case's network is imported in parts")
                % {"n": MAX_IMPORT_ENTITIES},
            )
        ]
    if not errors:
        errors = _network_errors(actor, result.entities, result.lines)
    has_persons = any(e.schema.is_a("Person") for e in result.entities)
    if not errors and has_persons and not _may_register(actor, case, role):
        # Persons are registered by the agency owning the case (its investigators or those
        # who change it); an agency the case is shared with records identifiers only.
        raise refusal(
            PermissionDenied(_("Persons are registered only in cases your agency owns.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=case,
            detail={"wanted": "ftm import", "file": file_name[:200]},
        )
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
