"""Reads of the job-advertisement pages: the ads the actor sees, each with its red flags."""

import dataclasses
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.investigations.models import JobAd
from ctip.investigations.selectors import job_ad_queryset, may_investigate

from .rules import Flag, flags


@dataclasses.dataclass(frozen=True)
class FlaggedAd:
    ad: JobAd
    flags: list[Flag]


def _require(actor: Any) -> None:
    if not may_investigate(actor):
        audit_record(actor=actor, action=AuditAction.DENIED, object_type="investigations.jobad")
        raise Http404(_("Not found."))


def ad_queryset(*, actor: Any) -> QuerySet[JobAd]:
    _require(actor)
    return job_ad_queryset(actor=actor).select_related("case", "agency")


def ad_list(*, actor: Any, flagged_only: bool = False, limit: int = 200) -> list[FlaggedAd]:
    """The latest ads the actor sees with their red flags (worked out now, from the rules in
    force), most flags first when `flagged_only`."""
    rows = [FlaggedAd(ad, flags(ad.text)) for ad in ad_queryset(actor=actor)[:limit]]
    if flagged_only:
        rows = sorted((r for r in rows if r.flags), key=lambda r: -len(r.flags))
    return rows


def ad_get(*, actor: Any, pk: int) -> FlaggedAd:
    """One ad with its flags, identifiers and organisations; 404 if unknown or not visible."""
    ad = (
        ad_queryset(actor=actor)
        .prefetch_related("identifiers", "organisations")
        .filter(pk=pk)
        .first()
    )
    if ad is None:
        audit_record(
            actor=actor, action=AuditAction.DENIED, object_type="investigations.jobad", object_id=pk
        )
        raise Http404(_("Not found."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=ad)
    return FlaggedAd(ad, flags(ad.text))
