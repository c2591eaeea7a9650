"""Every write of sanctions screening: loading a list (which re-screens), screening, deciding.

A list comes from a FollowTheMoney file the administrator provides (`ctip sanctions load`):
every line is checked first (ftm.reader) and the list is replaced in one transaction or not at
all. Loading re-screens the registry's suspects, the organisations and the identifiers recorded
in cases against the list; hits keep the decisions already taken on them, new hits await one,
and hits that no longer hold are withdrawn. Each load, screening and decision is audited.
"""

import dataclasses
import hashlib
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Role
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.investigations.ftm.aliases import person_aliases
from ctip.investigations.ftm.reader import read_lines
from ctip.investigations.models import Identifier, Organisation
from ctip.investigations.normalise import normalise
from ctip.investigations.selectors import is_investigator
from ctip.reference.models import Country
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Participant, Person

from .choices import DECISIONS, HitStatus, SubjectKind
from .matching import ListIndex, Match, Subject
from .models import ListedEntity, ScreeningHit, WatchList
from .screening import birth_years, countries, entity_names, identifiers, listed_subject

MAX_NOTE = 1000
MAX_NAME = 200


@dataclasses.dataclass(frozen=True)
class ScreenReport:
    """What one screening found: subjects screened, hits new, kept, withdrawn."""

    persons: int
    organisations: int
    identifiers: int
    new: int
    kept: int
    withdrawn: int


@dataclasses.dataclass(frozen=True)
class LoadReport:
    watch_list: WatchList
    added: int
    updated: int
    removed: int
    screening: ScreenReport


def may_load_lists(actor: Any) -> bool:
    """Administrators (and the command line) load lists; investigators screen against them."""
    scope = actor_scope(actor)
    return scope.is_superuser or scope.has_role(Role.ADMINISTRATOR)


def _alpha2(codes: Iterable[str], table: dict[str, str]) -> frozenset[str]:
    return frozenset(table[code] for code in codes if code in table)


def _person_subjects() -> list[Subject]:
    """Every person in the suspect role of any case: screening is the registry's, its hits
    are scoped when read (selectors)."""
    table = {a3: a2.lower() for a3, a2 in Country.objects.values_list("alpha3", "alpha2")}
    ids = Participant.objects.filter(role=ParticipantRole.SUSPECT).values("person_id")
    subjects = []
    for person in Person.objects.filter(pk__in=ids).iterator(chunk_size=2000):
        latin = " ".join(p for p in (person.family_name_latin, person.given_name_latin) if p)
        khmer = " ".join(p for p in (person.family_name_km, person.given_name_km) if p)
        aliases = person_aliases(person.aliases)
        names = [n for n in (latin, khmer, *aliases) if n]
        if not names:
            continue
        years = {person.birth_year} if person.birth_year else set()
        if person.date_of_birth:
            years.add(person.date_of_birth.year)
        subjects.append(
            Subject(
                f"person:{person.pk}",
                "person",
                names,
                frozenset(years),
                _alpha2(person.citizenships or [], table),
            )
        )
    return subjects


def _organisation_subjects() -> list[Subject]:
    subjects = []
    for organisation in Organisation.objects.select_related("jurisdiction"):
        names = [organisation.name, *[a for a in organisation.aliases or [] if isinstance(a, str)]]
        country = organisation.jurisdiction
        subjects.append(
            Subject(
                f"organisation:{organisation.pk}",
                "organisation",
                names,
                countries=frozenset({country.alpha2.lower()}) if country else frozenset(),
            )
        )
    return subjects


def _identifier_matches(entities: list[ListedEntity]) -> list[tuple[ListedEntity, int, str]]:
    """(entity, identifier id, evidence) where an identifier recorded in a case is, in normal
    form, one the list gives (a phone, a bank account, a wallet, an account, a plate)."""
    wanted: dict[tuple[str, str], list[ListedEntity]] = {}
    for entity in entities:
        for kind, value in entity.identifiers:
            try:
                form = normalise(kind, value)
            except ValueError:
                continue
            wanted.setdefault((kind, form.value), []).append(entity)
    if not wanted:
        return []
    kinds = sorted({kind for kind, _value in wanted})
    found = []
    for identifier in Identifier.objects.filter(kind__in=kinds).only("id", "kind", "value"):
        for entity in wanted.get((identifier.kind, identifier.value), []):
            found.append((entity, identifier.pk, f"{identifier.get_kind_display()}: same value"))
    return found


