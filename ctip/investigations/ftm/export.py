"""Cases' networks as FollowTheMoney entities: what Aleph and OpenSanctions read.

Persons (the suspects of the cases, and anyone a recorded identifier or relation names, never
a person who is only a victim) become `Person`, organisations `Company` or `Organization`;
phone numbers and e-mail addresses are properties of their holder (`phone`, `email`); bank
accounts, wallets, accounts, vehicles and addresses are entities of their own, tied to their
holder (`Ownership` of a `BankAccount`, `CryptoWallet.holder`, `UserAccount.owner`,
`Vehicle.owner`, `addressEntity`); relations are `Ownership`, `Directorship`, `Employment`
and `UnknownLink`. Person records that the linkage app resolved to one identity stay one
`Person` each (their ids, provenance and a later unmerge intact) and are tied by a `Similar`
(FtM's "presumed to be the same" link), only between records both named in the export
(decision 0705). A phone number that could not be normalised is not a valid FtM phone: it
is written, as typed, in the holder's `notes` after the marker PHONE_AS_TYPED, so that nothing
is dropped and the importer flags it again. Names are written as the actor may read them
(access.masking): a person the actor may not identify is exported as `P<id>` and nothing
else identifying. Ids are the record's external id where it came from elsewhere, else
`ctip-<kind>-<id>`, so that an entity imported and exported again keeps its id.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any

from followthemoney import model
from followthemoney.proxy import EntityProxy

from ctip.access.masking import can_read
from ctip.investigations.choices import IdentifierKind, OrganisationKind, RelationKind
from ctip.investigations.models import Identifier, IdentifierUse, Organisation, Relation
from ctip.linkage.selectors import identities_of
from ctip.reference.models import Country
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Case, Participant, Person

from .aliases import person_aliases

PHONE_AS_TYPED = "ctip:phone-as-typed:"
RELATION_SCHEMA = {
    RelationKind.OWNERSHIP: ("Ownership", "owner", "asset"),
    RelationKind.DIRECTORSHIP: ("Directorship", "director", "organization"),
    RelationKind.EMPLOYMENT: ("Employment", "employee", "employer"),
    RelationKind.UNKNOWN: ("UnknownLink", "subject", "object"),
}
IDENTIFIER_SCHEMA = {
    IdentifierKind.BANK_ACCOUNT: ("BankAccount", "accountNumber", "bankName"),
    IdentifierKind.CRYPTO_WALLET: ("CryptoWallet", "publicKey", "currency"),
    IdentifierKind.ACCOUNT: ("UserAccount", "username", "service"),
    IdentifierKind.VEHICLE: ("Vehicle", "registrationNumber", ""),
    IdentifierKind.ADDRESS: ("Address", "full", ""),
}
# The `matcher` of the `Similar` links the export writes: the judgement is this installation's
# record linkage (automatic above the upper threshold, or a reviewer's).
SIMILAR_MATCHER = "ctip linkage"
HOLDER_PROPERTY = {"CryptoWallet": "holder", "UserAccount": "owner", "Vehicle": "owner"}
_ALPHA2: dict[str, str] = {}


def person_id(person: Person) -> str:
    return person.external_id or f"ctip-person-{person.pk}"


def organisation_id(organisation: Organisation) -> str:
    return organisation.external_id or f"ctip-organisation-{organisation.pk}"


def identifier_id(identifier: Identifier) -> str:
    return f"ctip-identifier-{identifier.pk}"


def relation_id(relation: Relation) -> str:
    return relation.external_id or f"ctip-relation-{relation.pk}"


def _alpha2(alpha3: str) -> str:
    if not _ALPHA2:
        _ALPHA2.update(
            {a3: a2.lower() for a3, a2 in Country.objects.values_list("alpha3", "alpha2")}
        )
    return _ALPHA2.get(alpha3, "")


def _person(actor: Any, person: Person, named: bool = True) -> EntityProxy:
    entity = model.make_entity("Person")
    entity.id = person_id(person)
    if not named or not can_read(actor, person, "display_name", person.pk):
        entity.add("name", f"P{person.pk}")
        return entity
    latin = " ".join(p for p in (person.family_name_latin, person.given_name_latin) if p)
    khmer = " ".join(p for p in (person.family_name_km, person.given_name_km) if p)
    entity.add("name", latin or khmer or f"P{person.pk}")
    entity.add("lastName", person.family_name_latin or None)
    entity.add("firstName", person.given_name_latin or None)
    if latin and khmer:
        entity.add("alias", khmer)
    entity.add("alias", person_aliases(person.aliases))
    if person.date_of_birth:
        entity.add("birthDate", person.date_of_birth.isoformat())
    elif person.birth_year:
        entity.add("birthDate", str(person.birth_year))
    entity.add("nationality", [_alpha2(code) for code in person.citizenships or []])
    return entity


def _organisation(organisation: Organisation) -> EntityProxy:
    schema = "Company" if organisation.kind == OrganisationKind.COMPANY else "Organization"
    entity = model.make_entity(schema)
    entity.id = organisation_id(organisation)
    entity.add("name", organisation.name)
    entity.add("alias", [a for a in organisation.aliases or [] if isinstance(a, str)])
    entity.add("registrationNumber", organisation.registration_number or None)
    if organisation.jurisdiction is not None:
        entity.add("jurisdiction", organisation.jurisdiction.alpha2.lower())
    return entity


def case_network(
    *, actor: Any, cases: Iterable[Case], names: Callable[[Person], bool] | None = None
) -> list[EntityProxy]:
    """The entities of the cases' networks (the cases were read through the selectors).
    `names`, where given, says which persons may be named at all (a cross-border agreement's
    roles and nationalities); the others are masked like a person the actor may not read."""
    case_ids = [case.pk for case in cases]
    uses = list(
        IdentifierUse.objects.filter(case_id__in=case_ids).select_related(
            "identifier", "person", "organisation"
        )
    )
    relations = list(
        Relation.objects.filter(case_id__in=case_ids).select_related(
            "subject_person", "subject_organisation", "object_person", "object_organisation"
        )
    )
    suspects = Person.objects.filter(
        pk__in=Participant.objects.filter(
            case_id__in=case_ids, role=ParticipantRole.SUSPECT
        ).values("person_id")
    )
    persons = {person.pk: person for person in suspects}
    victims_only = set(
        Participant.objects.filter(case_id__in=case_ids, role=ParticipantRole.VICTIM)
        .exclude(person_id__in=persons)
        .values_list("person_id", flat=True)
    )
    organisations = {
        organisation.pk: organisation
        for organisation in Organisation.objects.filter(
            involvements__case_id__in=case_ids
        ).select_related("jurisdiction")
    }
    for use in uses:
        if use.person is not None and use.person_id not in victims_only:
            persons.setdefault(use.person.pk, use.person)
        if use.organisation is not None:
            organisations.setdefault(use.organisation.pk, use.organisation)
    for relation in relations:
        for person in (relation.subject_person, relation.object_person):
            if person is not None and person.pk not in victims_only:
                persons.setdefault(person.pk, person)
        for organisation in (relation.subject_organisation, relation.object_organisation):
            if organisation is not None:
                organisations.setdefault(organisation.pk, organisation)
    holders: dict[tuple[str, int], EntityProxy] = {}
    named = {pk: names is None or names(person) for pk, person in persons.items()}
    for person in persons.values():
        holders[("p", person.pk)] = _person(actor, person, named[person.pk])
    for organisation in organisations.values():
        holders[("o", organisation.pk)] = _organisation(organisation)
    entities: dict[str, EntityProxy] = {}
    for use in uses:
        if use.person_id in victims_only:
            continue  # a victim's account or plate is hers: never exported, even unattached
        if use.person_id is not None:
            holder = holders.get(("p", use.person_id))
            identifiable = (
                use.person is not None
                and named.get(use.person_id, True)
                and can_read(actor, use.person, "display_name", use.person_id)
            )
        elif use.organisation_id is not None:
            holder, identifiable = holders.get(("o", use.organisation_id)), True
        else:
            holder, identifiable = None, True
        if not identifiable or not can_read(actor, use.identifier, "value", use.identifier_id):
            continue
        _identifier(use.identifier, holder, entities)
    for relation in relations:
        subject = holders.get(
            ("p", relation.subject_person_id)
            if relation.subject_person_id
            else ("o", relation.subject_organisation_id)  # type: ignore[arg-type]
        )
        target = holders.get(
            ("p", relation.object_person_id)
            if relation.object_person_id
            else ("o", relation.object_organisation_id)  # type: ignore[arg-type]
        )
        if subject is None or target is None:
            continue  # a victim's tie: not exported
        schema, source, destination = RELATION_SCHEMA[RelationKind(relation.kind)]
        link = model.make_entity(schema)
        link.id = relation_id(relation)
        link.add(source, subject.id)
        link.add(destination, target.id)
        link.add("role", relation.role or None)
        if relation.start_date:
            link.add("startDate", relation.start_date.isoformat())
        if relation.end_date:
            link.add("endDate", relation.end_date.isoformat())
        entities[link.id] = link
    named_here = [
        person for pk, person in persons.items()
        if named[pk] and can_read(actor, person, "display_name", pk)
    ]  # fmt: skip
    for similar in _same_identity(actor, named_here):
        assert similar.id is not None
        entities[similar.id] = similar
    for holder in holders.values():
        assert holder.id is not None
        entities[holder.id] = holder
    return [entities[key] for key in sorted(entities)]


def _same_identity(actor: Any, persons: list[Person]) -> list[EntityProxy]:
    """`Similar` links tying the records of one identity among these (each to the identity's
    first record here): the records stay apart, the receiver sees they are one person."""
    identity = identities_of(actor=actor, person_ids=[p.pk for p in persons])
    groups: dict[int, list[Person]] = {}
    for person in sorted(persons, key=lambda p: p.pk):
        if person.pk in identity:
            groups.setdefault(identity[person.pk], []).append(person)
    out = []
    for records in groups.values():
        first = records[0]
        for other in records[1:]:
            link = model.make_entity("Similar")
            link.id = f"ctip-similar-{first.pk}-{other.pk}"
            link.add("candidate", person_id(first))
            link.add("match", person_id(other))
            link.add("matcher", SIMILAR_MATCHER)
            out.append(link)
    return out


def _identifier(
    identifier: Identifier, holder: EntityProxy | None, entities: dict[str, EntityProxy]
) -> None:
    kind = identifier.kind
    if kind in (IdentifierKind.PHONE, IdentifierKind.EMAIL, IdentifierKind.WEBSITE):
        if holder is None:
            return  # a property needs a holder; the case's own phone stays in ctip
        if kind == IdentifierKind.PHONE and not identifier.is_valid:
            holder.add("notes", PHONE_AS_TYPED + (identifier.as_typed or identifier.value))
        else:
            holder.add({"phone": "phone", "email": "email", "website": "website"}[kind],
                       identifier.value)  # fmt: skip
        return
    schema, value_property, service_property = IDENTIFIER_SCHEMA[IdentifierKind(kind)]
    entity = model.make_entity(schema)
    entity.id = identifier_id(identifier)
    entity.add(value_property, identifier.value)
    if service_property and identifier.service:
        entity.add(service_property, identifier.service)
    entities[entity.id] = entity
    if holder is None:
        return
    if schema in HOLDER_PROPERTY:
        entity.add(HOLDER_PROPERTY[schema], holder.id)
    elif schema == "Address":
        holder.add("addressEntity", entity.id)
    else:  # BankAccount: held through an Ownership
        link = model.make_entity("Ownership")
        link.id = f"{entity.id}-held-by-{holder.id}"
        link.add("owner", holder.id)
        link.add("asset", entity.id)
        entities[link.id] = link


def as_lines(entities: Iterable[EntityProxy]) -> Iterable[str]:
    """One JSON object a line, keys sorted: the form `ftm` and Aleph read."""
    for entity in entities:
        yield json.dumps(entity.to_dict(), ensure_ascii=False, sort_keys=True) + "\n"
