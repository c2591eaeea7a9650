"""Reads of cases, identifiers, persons, organisations, compounds, ads and alerts for the
investigations pages. Each takes the acting user and scopes through the one access rule
(access.policies.case_q), applied to investigators' agencies as well.

Who sees what (docs/decisions/0700-investigators-see-connections-not-cases.md): a use of an
identifier, an organisation's part in a case, a relation, is visible exactly when its case is.
An investigator reaches the cases of their own agencies (owned, shared, or in the province of a
province committee) like a case officer; of every other case that shares an identifier they
learn only that it exists: a count, never its reference, agency, province or persons.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.choices import Action, Role
from ctip.access.policies import actor_scope, case_q
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.choices import CLOSED_STATUSES
from ctip.registry.crypto import blind_index
from ctip.registry.models import Case, Participant, Person
from ctip.screening.selectors import OperationAt, operations_in_cases

from ..models import (
    Compound,
    CompoundInvolvement,
    ConnectionAlert,
    Identifier,
    IdentifierUse,
    JobAd,
    Organisation,
    OrganisationInvolvement,
    Relation,
)
from ..normalise import Normalised, name_key, normalise, registration_key

INVESTIGATOR = frozenset({Role.INVESTIGATOR})
# At most this many other cases are listed per question; the counts cover them all. An
# identifier shared by thousands of cases (a compound's street address) stays one query.
LIST_LIMIT = 200


def identifier_index(normalised: Normalised) -> str:
    """The blind index an identifier is stored and found under."""
    return blind_index(normalised.key(), purpose="identifier")


# --- the rule ---------------------------------------------------------------------------------


def visible_case_q(actor: Any, action: str = Action.VIEW, prefix: str = "") -> Q:
    """Cases the actor may see (or change) for investigations: the registry's rule for case
    officers, supervisors and NGO partners, and the same rule over the agencies where the actor
    is an investigator. Records in a case are read or written under it, never the case file's
    victims' part: an investigator sees no victim profile, testimony or referral through it.
    A referral opens none of these records (part=None): only owned and shared cases."""
    return case_q(actor, action, prefix, part=None) | case_q(
        actor, action, prefix, part=None, roles=INVESTIGATOR
    )


def may_investigate(actor: Any) -> bool:
    """Whether the actor uses the investigations pages: investigators, case officers,
    supervisors (and administrators)."""
    scope = actor_scope(actor)
    return scope.has_role(Role.INVESTIGATOR, Role.CASE_OFFICER, Role.SUPERVISOR)


def is_investigator(actor: Any) -> bool:
    return actor_scope(actor).has_role(Role.INVESTIGATOR)


def _require_investigator(actor: Any) -> None:
    if not may_investigate(actor):
        raise Http404(_("Not found."))


def case_get(*, actor: Any, pk: int, action: str = Action.VIEW) -> Case:
    """One case for its investigation page; the read is audited. Unknown and forbidden cases
    look the same (404); a refused one is audited."""
    _require_investigator(actor)
    case = (
        Case.objects.filter(visible_case_q(actor, action))
        .select_related("owning_agency", "province")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        if Case.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="registry.case",
                object_id=str(pk),
                detail={"wanted": f"investigations {action}"},
            )
        raise Http404(_("No such case."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=case, detail={"page": "investigations"})
    return case


def may_change_case(actor: Any, case: Case) -> bool:
    return Case.objects.filter(visible_case_q(actor, Action.CHANGE)).filter(pk=case.pk).exists()


def visible_cases(*, actor: Any) -> QuerySet[Case]:
    """All cases the actor may see here, before filters."""
    return Case.objects.filter(visible_case_q(actor))


def case_participants(*, actor: Any, case: Case) -> list[Participant]:
    """The case's participants (for choosing whose identifier it is); the case is visible."""
    return list(case.participants.select_related("person").order_by("role", "id"))


# --- what a case records ------------------------------------------------------------------------


@dataclass
class CaseRecords:
    """What the investigations app records in one case."""

    uses: list[IdentifierUse]
    involvements: list[OrganisationInvolvement]
    compounds: list[CompoundInvolvement]
    relations: list[Relation]
    ads: list[JobAd]


