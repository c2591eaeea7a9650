"""What the verification app adds to other apps' pages through their hooks: the link from a
case to the verification it came from (registry), the links from a matter to its verification
(intake's triage pages), and the outcome on the reporter's receipt page (intake)."""

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from ctip.intake.choices import MatterStatus
from ctip.intake.hooks import ReceiptOutcome
from ctip.intake.services.triage import may_decide
from ctip.registry.hooks import PageLink, PageLinks

from .choices import Outcome, VerificationStatus
from .models import Finding, OpenedCase, Verification
from .selectors import staff_agencies, visible_q


def _visible(actor: Any) -> Any:
    return Verification.objects.filter(visible_q(actor)).values("pk")


def case_links(*, actor: Any, cases: list[Any], participants: list[Any], links: PageLinks) -> None:
    """One query per page: the verifications (visible to the actor) these cases came from."""
    if not cases:
        return
    rows = (
        OpenedCase.objects.filter(case_id__in=[c.pk for c in cases])
        .filter(verification__in=_visible(actor))
        .values_list("case_id", "verification_id", "verification__reference")
    )
    for case_id, verification_id, reference in rows:
        links.add_case(
            case_id,
            PageLink(
                _("Opened from verification %(reference)s") % {"reference": reference},
                reverse("verification:detail", args=[verification_id]),
                "verification-source",
            ),
        )


def matter_links(*, actor: Any, matters: list[Any], links: dict[int, list[PageLink]]) -> None:
    """On the triage pages: each matter's verifications the actor may see, and, for a matter
    whose verification triage ordered and nobody started, the page to start it (one query)."""
    rows = (
        Verification.objects.filter(matter_id__in=[m.pk for m in matters])
        .filter(visible_q(actor))
        .values_list("matter_id", "pk", "reference", "status")
    )
    started: set[int] = set()
    for matter_id, pk, reference, status in rows:
        started.add(matter_id)
        links.setdefault(matter_id, []).append(
            PageLink(
                _("Verification %(reference)s (%(status)s)")
                % {"reference": reference, "status": VerificationStatus(status).label},
                reverse("verification:detail", args=[pk]),
                "verification",
            )
        )
    staff = staff_agencies(actor)
    for matter in matters:
        if matter.pk in started or matter.status != MatterStatus.VERIFICATION_ORDERED:
            continue
        if may_decide(actor, matter) or matter.assigned_agency_id in staff:
            links.setdefault(matter.pk, []).append(
                PageLink(
                    _("Start the verification"),
                    reverse("verification:create") + f"?matter={matter.pk}",
                    "verification-start",
                )
            )


def evidence_files(*, actor: Any) -> Q:
    """Which evidence files the actor may read: those of findings of verifications the actor
    sees (the registry's file store asks; see ctip/registry/files/scopes.py)."""
    findings = Finding.objects.filter(file_id=OuterRef("pk"), verification__in=_visible(actor))
    return Q(Exists(findings))


def receipt_outcome(*, report: Any) -> ReceiptOutcome | None:
    """What the reporter reads once a verification of their report is signed off: the date
    the site was checked, the outcome and, when not substantiated, the reason; the public
    summary when one was published. Nothing about who checked or who was found."""
    if report.matter_id is None:
        return None
    verification = (
        Verification.objects.filter(matter_id=report.matter_id, status=VerificationStatus.CLOSED)
        .order_by("-signed_off_at", "-id")
        .first()
    )
    if verification is None:
        return None
    day = verification.visited_on.isoformat() if verification.visited_on else ""
    if verification.outcome == Outcome.SUBSTANTIATED:
        title = _("The place was checked on site on %(day)s: what you reported was confirmed.")
    else:
        title = _(
            "The place was checked on site on %(day)s: what you reported could not be "
            "confirmed (%(reason)s)."
        )
    text = verification.public_summary if verification.published_at else ""
    return ReceiptOutcome(
        title=title % {"day": day, "reason": verification.get_outcome_reason_display()},
        text=text,
    )
