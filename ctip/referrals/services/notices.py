"""In-app notifications of referral work: a referral received, answered, moved along."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_noop

from ctip.access.choices import NotificationKind
from ctip.access.selectors import agency_staff
from ctip.access.services import notification_send

from ..choices import ReferralStatus
from ..models import Referral

# The sender learns of each step the receiver takes; the receiver of a new referral and of
# one the sender closes. Messages name the case and the service, never the person.
MESSAGES: dict[str, str] = {
    ReferralStatus.SENT: gettext_noop("New referral for %(service)s in case %(case)s."),
    ReferralStatus.ACCEPTED: gettext_noop("%(agency)s accepted the referral in case %(case)s."),
    ReferralStatus.DECLINED: gettext_noop("%(agency)s declined the referral in case %(case)s."),
    ReferralStatus.IN_PROGRESS: gettext_noop(
        "%(agency)s started the service referred in case %(case)s."
    ),
    ReferralStatus.COMPLETED: gettext_noop(
        "%(agency)s completed the service referred in case %(case)s."
    ),
    ReferralStatus.CLOSED: gettext_noop("%(agency)s closed the referral in case %(case)s."),
}


def referral_notify(*, referral: Referral) -> None:
    """Tell the other side of the referral what its last step was."""
    text = MESSAGES.get(referral.status)
    if text is None:
        return
    told: list[Any]
    if referral.status in (ReferralStatus.SENT, ReferralStatus.CLOSED):
        told, by = agency_staff(agency_ids=[referral.to_agency_id]), referral.from_agency
    else:
        sender = [referral.sent_by] if referral.sent_by is not None else []
        told = sender or agency_staff(agency_ids=[referral.from_agency_id])
        by = referral.to_agency
    notification_send(
        recipients=told,
        kind=NotificationKind.REFERRAL,
        text=text,
        params={
            "case": referral.case.reference,
            "agency": by.code,
            "service": referral.get_service_display(),
        },
        url=reverse("referrals:detail", args=[referral.pk]),
    )