def case_records(*, actor: Any, case: Case) -> CaseRecords:
    """Identifiers, organisations, compounds, relations and ads of a case the actor sees."""
    return CaseRecords(
        uses=list(
            IdentifierUse.objects.filter(case=case)
            .select_related("identifier", "person", "organisation")
            .order_by("identifier__kind", "id")
        ),
        involvements=list(
            OrganisationInvolvement.objects.filter(case=case).select_related("organisation")
        ),
        compounds=list(
            CompoundInvolvement.objects.filter(case=case).select_related("compound__province")
        ),
        relations=list(
            Relation.objects.filter(case=case).select_related(
                "subject_person", "subject_organisation", "object_person", "object_organisation"
            )
        ),
        ads=list(JobAd.objects.filter(case=case)),
    )


# --- connections ------------------------------------------------------------------------------


@dataclass
class SharedCase:
    """Another case the viewer may see that shares identifiers (or organisations, compounds)."""

    case: Case
    identifiers: list[Identifier] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    compounds: list[Compound] = field(default_factory=list)


@dataclass
class Connections:
    """Which other cases share something: those the viewer may see, listed; a count of the
    rest. `provinces` counts the provinces of the visible ones."""

    visible: list[SharedCase]
    hidden: int
    provinces: int

    @property
    def total(self) -> int:
        return len(self.visible) + self.hidden


def _sharing_rows(case_id: int) -> list[tuple[int, int]]:
    """(other case id, identifier id) for every identifier of the case used in another case:
    the query bench/investigations.py times. Both indexes of IdentifierUse serve it."""
    own = IdentifierUse.objects.filter(case_id=case_id).values("identifier_id")
    return list(
        IdentifierUse.objects.filter(identifier_id__in=own)
        .exclude(case_id=case_id)
        .values_list("case_id", "identifier_id")
        .distinct()
    )


def _split_visible(actor: Any, case_ids: set[int]) -> tuple[list[Case], int]:
    """The cases of `case_ids` the actor may see (at most LIST_LIMIT, newest first) and how
    many others there are."""
    if not case_ids:
        return [], 0
    visible_ids = set(
        Case.objects.filter(pk__in=case_ids)
        .filter(visible_case_q(actor))
        .values_list("pk", flat=True)
    )
    listed = list(
        Case.objects.filter(pk__in=visible_ids)
        .select_related("owning_agency", "province")
        .defer("summary")
        .order_by("-opened_on", "-id")[:LIST_LIMIT]
    )
    return listed, len(case_ids) - len(visible_ids)


def case_connections(*, actor: Any, case: Case) -> Connections:
    """Other cases sharing an identifier, an organisation or a compound with this case (which
    the actor sees): the visible ones with what they share, and a count of the others."""
    by_case: dict[int, SharedCase] = {}
    identifier_rows = _sharing_rows(case.pk)
    org_rows = list(
        OrganisationInvolvement.objects.filter(
            organisation_id__in=OrganisationInvolvement.objects.filter(case=case).values(
                "organisation_id"
            )
        )
        .exclude(case=case)
        .values_list("case_id", "organisation_id")
        .distinct()
    )
    compound_rows = list(
        CompoundInvolvement.objects.filter(
            compound_id__in=CompoundInvolvement.objects.filter(case=case).values("compound_id")
        )
        .exclude(case=case)
        .values_list("case_id", "compound_id")
        .distinct()
    )
    ids = (
        {c for c, _x in identifier_rows}
        | {c for c, _x in org_rows}
        | {c for c, _x in compound_rows}
    )
    listed, hidden = _split_visible(actor, ids)
    for other in listed:
        by_case[other.pk] = SharedCase(case=other)
    identifiers = Identifier.objects.in_bulk({i for c, i in identifier_rows if c in by_case})
    organisations = Organisation.objects.in_bulk({o for c, o in org_rows if c in by_case})
    compounds = Compound.objects.in_bulk({x for c, x in compound_rows if c in by_case})
    for case_id, identifier_id in identifier_rows:
        if case_id in by_case:
            by_case[case_id].identifiers.append(identifiers[identifier_id])
    for case_id, organisation_id in org_rows:
        if case_id in by_case:
            by_case[case_id].organisations.append(organisations[organisation_id])
    for case_id, compound_id in compound_rows:
        if case_id in by_case:
            by_case[case_id].compounds.append(compounds[compound_id])
    provinces = len({shared.case.province_id for shared in by_case.values()})
    return Connections(list(by_case.values()), hidden, provinces)


