"""Every read of the linkage app, each taking the acting user: identities as the viewer may
see them, the review queue, and the check for possible matches at registration."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Abs, Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.policies import ROLES_FOR_ACTION, actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.crypto import blind_index
from ctip.registry.models import IdentityDocument, Participant, Person
from ctip.registry.names import name_parts, skeleton
from ctip.registry.selectors import name_words, person_queryset
from ctip.registry.services import document_number_index

from . import engine_api, records
from .choices import Decision
from .evidence import Evidence, evidence
from .models import (
    Candidate,
    IdentityMember,
    Link,
    LinkageRun,
    MatchingAgreement,
    TrainedModel,
)
from .services import may_review, pair_fingerprint, thresholds

# --- identities --------------------------------------------------------------------------------


@dataclass
class IdentityView:
    """An identity as one viewer sees it: the records they may open, and how many others."""

    identity_id: int | None
    visible: list[Person] = field(default_factory=list)
    hidden: int = 0
    links: list[Link] = field(default_factory=list)

    @property
    def others(self) -> int:
        """Other records of the identity, seen or not."""
        return len(self.visible) + self.hidden


def identity_of(*, actor: Any, person: Person) -> IdentityView:
    """The other records of the person's identity: those the actor may see, a count of the rest.

    The caller has already shown `person` to the actor (it was read through the registry's
    person_get, which audited the read).
    """
    member = IdentityMember.objects.filter(person=person).first()
    if member is None:
        return IdentityView(identity_id=None)
    others = list(
        IdentityMember.objects.filter(identity_id=member.identity_id)
        .exclude(person=person)
        .values_list("person_id", flat=True)
    )
    visible = list(
        person_queryset(actor=actor)
        .filter(pk__in=others)
        .select_related("registered_by")
        .order_by("id")
    )
    ids = [person.pk, *(p.pk for p in visible)]
    links = list(
        Link.objects.filter(undone_at__isnull=True, person_a_id__in=ids, person_b_id__in=ids)
    )
    return IdentityView(
        identity_id=member.identity_id,
        visible=visible,
        hidden=len(others) - len(visible),
        links=links,
    )


def identities_of(*, actor: Any, person_ids: list[int]) -> dict[int, int]:
    """The identity of each of these records that is in one (records in none are absent).

    The caller has already shown these records to the actor; the other records of their
    identities are neither read nor counted here, so that a view built on this reveals no
    record the actor may not see.
    """
    return dict(
        IdentityMember.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "identity_id"
        )
    )


# --- the review queue --------------------------------------------------------------------------


def queue(*, actor: Any) -> QuerySet[Candidate]:
    """Pairs waiting for a decision, most probable first; nothing for non-reviewers."""
    if not may_review(actor):
        return Candidate.objects.none()
    return (
        Candidate.objects.filter(decision=Decision.PENDING)
        .select_related("person_a__registered_by", "person_b__registered_by")
        .order_by("-probability", "id")
    )


@dataclass
class PairView:
    candidate: Candidate
    first: Person
    second: Person
    evidence: list[Evidence]
    current: bool  # False: the records changed since the pair was scored


def candidate_get(*, actor: Any, pk: int) -> PairView:
    """One pair of the queue with both records, for a reviewer; the read is audited."""
    # Pending or already decided: a reviewer may look back at a decided pair.
    candidate = Candidate.objects.filter(pk=pk).first() if may_review(actor) else None
    if candidate is None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="linkage.candidate",
            object_id=str(pk),
            detail={"wanted": "view"},
        )
        raise Http404(_("No such pair."))
    persons = {
        p.pk: p
        for p in Person.objects.filter(pk__in=[candidate.person_a_id, candidate.person_b_id])
        .select_related("registered_by")
        .prefetch_related("documents")
    }
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=candidate,
        detail={"records": [candidate.person_a_id, candidate.person_b_id]},
    )
    return PairView(
        candidate=candidate,
        first=persons[candidate.person_a_id],
        second=persons[candidate.person_b_id],
        evidence=evidence(candidate.pattern),
        current=pair_fingerprint(candidate.person_a_id, candidate.person_b_id)
        == candidate.fingerprint,
    )


def runs(*, actor: Any, limit: int = 10) -> list[LinkageRun]:
    if not may_review(actor):
        return []
    return list(LinkageRun.objects.order_by("-started_at", "-id")[:limit])


# --- possible matches at registration ----------------------------------------------------------

MAX_PARTS = 6
MAX_VALUE = 120


@dataclass
class PossibleMatch:
    person: Person
    probability: float
    evidence: list[Evidence]
    likely: bool = True  # at or above the lower threshold; below it, a possible match only


@dataclass
class MatchCheck:
    """What the check found: matches the actor may see, and how many likely ones they may not."""

    ready: bool  # False: no model trained yet, nothing was checked
    matches: list[PossibleMatch] = field(default_factory=list)
    hidden: int = 0
    candidates: int = 0

    @property
    def found(self) -> bool:
        return bool(self.matches or self.hidden)

    @property
    def possible(self) -> bool:
        """Whether some listed match is below the likely threshold."""
        return any(not m.likely for m in self.matches)


@dataclass
class Draft:
    """A person being registered, in the registry's field names (nothing saved yet)."""

    family_name_latin: str = ""
    given_name_latin: str = ""
    family_name_km: str = ""
    given_name_km: str = ""
    sex: str = ""
    date_of_birth: datetime.date | None = None
    estimated_age: int | None = None
    citizenships: list[str] = field(default_factory=list)
    phone: str = ""
    document_number: str = ""
    province: str = ""
    address: str = ""
    source: str = ""

    @classmethod
    def from_fields(cls, fields: dict[str, Any], **extra: Any) -> "Draft":
        known = {k: v for k, v in {**fields, **extra}.items() if k in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in known.items() if v not in (None, "")})

    @property
    def birth_year(self) -> int | None:
        if self.date_of_birth:
            return self.date_of_birth.year
        if self.estimated_age is not None:
            return datetime.date.today().year - self.estimated_age
        return None

    def keys(self) -> list[str]:
        parts = name_parts(
            self.family_name_latin, self.given_name_latin, self.family_name_km, self.given_name_km
        )
        # Hostile input costs bounded time: the blocking query grows with pairs of keys.
        return sorted({k for k in (skeleton(p[:40]) for p in parts[:MAX_PARTS]) if k})

    def row(self) -> dict[str, Any]:
        """The draft in the engine's columns; over-long values are cut, so that string
        comparisons on hostile input stay cheap."""
        row = self._row()
        return {k: v[:MAX_VALUE] if isinstance(v, str) else v for k, v in row.items()}

    def _row(self) -> dict[str, Any]:
        return records.row(
            record="new",
            source=self.source,
            family_name=self.family_name_latin,
            given_name=self.given_name_latin,
            family_name_km=self.family_name_km,
            given_name_km=self.given_name_km,
            sex=self.sex,
            date_of_birth=self.date_of_birth,
            birth_year=self.birth_year,
            citizenships=self.citizenships,
            province=self.province,
            address=self.address,
            phone=self.phone,
            document_index=document_number_index(self.document_number)
            if self.document_number.strip()
            else "",
        )


