"""The one access rule: which cases an actor may see or change. Every selector goes through it.

A case is visible to its owning agency, to agencies it is shared with or referred to, to
supervisors of agencies above the owner, and to members of a province committee for cases in
their province. Analysts, auditors and administrators see no case rows; analysts read
aggregates through the stats selectors. The rule is written once, as a Q object over the case
table, so that pages, API, search, counts and exports cannot disagree.
"""

import contextlib
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet

from .choices import Action, AgencyKind, Role

RECORD_ROLES = frozenset({Role.CASE_OFFICER, Role.SUPERVISOR, Role.NGO_PARTNER})
ROLES_FOR_ACTION: dict[str, frozenset[str]] = {
    Action.VIEW: RECORD_ROLES,
    Action.CHANGE: RECORD_ROLES,
    Action.CREATE: RECORD_ROLES,
    Action.CLOSE: frozenset({Role.SUPERVISOR}),
    Action.SHARE: RECORD_ROLES,
}


@dataclass(frozen=True)
class ActorScope:
    """What one user's active memberships allow, worked out once per request."""

    is_superuser: bool = False
    roles: dict[str, frozenset[int]] = field(default_factory=dict)
    agency_provinces: dict[int, int | None] = field(default_factory=dict)
    agency_kinds: dict[int, str] = field(default_factory=dict)
    agency_codes: dict[int, str] = field(default_factory=dict)
    subtree: dict[int, frozenset[int]] = field(default_factory=dict)

    def agencies_with(self, roles: frozenset[str]) -> frozenset[int]:
        """Agencies where the actor holds any of the given roles."""
        found: set[int] = set()
        for role in roles:
            found |= self.roles.get(role, frozenset())
        return frozenset(found)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or any(self.roles.get(role) for role in roles)


def _agency_children() -> dict[int | None, list[int]]:
    """The agency tree as parent -> children, read at most once a minute per process.

    Read on every supervisor's request otherwise. The tree changes when an administrator
    reloads or edits agencies; that clears the cache of the process doing it at once (see
    ctip/reference/apps.py) and other worker processes within a minute (decision 0010).
    Memberships, which say who the actor is, are never cached.
    """
    from ctip.reference.selectors import cached_reference

    from .models import Agency

    def load() -> dict[int | None, list[int]]:
        children: dict[int | None, list[int]] = {}
        for agency_id, parent_id in Agency.objects.values_list("id", "parent_id"):
            children.setdefault(parent_id, []).append(agency_id)
        return children

    return cached_reference("agency-tree", load)


def _descendants(agency_ids: set[int]) -> dict[int, frozenset[int]]:
    """Each agency with every agency below it (the tree is shallow: a few levels at most)."""
    children = _agency_children()
    result = {}
    for root in agency_ids:
        seen, stack = {root}, [root]
        while stack:
            for child in children.get(stack.pop(), []):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        result[root] = frozenset(seen)
    return result


def actor_scope(actor: Any) -> ActorScope:
    """The actor's scope, cached on the user object for the rest of the request."""
    cached = getattr(actor, "_ctip_scope", None)
    if cached is not None:
        return cached
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        scope = ActorScope()
    elif actor.pk is None:
        # The command line's operator (access.actors.CommandLineActor) has no memberships to
        # look up: it holds the keys and the database, and sees all.
        scope = ActorScope(is_superuser=actor.is_superuser)
    else:
        from .models import Membership

        rows = list(
            Membership.objects.filter(
                user=actor, is_active=True, agency__is_active=True
            ).values_list(
                "role", "agency_id", "agency__province_id", "agency__kind", "agency__code"
            )
        )
        roles: dict[str, set[int]] = {}
        for role, agency_id, _province, _kind, _code in rows:
            roles.setdefault(role, set()).add(agency_id)
        supervised = roles.get(Role.SUPERVISOR, set())
        scope = ActorScope(
            is_superuser=actor.is_superuser,
            roles={role: frozenset(ids) for role, ids in roles.items()},
            agency_provinces={agency_id: province for _r, agency_id, province, _k, _c in rows},
            agency_kinds={agency_id: kind for _r, agency_id, _p, kind, _c in rows},
            agency_codes={agency_id: code for _r, agency_id, _p, _k, code in rows},
            subtree=_descendants(supervised) if supervised else {},
        )
    # AnonymousUser and friends may refuse attributes; then the scope is simply not cached.
    with contextlib.suppress(AttributeError):
        actor._ctip_scope = scope
    return scope


def forget_scope(actor: Any) -> None:
    """Drop the cached scope after memberships change within one request or test."""
    if hasattr(actor, "_ctip_scope"):
        del actor._ctip_scope


# Actions that a direct share opens to the receiving agency, besides the owner's own. A
# referral opens less: reading only, and only the referred persons' part of the case.
SHARED_ACTIONS = frozenset({Action.VIEW, Action.CHANGE})