def shared_case_ids(*, actor: Any, case_id: int) -> tuple[list[int], int]:
    """The bare question of the benchmark: ids of the visible cases sharing an identifier with
    this one (newest first, at most LIST_LIMIT) and the count of the others."""
    ids = {other for other, _identifier in _sharing_rows(case_id)}
    listed, hidden = _split_visible(actor, ids)
    return [c.pk for c in listed], hidden


@dataclass
class IdentifierCount:
    """Per identifier of a case: in how many other cases it appears."""

    visible: int
    hidden: int
    provinces: int


def identifier_counts(*, actor: Any, case: Case) -> dict[int, IdentifierCount]:
    """For each identifier of the case, the other cases it appears in (visible and not) and
    the provinces of the visible ones: "appears in 4 other cases in 3 provinces"."""
    rows = _sharing_rows(case.pk)
    ids = {c for c, _i in rows}
    if not ids:
        return {}
    visible = dict(
        Case.objects.filter(pk__in=ids)
        .filter(visible_case_q(actor))
        .values_list("pk", "province_id")
    )
    per: dict[int, tuple[set[int], set[int], int]] = defaultdict(lambda: (set(), set(), 0))
    result: dict[int, IdentifierCount] = {}
    for case_id, identifier_id in rows:
        seen, provinces, hidden = per[identifier_id]
        if case_id in visible:
            seen.add(case_id)
            provinces.add(visible[case_id])
        else:
            hidden += 1
        per[identifier_id] = (seen, provinces, hidden)
    for identifier_id, (seen, provinces, hidden) in per.items():
        result[identifier_id] = IdentifierCount(len(seen), hidden, len(provinces))
    return result


def identifier_get(*, actor: Any, pk: int) -> Identifier:
    """An identifier the actor may see: one recorded in a case they see, or named in an ad
    they see. Unknown and not visible look the same."""
    _require_investigator(actor)
    found = (
        Identifier.objects.filter(pk=pk)
        .filter(
            Q(uses__case__in=visible_cases(actor=actor))
            | Q(job_ads__in=job_ad_queryset(actor=actor))
        )
        .first()
    )
    if found is None:
        if Identifier.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="investigations.identifier",
                object_id=str(pk),
                detail={"wanted": "view"},
            )
        raise Http404(_("No such identifier."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=found)
    return found


@dataclass
class IdentifierCases:
    """The cases an identifier appears in: visible uses (with their case) and a count of the
    cases the viewer may not see; the ads that name it."""

    uses: list[IdentifierUse]
    hidden: int
    provinces: int
    ads: list[JobAd]

    @property
    def cases(self) -> int:
        return len({use.case_id for use in self.uses})


def identifier_cases(*, actor: Any, identifier: Identifier) -> IdentifierCases:
    all_cases = set(
        IdentifierUse.objects.filter(identifier=identifier).values_list("case_id", flat=True)
    )
    visible_ids = set(
        Case.objects.filter(pk__in=all_cases)
        .filter(visible_case_q(actor))
        .values_list("pk", flat=True)
    )
    uses = list(
        IdentifierUse.objects.filter(identifier=identifier, case_id__in=visible_ids)
        .select_related("case__province", "case__owning_agency", "person", "organisation")
        .order_by("-case__opened_on", "case_id", "id")[: LIST_LIMIT * 2]
    )
    provinces = len({use.case.province_id for use in uses})
    ads = list(job_ad_queryset(actor=actor).filter(identifiers=identifier)[:LIST_LIMIT])
    return IdentifierCases(uses, len(all_cases) - len(visible_ids), provinces, ads)


def identifier_find(*, actor: Any, kind: str, value: str, service: str = "") -> Identifier | None:
    """An identifier by exact value (normalised the same way as when recorded), if the actor
    may see it; the search is audited (it asks about a person's number)."""
    _require_investigator(actor)
    try:
        normalised = normalise(kind, value, service)
    except ValueError:
        return None
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type="investigations.identifier",
        detail={"kind": kind},
    )
    found = Identifier.objects.filter(value_index=identifier_index(normalised)).first()
    if found is None:
        return None
    visible = IdentifierUse.objects.filter(identifier=found, case__in=visible_cases(actor=actor))
    if visible.exists() or job_ad_queryset(actor=actor).filter(identifiers=found).exists():
        return found
    return None