def _has_keys(keys: list[str]) -> Q:
    """Persons whose stored name keys hold all of `keys` (the GIN-indexed array on PostgreSQL)."""
    if connection.vendor == "postgresql":
        return Q(name_words__contains=keys)
    condition = Q()
    for key in keys:
        condition &= Q(name_keys__contains=f" {key} ")
    return condition


def exact_query(draft: Draft) -> Q:
    """Stored persons sharing an identifier with the draft: the same document, or the same date
    of birth and a name key (few rows each, found through the blind indexes)."""
    condition = Q(pk__in=[])
    keys = draft.keys()
    if draft.date_of_birth and keys:
        dob = blind_index(draft.date_of_birth.isoformat(), purpose="dob")
        any_key = Q(pk__in=[])
        for key in keys:
            any_key |= _has_keys([key])
        condition |= Q(dob_index=dob) & any_key
    if draft.document_number.strip():
        index = document_number_index(draft.document_number)
        condition |= Q(
            pk__in=IdentityDocument.objects.filter(number_index=index).values("person_id")
        )
    return condition


def names_query(draft: Draft) -> Q:
    """Stored persons sharing two name keys with the draft, in any order (the engine's own
    blocking on both names; a family name alone is shared by too many Khmer people)."""
    keys = draft.keys()
    condition = Q(pk__in=[])
    for i, first in enumerate(keys):
        for second in keys[i + 1 :]:
            condition |= _has_keys([first, second])
    return condition


