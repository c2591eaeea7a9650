"""The public summary of a verification of an allegation from the public: after sign-off."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic
from ctip.registry.validation import Errors

from ..choices import VerificationStatus
from ..models import Verification
from ..selectors import came_from_public, may_publish
from .base import SHORT_TEXT, check_words, denied


@audited_atomic
def summary_publish(*, actor: Any, verification: Verification, text: str) -> Verification:
    """Publish a short summary (district, date checked, outcome, the reason in words)."""
    errors = Errors()
    if verification.status != VerificationStatus.CLOSED:
        errors.add(
            "verification",
            _("A summary is published only after the other agency's sign-off."),
        )
    elif not came_from_public(verification):
        errors.add(
            "verification",
            _("Only verifications of allegations from the public have a public summary."),
        )
    text = check_words(
        errors,
        "text",
        text,
        required=True,
        limit=SHORT_TEXT,
        message=_("Write the summary the public will read (no names)."),
    )
    errors.raise_if_any()
    if not may_publish(actor, verification):
        raise denied(
            actor,
            verification,
            "summary_publish",
            _("Only a supervisor of the verifying or the signing agency may publish this."),
        )
    before = verification.published_at
    verification.public_summary = text
    verification.published_at = timezone.now()
    verification.published_by = actor if getattr(actor, "pk", None) else None
    verification.save(update_fields=["public_summary", "published_at", "published_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=verification,
        changes={
            "published_at": [
                before.isoformat() if before else None,
                verification.published_at.isoformat(),
            ],
            "public_summary": [None, text],
        },
    )
    return verification


@audited_atomic
def summary_withdraw(*, actor: Any, verification: Verification) -> Verification:
    """Take a published summary off the public page."""
    if verification.published_at is None:
        errors = Errors()
        errors.add("verification", _("This summary is not published."))
        errors.raise_if_any()
    if not may_publish(actor, verification):
        raise denied(
            actor,
            verification,
            "summary_withdraw",
            _("Only a supervisor of the verifying or the signing agency may withdraw this."),
        )
    before = verification.published_at
    verification.published_at = None
    verification.published_by = None
    verification.save(update_fields=["published_at", "published_by"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=verification,
        changes={"published_at": [before.isoformat() if before else None, None]},
    )
    return verification