# --- persons ------------------------------------------------------------------------------------


def person_get(*, actor: Any, pk: int) -> Person:
    """A person who takes part in a case the actor sees (audited; 404 otherwise)."""
    _require_investigator(actor)
    person = Person.objects.filter(
        pk=pk, participations__case__in=visible_cases(actor=actor)
    ).first()
    if person is None:
        if Person.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="registry.person",
                object_id=str(pk),
                detail={"wanted": "investigations view"},
            )
        raise Http404(_("No such person."))
    audit_record(
        actor=actor, action=AuditAction.VIEW, obj=person, detail={"page": "investigations"}
    )
    return person


def person_identifiers(*, actor: Any, person: Person) -> list[IdentifierUse]:
    """The identifiers recorded for a person in the cases the actor sees."""
    return list(
        IdentifierUse.objects.filter(person=person, case__in=visible_cases(actor=actor))
        .select_related("identifier", "case")
        .order_by("identifier__kind", "identifier_id", "case_id")
    )


def person_connections(*, actor: Any, person: Person) -> Connections:
    """Cases that share an identifier recorded for this person (other than the cases the
    person's identifiers were recorded in)."""
    own = IdentifierUse.objects.filter(person=person, case__in=visible_cases(actor=actor))
    identifier_ids = set(own.values_list("identifier_id", flat=True))
    own_cases = set(own.values_list("case_id", flat=True))
    rows = list(
        IdentifierUse.objects.filter(identifier_id__in=identifier_ids)
        .exclude(case_id__in=own_cases)
        .values_list("case_id", "identifier_id")
        .distinct()
    )
    listed, hidden = _split_visible(actor, {c for c, _i in rows})
    by_case = {case.pk: SharedCase(case=case) for case in listed}
    identifiers = Identifier.objects.in_bulk({i for c, i in rows if c in by_case})
    for case_id, identifier_id in rows:
        if case_id in by_case:
            by_case[case_id].identifiers.append(identifiers[identifier_id])
    provinces = len({s.case.province_id for s in by_case.values()})
    return Connections(list(by_case.values()), hidden, provinces)


# --- organisations and compounds -----------------------------------------------------------------


def organisation_list(*, actor: Any, query: str = "") -> QuerySet[Organisation]:
    """Organisations (not personal data: every investigator may look them up), by name key or
    registration number."""
    _require_investigator(actor)
    found = Organisation.objects.select_related("jurisdiction")
    if query:
        key = name_key(query)
        found = found.filter(
            Q(name_key__contains=key) | Q(registration_key=registration_key(query))
        )
    return found.annotate(case_count=Count("involvements__case", distinct=True))


def organisation_get(*, actor: Any, pk: int) -> Organisation:
    _require_investigator(actor)
    try:
        return Organisation.objects.select_related("jurisdiction").get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404(_("No such organisation.")) from None


@dataclass
class OrganisationFile:
    """An organisation's cases (visible, and a count of the rest), relations, identifiers,
    compounds it operates."""

    involvements: list[OrganisationInvolvement]
    hidden: int
    relations: list[Relation]
    uses: list[IdentifierUse]
    compounds: list[Any]


def organisation_file(*, actor: Any, organisation: Organisation) -> OrganisationFile:
    visible = visible_cases(actor=actor)
    all_cases = set(organisation.involvements.values_list("case_id", flat=True))
    involvements = list(
        organisation.involvements.filter(case__in=visible)
        .select_related("case__province", "case__owning_agency")
        .order_by("-case__opened_on")[:LIST_LIMIT]
    )
    seen = set(organisation.involvements.filter(case__in=visible).values_list("case_id", flat=True))
    relations = list(
        Relation.objects.filter(case__in=visible)
        .filter(Q(subject_organisation=organisation) | Q(object_organisation=organisation))
        .select_related(
            "subject_person", "subject_organisation", "object_person", "object_organisation", "case"
        )
    )
    uses = list(
        organisation.identifier_uses.filter(case__in=visible).select_related("identifier", "case")
    )
    compounds = list(organisation.operated.select_related("compound__province"))
    return OrganisationFile(involvements, len(all_cases - seen), relations, uses, compounds)


def compound_list(*, actor: Any) -> QuerySet[Compound]:
    _require_investigator(actor)
    return Compound.objects.select_related("province").annotate(
        case_count=Count("involvements__case", distinct=True)
    )