def _persons() -> QuerySet[Person]:
    queryset = Person.objects.all()
    if connection.vendor == "postgresql":
        queryset = queryset.alias(name_words=name_words())
    return queryset


def blocking_queries(draft: Draft, *, limit: int) -> list[QuerySet[Person, int]]:
    """The candidates' ids, as the queries the check runs in turn until `limit` are found:
    shared identifiers first, then shared names, the closest birth years first (a common
    name is shared by many; the cap keeps the most likely)."""
    exact = _persons().filter(exact_query(draft)).order_by("-id").values_list("pk", flat=True)
    keys = draft.keys()
    # A three-part name ("Chan Srey Neang") shares two of its keys with thousands: those
    # holding every key come first, or the cap fills with namesakes of two parts.
    conditions = [_has_keys(keys), names_query(draft)] if len(keys) > 2 else [names_query(draft)]
    year = draft.birth_year
    queries = [exact[:limit]]
    for condition in conditions:
        names = _persons().filter(condition)
        if year is not None:
            names = names.annotate(
                st_gap=Coalesce(Abs(F("birth_year") - Value(year)), Value(99))
            ).order_by("st_gap", "-id")
        else:
            names = names.order_by("-id")
        queries.append(names.values_list("pk", flat=True)[:limit])
    return queries


def candidate_ids(draft: Draft, *, limit: int) -> list[int]:
    found: list[int] = []
    for query in blocking_queries(draft, limit=limit):
        for pk in query:
            if pk not in found:
                found.append(pk)
        if len(found) >= limit:
            break
    return found[:limit]


def current_model() -> Any:
    stored = TrainedModel.objects.order_by("-created_at", "-id").first()
    if stored is None:
        return None
    try:
        return engine_api.model_from_json(stored.pk, stored.parameters)
    except ValueError:
        # A model of an older schema (its comparisons changed since): as if none were
        # trained, until the next `ctip linkage run`.
        return None


def require_checker(actor: Any) -> None:
    """Refuse (audited, PermissionDenied) an actor who may not check for matches: the check
    says whether someone is registered, so only those who register persons may ask. Callers
    that read other records for the check (the API's case) ask this first."""
    scope = actor_scope(actor)
    if not (scope.is_superuser or scope.agencies_with(ROLES_FOR_ACTION[Action.CREATE])):
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="linkage.registration_check",
            detail={"wanted": "check"},
        )
        raise PermissionDenied(_("Only staff who register persons may check for matches."))


def check_thresholds() -> tuple[float, float]:
    """(shown, likely): the registration check lists the visible persons scoring at or above
    `shown`; `likely` (the linkage's lower threshold) marks the strong ones and is the bar for
    counting a match the officer may not see."""
    lower, _upper = thresholds()
    return min(settings.CTIP_LINKAGE_CHECK_THRESHOLD, lower), lower


def scored_candidates(draft: Draft, model: Any) -> tuple[int, list[tuple[int, Any]]]:
    """How many candidates were scored, and each (person id, score), most probable first."""
    candidates = _candidate_rows(draft, settings.CTIP_LINKAGE_CHECK_CANDIDATES)
    new = engine_api.normalise(draft.row())
    scored = [
        (records.person_id(r["record_id"]), engine_api.score(model, new, engine_api.normalise(r)))
        for r in candidates
    ]
    scored.sort(key=lambda item: (-item[1].probability, item[0]))
    return len(candidates), scored


