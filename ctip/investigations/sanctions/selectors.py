"""Every read of sanctions screening; each takes the acting user.

Lists and their entities are public data (what a government published): anyone who uses the
investigations pages reads them. A hit names a registry person, an organisation or an
identifier: a person's or identifier's hit is listed only where the person is a suspect in,
or the identifier is recorded in, a case the actor sees (investigations.selectors' rule, less
referrals: a referral shares a victim, not the suspects); organisations are not personal data
(decision 0700). Unknown and forbidden hits look alike (404).
"""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.policies import case_q
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.investigations.models import IdentifierUse
from ctip.investigations.selectors import INVESTIGATOR, may_investigate
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Participant

from .choices import HitStatus, SubjectKind
from .models import ScreeningHit, WatchList


def _require(actor: Any) -> None:
    if not may_investigate(actor):
        audit_record(actor=actor, action=AuditAction.DENIED, object_type="investigations.watchlist")
        raise Http404(_("Not found."))


def watch_lists(*, actor: Any) -> QuerySet[WatchList]:
    _require(actor)
    return WatchList.objects.annotate(
        pending=Count("entities__hits", filter=Q(entities__hits__status=HitStatus.PENDING))
    )


def watch_list_get(*, actor: Any, pk: int) -> WatchList:
    _require(actor)
    found = WatchList.objects.filter(pk=pk).first()
    if found is None:
        raise Http404(_("Not found."))
    return found


def _cases_q(actor: Any) -> Q:
    """Cases whose suspects' and identifiers' hits the actor reads: owned or shared with the
    actor's agencies, as a case officer or as an investigator. A referral shares a victim, not
    the suspects: it opens no hit (part=None)."""
    return case_q(actor, Action.VIEW, "case__", part=None) | case_q(
        actor, Action.VIEW, "case__", part=None, roles=INVESTIGATOR
    )


def _visible_hits_q(actor: Any) -> Q:
    suspect_in_visible = Participant.objects.filter(
        Q(person_id=OuterRef("person_id"), role=ParticipantRole.SUSPECT) & _cases_q(actor)
    )
    identifier_in_visible = IdentifierUse.objects.filter(
        Q(identifier_id=OuterRef("identifier_id")) & _cases_q(actor)
    )
    return (
        Q(subject_kind=SubjectKind.ORGANISATION)
        | Q(subject_kind=SubjectKind.PERSON, person__isnull=False) & Q(Exists(suspect_in_visible))
        | Q(subject_kind=SubjectKind.IDENTIFIER) & Q(Exists(identifier_in_visible))
    )


def hit_list(
    *, actor: Any, status: str = HitStatus.PENDING, watch_list: WatchList | None = None
) -> QuerySet[ScreeningHit]:
    """Hits the actor may see, best first; `status` "" for all."""
    _require(actor)
    hits = ScreeningHit.objects.filter(_visible_hits_q(actor))
    if status:
        hits = hits.filter(status=status)
    if watch_list is not None:
        hits = hits.filter(entity__watch_list=watch_list)
    return hits.select_related("entity__watch_list", "person", "organisation", "identifier")


def hit_get(*, actor: Any, pk: int) -> ScreeningHit:
    """One hit, audited as a read (it names a suspect); 404 when unknown or not visible."""
    _require(actor)
    hit = hit_list(actor=actor, status="").filter(pk=pk).first()
    if hit is None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type="investigations.screeninghit",
            object_id=pk,
        )
        raise Http404(_("Not found."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=hit)
    return hit


def hit_cases(*, actor: Any, hit: ScreeningHit) -> list[Any]:
    """The visible cases the hit's person is a suspect in, or its identifier is recorded in."""
    if hit.person_id:
        rows = Participant.objects.filter(
            Q(person_id=hit.person_id, role=ParticipantRole.SUSPECT) & _cases_q(actor)
        ).select_related("case")
        return sorted({row.case for row in rows}, key=lambda case: case.pk)
    if hit.identifier_id:
        uses = IdentifierUse.objects.filter(
            Q(identifier_id=hit.identifier_id) & _cases_q(actor)
        ).select_related("case")
        return sorted({use.case for use in uses}, key=lambda case: case.pk)
    return []
