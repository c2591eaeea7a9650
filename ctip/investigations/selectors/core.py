"""The investigations app's access rule and a case's own records: which cases an actor sees
here, the case page's reads, job ads. Each read takes the acting user and scopes through the
one access rule (access.policies.case_q), applied to investigators' agencies as well.

Who sees what (docs/decisions/0700-investigators-see-connections-not-cases.md): a use of an
identifier, an organisation's part in a case, a relation, is visible exactly when its case is.
An investigator reaches the cases of their own agencies (owned, shared, or in the province of a
province committee) like a case officer; of every other case that shares an identifier they
learn only that it exists: a count, never its reference, agency, province or persons. The
other modules of this package apply that rule to connections, identifiers, persons,
organisations and compounds, and alerts.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.choices import Action, Role
from ctip.access.policies import actor_scope, case_q
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.crypto import blind_index
from ctip.registry.models import Case, Participant

from ..models import CompoundInvolvement, IdentifierUse, JobAd, OrganisationInvolvement, Relation
from ..normalise import Normalised

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


def require_investigator(actor: Any) -> None:
    if not may_investigate(actor):
        raise Http404(_("Not found."))


def case_get(*, actor: Any, pk: int, action: str = Action.VIEW) -> Case:
    """One case for its investigation page; the read is audited. Unknown and forbidden cases
    look the same (404); a refused one is audited."""
    require_investigator(actor)
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


# --- job advertisements --------------------------------------------------------------------


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