def registration_check(*, actor: Any, draft: Draft, limit: int | None = None) -> MatchCheck:
    """Persons probably the same human being as the one being registered.

    Candidates come from the registry's blind indexes and name keys (no decryption of the
    whole registry); each is scored with the trained model. The visible ones at or above the
    check's threshold are listed, most probable first, at most `limit`
    (CTIP_LINKAGE_CHECK_SHOWN): a missed duplicate costs more than a look at a stranger, so the
    list starts lower than the review queue. Likely matches the actor may not see are only
    counted, never described. The check is audited (criteria and counts only).
    """
    require_checker(actor)
    model = current_model()
    if model is None:
        return MatchCheck(ready=False)
    shown, likely = check_thresholds()
    limit = settings.CTIP_LINKAGE_CHECK_SHOWN if limit is None else limit
    count, scored = scored_candidates(draft, model)
    scored = [(pk, result) for pk, result in scored if result.probability >= shown]
    visible = {
        p.pk: p
        for p in person_queryset(actor=actor)
        .filter(pk__in=[pk for pk, _r in scored])
        .select_related("registered_by")
    }
    check = MatchCheck(ready=True, candidates=count)
    for pk, result in scored:
        if pk in visible:
            if len(check.matches) < limit:
                check.matches.append(
                    PossibleMatch(
                        person=visible[pk],
                        probability=float(result.probability),
                        evidence=evidence(result.pattern),
                        likely=result.probability >= likely,
                    )
                )
        elif result.probability >= likely:
            # Only likely ones: a weak match elsewhere is no reason to call the owning agency,
            # and the count would say more about who shares a name than it helps.
            check.hidden += 1
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type="linkage.registration_check",
        detail={
            "candidates": count,
            "shown": [m.person.pk for m in check.matches],
            "not_shown": check.hidden,
        },
    )
    return check


def _candidate_rows(draft: Draft, cap: int) -> list[dict[str, Any]]:
    ids = candidate_ids(draft, limit=cap)
    return list(records.person_rows(Person.objects.filter(pk__in=ids), stream=False))


def identity_records(*, actor: Any, pk: int) -> list[Person]:
    """Every record of an identity, for a reviewer (fields masked in the page as the reviewer's
    clearance requires); unknown and forbidden look the same. The read is audited."""
    persons: list[Person] = []
    if may_review(actor):
        persons = list(
            Person.objects.filter(identity_member__identity_id=pk)
            .select_related("registered_by")
            .prefetch_related("documents")
            .order_by("id")
        )
    if not persons:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED if not may_review(actor) else AuditAction.VIEW,
            object_type="linkage.identity",
            object_id=str(pk),
            detail={"wanted": "view"},
        )
        raise Http404(_("No such identity."))
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type="linkage.identity",
        object_id=str(pk),
        detail={"records": [p.pk for p in persons]},
    )
    return persons


def person_for_unmerge(*, actor: Any, pk: int) -> tuple[Person, int]:
    """A record in an identity and that identity's id, for a reviewer; unknown, in no identity
    and forbidden look the same (404, audited)."""
    person = (
        Person.objects.filter(pk=pk, identity_member__isnull=False)
        .select_related("identity_member")
        .first()
        if may_review(actor)
        else None
    )
    if person is None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="registry.person",
            object_id=str(pk),
            detail={"wanted": "unmerge"},
        )
        raise Http404(_("No such record in an identity."))
    return person, person.identity_member.identity_id


def identity_exists(*, actor: Any, pk: int) -> bool:
    """Whether the identity still has records (after an unmerge), for a reviewer."""
    return may_review(actor) and IdentityMember.objects.filter(identity_id=pk).exists()


def agreement_in_force(*, partner: str, on: datetime.date) -> MatchingAgreement:
    """The agreement with `partner` in force on `on`; a refusal naming --partner otherwise
    (no agreement and an ended one read the same)."""
    agreement = MatchingAgreement.objects.filter(
        partner=partner.strip(), in_force_until__gte=on
    ).first()
    if agreement is None:
        raise ValidationError(
            {"partner": _("No matching agreement with %(partner)s is in force.")
             % {"partner": partner}}
        )  # fmt: skip
    return agreement


def agreement_persons(*, actor: Any, agreement: MatchingAgreement) -> QuerySet[Person]:
    """The persons the agreement covers, among those the actor may read: in one of its roles
    in a case opened in its period, of one of its nationalities (if it names any)."""
    participants = Participant.objects.filter(
        role__in=agreement.roles, case__opened_on__gte=agreement.cases_from
    )
    if agreement.cases_until is not None:
        participants = participants.filter(case__opened_on__lte=agreement.cases_until)
    persons = person_queryset(actor=actor).filter(pk__in=participants.values("person"))
    if agreement.nationalities:
        # citizenships is a JSON list; a JSON "contains" is not portable to SQLite, and the
        # few codes are checked while the rows stream (see covers_nationality).
        persons = persons.exclude(citizenships=[])
    return persons


def covers_nationality(agreement: MatchingAgreement, citizenships: list[str] | None) -> bool:
    return not agreement.nationalities or bool(
        set(citizenships or ()) & set(agreement.nationalities)
    )
