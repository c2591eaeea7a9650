"""Every read of the verification app's protected data, scoped to the acting user.

Who sees a verification: the agency that verifies it (its case officers and supervisors), the
officers on its team, supervisors of agencies above the verifying agency, the supervisors of
the agency asked to sign it off once it is submitted, and the intake team (who ordered it from
triage). When the allegation concerns officials, members of the unit concerned see it only
as the verifying agency or on the team. Unknown and forbidden ids look alike (404). The public
reads published summaries only (`public_summaries`), which hold no one's name.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from ctip.access.choices import Role
from ctip.access.models import Agency, Membership
from ctip.access.policies import actor_scope, can_create_in
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.reference import gazetteer

from .choices import OPEN_STATUSES, Outcome, VerificationStatus
from .models import Finding, FoundPerson, OpenedCase, TeamMember, Verification

# Who works on verifications for their agency: officers and supervisors (not NGO partners,
# who may still be put on a team by name).
STAFF_ROLES = frozenset({Role.CASE_OFFICER, Role.SUPERVISOR})
# Who may be put on a team: anyone doing case work or investigations for an agency.
TEAM_ROLES = frozenset({Role.CASE_OFFICER, Role.SUPERVISOR, Role.INVESTIGATOR, Role.NGO_PARTNER})
# Kinds of agency that verify allegations on site (or sign off another's verification).
VERIFYING_KINDS = ("police_unit", "province_committee", "ministry", "secretariat")
SIGNED_STATES = (VerificationStatus.AWAITING_SIGN_OFF, VerificationStatus.CLOSED)


def staff_agencies(actor: Any) -> frozenset[int]:
    return actor_scope(actor).agencies_with(STAFF_ROLES)


def _supervised_subtree(actor: Any) -> frozenset[int]:
    """Every agency at or below one the actor supervises."""
    scope = actor_scope(actor)
    found: set[int] = set()
    for agency_id in scope.roles.get(Role.SUPERVISOR, frozenset()):
        found |= scope.subtree.get(agency_id, frozenset({agency_id}))
    return frozenset(found)


def is_intake(actor: Any) -> bool:
    return bool(actor_scope(actor).roles.get(Role.INTAKE_OFFICER))


def _my_agencies(actor: Any) -> frozenset[int]:
    scope = actor_scope(actor)
    return frozenset(a for ids in scope.roles.values() for a in ids)


def visible_q(actor: Any) -> Q:
    """The one rule of who sees which verification, as a Q over the verification table."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return Q()
    if actor is None or getattr(actor, "pk", None) is None:
        return Q(pk__in=[])
    on_team = TeamMember.objects.filter(verification_id=OuterRef("pk"), user_id=actor.pk)
    rule = Q(Exists(on_team))
    staff = staff_agencies(actor)
    if staff:
        rule |= Q(lead_agency_id__in=sorted(staff))
    supervised = _supervised_subtree(actor)
    if supervised:
        rule |= Q(lead_agency_id__in=sorted(supervised))
        rule |= Q(sign_off_agency_id__in=sorted(supervised), status__in=SIGNED_STATES)
    if is_intake(actor):
        # The unit an allegation is about must not read it through its intake officers.
        rule |= ~Q(concerns_officials=True, unit_concerned_id__in=sorted(_my_agencies(actor)))
    return rule


def verification_list(
    *, actor: Any, status: str = "", box: str = "", search: str = ""
) -> QuerySet[Verification]:
    """Verifications the actor may see, newest first. `box`: "sign" for those waiting for
    the actor's sign-off, "mine" for those the actor's agencies verify or they are on."""
    rows = Verification.objects.filter(visible_q(actor)).select_related(
        "lead_agency", "sign_off_agency", "province"
    )
    if status in VerificationStatus.values:
        rows = rows.filter(status=status)
    if box == "sign":
        rows = rows.filter(
            status=VerificationStatus.AWAITING_SIGN_OFF,
            sign_off_agency_id__in=sorted(_supervised_subtree(actor)),
        )
    elif box == "mine":
        on_team = TeamMember.objects.filter(verification_id=OuterRef("pk"), user_id=actor.pk)
        rows = rows.filter(Q(lead_agency_id__in=sorted(staff_agencies(actor))) | Q(Exists(on_team)))
    if search:
        rows = rows.filter(reference__iexact=search.strip())
    return rows.order_by("-created_at", "-id")


def verification_get(*, actor: Any, pk: int, audit: bool = True) -> Verification:
    """One verification (an audited read), or 404 for unknown and forbidden alike."""
    verification = verification_list(actor=actor).filter(pk=pk).first()
    if verification is None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="verification.verification",
            object_id=pk,
            detail={"attempted": "view"},
        )
        raise Http404
    if audit:
        audit_record(actor=actor, action=AuditAction.VIEW, obj=verification)
    return verification


# --- what the actor may do with a verification they see ---------------------------------------


def is_on_team(actor: Any, verification: Verification) -> bool:
    return TeamMember.objects.filter(verification=verification, user_id=actor.pk).exists()