@audited_atomic
def watch_list_screen(*, actor: Any, watch_list: WatchList) -> ScreenReport:
    """Screen suspects, organisations and identifiers against the list; keep decisions."""
    if not (may_load_lists(actor) or is_investigator(actor)):
        raise refusal(
            PermissionDenied(_("Only investigators and administrators screen against lists.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=watch_list,
        )
    entities = list(watch_list.entities.filter(removed=False))
    by_ftm_id = {entity.ftm_id: entity for entity in entities}
    listed = [s for s in (listed_subject(_entity_dict(e)) for e in entities) if s is not None]
    index = ListIndex(listed)
    persons, organisations = _person_subjects(), _organisation_subjects()
    found: dict[tuple[int, str, int], tuple[float, str, list[str]]] = {}
    matches: list[Match] = []
    for subject in [*persons, *organisations]:
        matches.extend(index.screen(subject))
    for match in matches:
        subject_kind, subject_ref = match.subject.split(":")
        entity = by_ftm_id[match.listed]
        found[(entity.pk, subject_kind, int(subject_ref))] = (
            match.score,
            match.listed_name,
            list(match.evidence),
        )
    identifier_hits = _identifier_matches(entities)
    for entity, identifier_id, evidence in identifier_hits:
        found[(entity.pk, SubjectKind.IDENTIFIER, identifier_id)] = (
            1.0,
            entity.caption,
            [evidence],
        )

    existing: dict[tuple[int, str, int | None], ScreeningHit] = {
        (
            hit.entity_id,
            hit.subject_kind,
            hit.person_id or hit.organisation_id or hit.identifier_id,
        ): hit
        for hit in ScreeningHit.objects.filter(entity__watch_list=watch_list)
    }
    new = kept = withdrawn = 0
    to_create = []
    for key, (score, listed_name, lines) in found.items():
        hit = existing.pop(key, None)
        if hit is not None:
            hit.score, hit.listed_name, hit.evidence = score, listed_name[:500], lines
            hit.list_version = watch_list.version
            if hit.status == HitStatus.WITHDRAWN:
                hit.status = HitStatus.PENDING
            hit.save(update_fields=["score", "listed_name", "evidence", "list_version", "status"])
            kept += 1
            continue
        entity_id, kind, subject_id = key
        to_create.append(
            ScreeningHit(
                entity_id=entity_id,
                subject_kind=kind,
                person_id=subject_id if kind == SubjectKind.PERSON else None,
                organisation_id=subject_id if kind == SubjectKind.ORGANISATION else None,
                identifier_id=subject_id if kind == SubjectKind.IDENTIFIER else None,
                score=score,
                listed_name=listed_name[:500],
                evidence=lines,
                list_version=watch_list.version,
            )
        )
        new += 1
    ScreeningHit.objects.bulk_create(to_create, batch_size=1000)
    # Hits no longer found: pending ones are withdrawn; decided ones keep their decision.
    gone = [hit.pk for hit in existing.values() if hit.status == HitStatus.PENDING]
    withdrawn = ScreeningHit.objects.filter(pk__in=gone).update(status=HitStatus.WITHDRAWN)
    watch_list.screened_at = timezone.now()
    watch_list.save(update_fields=["screened_at"])
    report = ScreenReport(
        len(persons), len(organisations), len(identifier_hits), new, kept, withdrawn
    )
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        obj=watch_list,
        detail={"screening": dataclasses.asdict(report), "version": watch_list.version},
    )
    return report


def _entity_dict(entity: ListedEntity) -> dict[str, Any]:
    return {"id": entity.ftm_id, "schema": entity.schema, "properties": entity.data}


@audited_atomic
def watch_list_load(
    *,
    actor: Any,
    name: str,
    lines: Iterable[bytes],
    file_name: str = "",
    publisher: str = "",
) -> LoadReport:
    """Load (or reload) the list `name` from FollowTheMoney JSON lines, then re-screen.

    Every line is checked first; any problem refuses the whole file with a message per line
    and changes nothing."""
    if not may_load_lists(actor):
        raise refusal(
            PermissionDenied(_("Only administrators load sanctions and watch lists.")),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="investigations.watchlist",
        )
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationError({"name": _("Give the list a name of at most 200 characters.")})
    digest = hashlib.sha256()

    def counted(raw: Iterable[bytes]) -> Iterable[bytes]:
        for line in raw:
            digest.update(line)
            yield line

    result = read_lines(counted(lines))
    if not result.ok:
        raise refusal(
            ValidationError({"file": [str(error) for error in result.errors]}),
            actor=actor,
            action=AuditAction.IMPORT,
            object_type="investigations.watchlist",
            detail={"refused": len(result.errors), "file": file_name[:200], "list": name},
        )
    watch_list, _created = WatchList.objects.get_or_create(name=name)
    watch_list.version += 1
    previous = {entity.ftm_id: entity for entity in watch_list.entities.all()}
    added = updated = 0
    to_create = []
    for proxy in result.entities:
        data = proxy.to_dict()
        entity_id = str(data["id"])
        fields = {
            "schema": proxy.schema.name,
            "caption": (proxy.caption or entity_id)[:500],
            "names": entity_names(data),
            "birth_years": birth_years(data),
            "countries": countries(data),
            "identifiers": identifiers(data),
            "data": data.get("properties", {}),
            "removed": False,
        }
        entity = previous.pop(entity_id, None)
        if entity is None:
            to_create.append(ListedEntity(watch_list=watch_list, ftm_id=entity_id, **fields))
            added += 1
        else:
            for field, value in fields.items():
                setattr(entity, field, value)
            entity.save()
            updated += 1
    ListedEntity.objects.bulk_create(to_create, batch_size=2000)
    removed = ListedEntity.objects.filter(pk__in=[e.pk for e in previous.values()]).update(
        removed=True
    )
    watch_list.publisher = publisher[:200] or watch_list.publisher
    watch_list.file_name = file_name[:300]
    watch_list.sha256 = digest.hexdigest()
    watch_list.entity_count = added + updated
    watch_list.loaded_at = timezone.now()
    watch_list.loaded_by = actor.get_username()[:150]
    watch_list.save()
    audit_record(
        actor=actor,
        action=AuditAction.IMPORT,
        obj=watch_list,
        detail={
            "version": watch_list.version,
            "added": added,
            "updated": updated,
            "removed": removed,
            "sha256": watch_list.sha256,
        },
    )
    screening = watch_list_screen(actor=actor, watch_list=watch_list)
    return LoadReport(watch_list, added, updated, removed, screening)


@audited_atomic
def hit_decide(*, actor: Any, hit: ScreeningHit, decision: str, note: str = "") -> ScreeningHit:
    """Record the investigator's decision on a hit: the same (confirmed) or not (dismissed),
    with the reason. The hit was read through the selectors, so the actor may see it."""
    if not is_investigator(actor):
        raise refusal(
            PermissionDenied(_("Only investigators decide on screening hits.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=hit,
        )
    errors: dict[str, str] = {}
    if decision not in DECISIONS:
        errors["decision"] = _("Choose confirmed or dismissed.")
    if len(note) > MAX_NOTE:
        errors["note"] = _("At most %(n)d characters.") % {"n": MAX_NOTE}
    if decision == HitStatus.DISMISSED and not note.strip():
        errors["note"] = _("Say why the hit is not the listed entity.")
    if hit.status == HitStatus.WITHDRAWN:
        errors["decision"] = _("This hit no longer holds: the list or the record changed.")
    if errors:
        raise ValidationError(errors)
    before = hit.status
    hit.status = decision
    hit.note = note.strip()
    hit.decided_by = actor
    hit.decided_at = timezone.now()
    hit.save(update_fields=["status", "note", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=hit,
        changes={"status": [before, decision]},
        detail={"entity": hit.entity.ftm_id, "list": hit.entity.watch_list.name},
    )
    return hit
