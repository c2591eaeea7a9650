"""The daily digest: each staff member's overdue and soon-due referrals and tasks, by e-mail.

The message names cases, services and agencies, never a person: e-mail leaves our servers.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ctip.access.models import User
from ctip.access.policies import RECORD_ROLES, forget_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .selectors import Dashboard, work_dashboard


@dataclass
class DigestRun:
    sent: int
    skipped_empty: int
    skipped_no_address: int


def digest_text(*, user: Any, dashboard: Dashboard) -> str:
    """The digest's text, in the user's language."""
    with translation.override(getattr(user, "preferred_language", "en") or "en"):
        return render_to_string(
            "referrals/digest_email.txt",
            {
                "user": user,
                "dashboard": dashboard,
                "site_url": getattr(settings, "CTIP_SITE_URL", ""),
            },
        )


def digest_send(*, today: datetime.date | None = None, dry_run: bool = False) -> DigestRun:
    """Send today's digest to every active staff member who has something overdue or due soon."""
    today = today or timezone.localdate()
    users = (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=sorted(RECORD_ROLES),
        )
        .distinct()
        .order_by("pk")
    )
    sent = empty = no_address = 0
    messages = []
    for user in users:
        forget_scope(user)
        dashboard = work_dashboard(actor=user, today=today)
        has_work = not dashboard.own.is_empty or (
            dashboard.supervised is not None and not dashboard.supervised.is_empty
        )
        if not has_work:
            empty += 1
            continue
        if not user.email:
            no_address += 1
            continue
        with translation.override(user.preferred_language or "en"):
            subject = _("ctip: %(count)d overdue items, %(day)s") % {
                "count": dashboard.own.overdue_count
                + (dashboard.supervised.overdue_count if dashboard.supervised else 0),
                "day": today.isoformat(),
            }
        messages.append(
            EmailMessage(subject, digest_text(user=user, dashboard=dashboard), to=[user.email])
        )
        sent += 1
    if not dry_run and messages:
        get_connection().send_messages(messages)
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        object_type="referrals.digest",
        detail={"day": today.isoformat(), "sent": sent, "dry_run": dry_run},
    )
    return DigestRun(sent=sent, skipped_empty=empty, skipped_no_address=no_address)