def may_work_on(actor: Any, verification: Verification) -> bool:
    """The verifying agency's officers and supervisors, and the officers on the team."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return True
    if verification.lead_agency_id in staff_agencies(actor):
        return True
    return getattr(actor, "pk", None) is not None and is_on_team(actor, verification)


def may_change(actor: Any, verification: Verification) -> bool:
    return verification.status in OPEN_STATUSES and may_work_on(actor, verification)


def sign_off_agencies(actor: Any, verification: Verification) -> list[int]:
    """Agencies for which the actor is a supervisor that may sign off this verification: the
    agency asked (or one above it), never the agency that verified."""
    scope = actor_scope(actor)
    supervised = scope.roles.get(Role.SUPERVISOR, frozenset())
    return sorted(
        agency_id
        for agency_id in supervised
        if agency_id != verification.lead_agency_id
        and verification.sign_off_agency_id in scope.subtree.get(agency_id, {agency_id})
    )


def may_sign_off(actor: Any, verification: Verification) -> bool:
    """Whether a sign-off form is worth showing (the service checks every rule again)."""
    if verification.status != VerificationStatus.AWAITING_SIGN_OFF:
        return False
    scope = actor_scope(actor)
    return scope.is_superuser or bool(scope.roles.get(Role.SUPERVISOR))


def may_open_case(actor: Any, verification: Verification) -> bool:

    return (
        verification.status == VerificationStatus.CLOSED
        and verification.outcome == Outcome.SUBSTANTIATED
        and can_create_in(actor, verification.lead_agency_id)
    )


def came_from_public(verification: Verification) -> bool:
    """Whether the allegation came from the public (through intake's reports): only those
    get a public summary and an outcome on the reporter's receipt page."""
    return getattr(verification, "matter_id", None) is not None


def may_publish(actor: Any, verification: Verification) -> bool:
    """Supervisors of the verifying agency or of the agency that signed it off."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return True
    supervised = _supervised_subtree(actor)
    return (
        verification.lead_agency_id in supervised or verification.sign_off_agency_id in supervised
    )


def may_use_verifications(actor: Any) -> bool:
    """Whether the actor has a verification page to see (the menu asks): officers and
    supervisors of police units, province committees, ministries and the secretariat, the
    intake team, and anyone on a team."""
    scope = actor_scope(actor)
    if scope.is_superuser or is_intake(actor):
        return True
    staff = staff_agencies(actor)
    if staff and any(scope.agency_kinds.get(a) in VERIFYING_KINDS for a in staff):
        return True
    return (
        getattr(actor, "pk", None) is not None
        and TeamMember.objects.filter(user_id=actor.pk).exists()
    )


# --- the parts of one verification (the caller read it through verification_get) -----------


@dataclass(frozen=True)
class VerificationFile:
    """A verification with its parts, read once for its page."""

    verification: Verification
    team: list[TeamMember]
    findings: list[Finding]
    persons: list[FoundPerson]
    cases: list[OpenedCase]

    @property
    def evidence(self) -> list[Finding]:
        return [f for f in self.findings if f.is_evidence]

    @property
    def team_agencies(self) -> list[Agency]:
        return list({m.agency_id: m.agency for m in self.team}.values())


def verification_file(*, verification: Verification) -> VerificationFile:
    return VerificationFile(
        verification=verification,
        team=list(verification.team.select_related("user", "agency")),
        findings=list(verification.findings.select_related("recorded_by")),
        persons=list(verification.persons.all()),
        cases=list(verification.opened_cases.select_related("case")),
    )


def verifying_agencies() -> QuerySet[Agency]:
    """Agencies that may verify or sign off (public facts: the list of agencies)."""
    return Agency.objects.filter(is_active=True, kind__in=VERIFYING_KINDS).order_by("code")


def team_candidates() -> QuerySet[Membership]:
    """Officers who may be put on a team, one row per agency they work for (names and
    agencies of staff are not protected data; no victim's or reporter's data here)."""
    return (
        Membership.objects.filter(
            is_active=True, agency__is_active=True, user__is_active=True, role__in=TEAM_ROLES
        )
        .select_related("user", "agency")
        .order_by("agency__code", "user__username")
    )


# --- what the public reads -------------------------------------------------------------------


@dataclass(frozen=True)
class PublicSummary:
    """One published summary as the public page shows it."""

    place_name: str
    visited_on: Any
    outcome: str
    reason: str
    text: str


def place_name(verification: Verification) -> str:
    """The place's name for staff, as deep as the gazetteer code goes."""
    found = gazetteer.place(verification.place_code) if verification.place_code else None
    return found.full_label if found is not None else ""


def district_name(verification: Verification) -> str:
    """The place at district level at most (never the commune or village, which could point
    at a household), else the province."""
    code = verification.place_code
    district = gazetteer.place(code[:4]) if len(code) >= 4 else None
    if district is not None:
        return district.full_label
    province = verification.province
    return province.label if province is not None else ""


def district_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every district of the gazetteer, grouped by province, for a plain select (public facts;
    about 200 options, no JavaScript needed)."""
    return [
        (province.label, [(d.code, d.label) for d in gazetteer.children(province.code)])
        for province in gazetteer.provinces()
    ]


def public_summaries(*, limit: int = 200) -> list[PublicSummary]:
    """Published summaries, newest first. Public on purpose, without an actor: the page
    shows only the district, the date checked, the outcome and the summary written for the
    public at publication, never the allegation, the team or anyone's name."""
    rows = (
        Verification.objects.filter(published_at__isnull=False)
        .select_related("province")
        .order_by("-published_at", "-id")[:limit]
    )
    return [
        PublicSummary(
            place_name=district_name(v),
            visited_on=v.visited_on,
            outcome=v.get_outcome_display(),
            reason=v.get_outcome_reason_display() if v.outcome_reason else "",
            text=v.public_summary,
        )
        for v in rows
    ]