def compound_get(*, actor: Any, pk: int) -> Compound:
    _require_investigator(actor)
    try:
        return Compound.objects.select_related("province").get(pk=pk)
    except Compound.DoesNotExist:
        raise Http404(_("No such compound.")) from None


@dataclass
class CompoundFile:
    """A compound: its operators, the visible cases at it (and a count of the rest), the
    people found there by nationality (victims in its visible cases, counted), and the
    operations against it (screening's raids whose case is recorded at the compound)."""

    operators: list[Any]
    involvements: list[CompoundInvolvement]
    hidden: int
    nationalities: list[tuple[str, int]]
    operations: list[OperationAt]


def compound_file(*, actor: Any, compound: Compound) -> CompoundFile:
    visible = visible_cases(actor=actor)
    all_cases = set(compound.involvements.values_list("case_id", flat=True))
    involvements = list(
        compound.involvements.filter(case__in=visible)
        .select_related("case__province", "case__owning_agency")
        .order_by("-case__opened_on")[:LIST_LIMIT]
    )
    seen = {inv.case_id for inv in involvements}
    # People found there: the victims of the cases at the compound, by citizenship. Counts
    # only, and only over cases the actor sees.
    counts: dict[str, int] = defaultdict(int)
    victims = Participant.objects.filter(case_id__in=seen, role="victim").values_list(
        "person_id", "person__citizenships"
    )
    for _person, citizenships in {row[0]: row for row in victims}.values():
        for country in citizenships or ["—"]:
            counts[country] += 1
    operators = list(compound.operations.select_related("organisation"))
    return CompoundFile(
        operators,
        involvements,
        len(all_cases - seen),
        sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        # An operation is a case (source "operation"); one recorded at the compound is an
        # operation against it. Read through screening's selector, under this app's rule.
        operations_in_cases(actor=actor, case_ids=all_cases, case_scope=visible_case_q(actor)),
    )


# --- job advertisements and alerts -------------------------------------------------------------


def job_ad_queryset(*, actor: Any) -> QuerySet[JobAd]:
    """Ads in cases the actor sees, and ads kept outside any case by the actor's agencies.
    Those are public postings, but which agency watches which is not."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return JobAd.objects.all()
    agencies = sorted(scope.agencies_with(frozenset(scope.roles)))
    return JobAd.objects.filter(
        Q(case__in=visible_cases(actor=actor)) | Q(case__isnull=True, agency_id__in=agencies)
    )


def screenshot_scope(*, actor: Any) -> Q:
    """The file store's rule for job-ad screenshots: readable with an ad the actor sees."""
    if not may_investigate(actor):
        return Q(pk__in=[])
    return Q(job_ads__in=job_ad_queryset(actor=actor))


def alert_list(*, actor: Any, unread_only: bool = False) -> QuerySet[ConnectionAlert]:
    """The actor's own connection alerts, newest first."""
    alerts = ConnectionAlert.objects.filter(recipient=actor).select_related(
        "open_case", "new_case__owning_agency", "new_case__province", "identifier"
    )
    return alerts.filter(read_at__isnull=True) if unread_only else alerts


def alert_new_case_visible(*, actor: Any, alerts: list[ConnectionAlert]) -> set[int]:
    """Which alerts' new cases the actor may open (others are named by agency only)."""
    ids = {alert.new_case_id for alert in alerts}
    return set(
        Case.objects.filter(pk__in=ids).filter(visible_case_q(actor)).values_list("pk", flat=True)
    )


def open_cases_sharing(*, identifier: Identifier, exclude_case: Case, limit: int) -> list[Case]:
    """Open cases (any agency) that record the identifier: whom to alert. Used by the
    service that records a use, which decides the recipients; nothing here is shown."""
    return list(
        Case.objects.filter(identifier_uses__identifier=identifier)
        .exclude(pk=exclude_case.pk)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("owning_agency")
        .distinct()
        .order_by("-opened_on")[:limit]
    )


def case_period_q(
    prefix: str, opened_from: datetime.date | None, opened_to: datetime.date | None
) -> Q:
    """Cases opened within the period (either end open)."""
    q = Q()
    if opened_from:
        q &= Q(**{f"{prefix}opened_on__gte": opened_from})
    if opened_to:
        q &= Q(**{f"{prefix}opened_on__lte": opened_to})
    return q