# What a referral opens of a case-scoped model, named by the model's `referral_part`:
# WHOLE_CASE for records about the case as a whole (the case itself); a path from the model
# to a participant ("" for Participant itself) for records about one person, opened only
# where that participant was referred to the actor's agency; absent (None) for records a
# referral never opens (events, arrests and proceedings: the owner's work on the case).
WHOLE_CASE = "<case>"


def same_rule_as_view(action: str) -> bool:
    """Whether case_q(actor, action) is the very rule of VIEW for every actor, so that a case
    read through the VIEW rule needs no second question for this action. Only VIEW itself:
    a referral opens a case for reading and nothing else."""
    return action == Action.VIEW


def case_q(
    actor: Any,
    action: str = Action.VIEW,
    prefix: str = "",
    part: str | None = WHOLE_CASE,
    roles: frozenset[str] | None = None,
) -> Q:
    """A Q over the case table (reached through `prefix`) for the cases the actor may act on.

    `part` says what of the case the rows are (see WHOLE_CASE): a referral's receiver reads
    the case record and the referred participants' records, and changes nothing of the owner's.
    `roles` replaces the roles that may take the action (ROLES_FOR_ACTION) with others that
    follow the same rule for an app's own records: investigators reach their agencies' cases
    for the identifiers recorded in them (ctip.investigations.selectors).
    """
    scope = actor_scope(actor)
    if scope.is_superuser:
        return Q()
    allowed_roles = ROLES_FOR_ACTION.get(action, frozenset()) if roles is None else roles
    agencies = scope.agencies_with(allowed_roles)
    if not agencies:
        return Q(pk__in=[])
    owners = set(agencies)
    for supervised in agencies & scope.roles.get(Role.SUPERVISOR, frozenset()):
        owners |= scope.subtree.get(supervised, frozenset())
    rule = Q(**{f"{prefix}owning_agency_id__in": sorted(owners)})
    provinces = sorted(
        {
            province
            for agency_id in agencies
            if scope.agency_kinds.get(agency_id) == AgencyKind.PROVINCE_COMMITTEE
            and (province := scope.agency_provinces.get(agency_id)) is not None
        }
    )
    if provinces:
        rule |= Q(**{f"{prefix}province_id__in": provinces})
    case_share = apps.get_model("registry", "CaseShare")
    outer_case = prefix.removesuffix("__") + "_id" if prefix else "pk"
    any_share = case_share.objects.filter(
        case_id=OuterRef(outer_case), agency_id__in=sorted(agencies)
    )
    if action == Action.VIEW and part == WHOLE_CASE:
        # Shared outright or by a referral, the case record is readable: one EXISTS serves
        # both (the case list's rule, kept as cheap as before referrals were told apart).
        return rule | Q(Exists(any_share))
    if action in SHARED_ACTIONS:
        # registry.choices.ShareReason.SHARED (access sits below the registry)
        rule |= Q(Exists(any_share.filter(reason="shared")))
    if action == Action.VIEW and part is not None:
        referred = case_share.participants.through.objects.filter(
            participant_id=OuterRef(part or "pk"),
            caseshare__agency_id__in=sorted(agencies),
        )
        rule |= Q(Exists(referred))
    return rule


def restrict(queryset: QuerySet, actor: Any, action: str = Action.VIEW) -> QuerySet:
    """Narrow a queryset of a case-scoped model to what the actor may do.

    The model says how it reaches its case with `case_path` ("" for Case itself), what a
    referral opens of it with `referral_part` (see WHOLE_CASE; absent: nothing), and, for a
    referral's own records, which agency received that referral with `receiver_path` (that
    agency reads them; see receiver_q and decision 0510).
    """
    path = getattr(queryset.model, "case_path", None)
    if path is None:
        raise TypeError(f"{queryset.model.__name__} has no case_path; add one to scope it.")
    prefix = f"{path}__" if path else ""
    part = getattr(queryset.model, "referral_part", None)
    rule = case_q(actor, action, prefix, part)
    receiver = getattr(queryset.model, "receiver_path", None)
    if receiver is not None and action == Action.VIEW:
        rule |= receiver_q(actor, receiver)
    return queryset.filter(rule)


def receiver_q(actor: Any, receiver: str) -> Q:
    """Rows of one referral's own work (its tasks) that the agency it was sent to reads:
    `receiver` is the model's `receiver_path`, a path to that agency. The owner's side reads
    them through case_q; no other agency that a referral opened the case to reads them."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return Q()
    agencies = scope.agencies_with(ROLES_FOR_ACTION.get(Action.VIEW, frozenset()))
    if not agencies:
        return Q(pk__in=[])
    return Q(**{f"{receiver}_id__in": sorted(agencies)})


def can_create_in(actor: Any, agency_id: int) -> bool:
    """Whether the actor may register a case owned by this agency."""
    scope = actor_scope(actor)
    return scope.is_superuser or agency_id in scope.agencies_with(ROLES_FOR_ACTION[Action.CREATE])
