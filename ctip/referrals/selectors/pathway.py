"""A victim's service pathway across agencies and cases, with the gaps in service."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.policies import restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.choices import EventKind, ParticipantRole
from ctip.registry.models import Event, Participant
from ctip.registry.selectors import (
    person_cases,
)

from ..choices import (
    PATHWAY_GAP_DAYS,
    SERVING_STATUSES,
    ReferralStatus,
    Service,
    TaskStatus,
)
from ..models import (
    Referral,
    Task,
)


@dataclass
class PathwayEntry:
    """One dated step on a victim's pathway."""

    day: datetime.date
    kind: str  # identification, rescue, referral_<transition>, task_done
    label: str
    agency: str = ""
    referral: Referral | None = None


@dataclass
class Gap:
    """A stretch of at least PATHWAY_GAP_DAYS days in which no agency served the victim."""

    start: datetime.date
    end: datetime.date
    ongoing: bool

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass
class Pathway:
    participant: Participant
    entries: list[PathwayEntry]
    referrals: list[Referral]
    gaps: list[Gap]
    start: datetime.date
    end: datetime.date
    finished: bool


def _local(moment: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(moment) if moment else None


def find_gaps(
    start: datetime.date,
    end: datetime.date,
    served: list[tuple[datetime.date, datetime.date]],
    min_days: int = PATHWAY_GAP_DAYS,
    ongoing_end: bool = True,
) -> list[Gap]:
    """Stretches of at least `min_days` between start and end not covered by any interval."""
    gaps: list[Gap] = []
    cursor = start
    for begin, finish in sorted(served):
        if begin > cursor and (begin - cursor).days >= min_days:
            gaps.append(Gap(cursor, begin, ongoing=False))
        cursor = max(cursor, finish)
    if end > cursor and (end - cursor).days >= min_days:
        gaps.append(Gap(cursor, end, ongoing=ongoing_end))
    return gaps


def pathway(*, actor: Any, participant_id: int, today: datetime.date | None = None) -> Pathway:
    """Every referral and service a victim received, across agencies and cases the actor may
    see, from identification to reintegration, with the gaps in service flagged."""
    today = today or timezone.localdate()
    participant = (
        restrict(Participant.objects.all(), actor)
        .select_related("person", "case", "victim_profile")
        .filter(pk=participant_id)
        .first()
    )
    if participant is None:
        if Participant.objects.filter(pk=participant_id).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="registry.participant",
                object_id=participant_id,
                detail={"wanted": "pathway"},
            )
        raise Http404(_("No such person in a case you may see."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=participant, detail={"page": "pathway"})
    # The registry's own read of a person's roles, with each case's owner loaded.
    roles = person_cases(actor=actor, person=participant.person)[::-1]
    entries: list[PathwayEntry] = []
    starts: list[datetime.date] = []
    for role in roles:
        profile = getattr(role, "victim_profile", None)
        identified = (profile.identified_on if profile else None) or role.case.opened_on
        starts.append(identified)
        entries.append(
            PathwayEntry(
                identified,
                "identification",
                _("Identified in case %(case)s as %(role)s")
                % {"case": role.case.reference, "role": ParticipantRole(role.role).label.lower()},
                role.case.owning_agency.code if role.case.owning_agency_id else "",
            )
        )
    case_ids = [role.case_id for role in roles]
    for event in (
        Event.objects.filter(case_id__in=case_ids, kind=EventKind.RESCUE)
        .filter(Q(persons=participant.person_id) | Q(persons__isnull=True))
        .distinct()
    ):
        entries.append(PathwayEntry(event.occurred_on, "rescue", _("Rescued")))
    referrals = list(
        restrict(Referral.objects.filter(participant__in=[r.pk for r in roles]), actor)
        .select_related("from_agency", "to_agency", "case")
        .order_by("sent_at")
    )
    served: list[tuple[datetime.date, datetime.date]] = []
    finished = False
    stamps = (
        ("sent_at", _("%(service)s: referred by %(from)s to %(to)s")),
        ("accepted_at", _("%(service)s: accepted by %(to)s")),
        ("declined_at", _("%(service)s: declined by %(to)s")),
        ("started_at", _("%(service)s: started by %(to)s")),
        ("completed_at", _("%(service)s: completed by %(to)s")),
        ("closed_at", _("%(service)s: closed by %(from)s")),
    )
    for referral in referrals:
        names = {
            "service": Service(referral.service).label,
            "from": referral.from_agency.code,
            "to": referral.to_agency.code,
        }
        for stamp, text in stamps:
            moment = getattr(referral, stamp)
            if moment:
                entries.append(
                    PathwayEntry(
                        _local(moment) or today,
                        f"referral_{stamp.removesuffix('_at')}",
                        text % names,
                        referral.to_agency.code,
                        referral,
                    )
                )
        began = _local(referral.accepted_at)
        if began is not None:
            ended = (
                _local(referral.completed_at)
                or _local(referral.closed_at)
                or (today if referral.status in SERVING_STATUSES else began)
            )
            served.append((began, ended))
        if (
            referral.service == Service.REINTEGRATION
            and referral.status == ReferralStatus.COMPLETED
        ):
            finished = True
    for task in Task.objects.filter(
        referral__in=referrals, status=TaskStatus.DONE, done_at__isnull=False
    ).select_related("owner_agency"):
        entries.append(
            PathwayEntry(
                _local(task.done_at) or today, "task_done", task.title, task.owner_agency.code
            )
        )
    start = min(starts) if starts else today
    end = today
    if finished:
        end = max(finish for _b, finish in served) if served else today
    entries.sort(key=lambda e: (e.day, e.kind != "identification"))
    return Pathway(
        participant=participant,
        entries=entries,
        referrals=referrals,
        gaps=find_gaps(start, end, served, ongoing_end=not finished),
        start=start,
        end=end,
        finished=finished,
    )
