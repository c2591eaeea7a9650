"""Value lists of the referrals app: services, referral states, task states, exchange states."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.choices import AgencyKind


class Service(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL_CARE = "medical_care", _("Medical care")
    PSYCHOSOCIAL_SUPPORT = "psychosocial_support", _("Psychosocial support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    FAMILY_TRACING = "family_tracing", _("Family tracing")
    REPATRIATION = "repatriation", _("Repatriation")
    REINTEGRATION = "reintegration", _("Reintegration")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    INVESTIGATION = "investigation", _("Investigation")
    PROSECUTION = "prosecution", _("Prosecution")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CLOSED = "closed", _("Closed")


OPEN_REFERRAL_STATUSES = frozenset(
    {ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}
)
# States in which the receiving agency is delivering the service to the person.
SERVING_STATUSES = frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS})


class Transition(models.TextChoices):
    """What a user does to a referral; each has one starting set, one end state, one side."""

    ACCEPT = "accept", _("accept")
    DECLINE = "decline", _("decline")
    START = "start", _("start")
    COMPLETE = "complete", _("complete")
    CLOSE = "close", _("close")


class Side(models.TextChoices):
    SENDER = "sender", _("sending agency")
    RECEIVER = "receiver", _("receiving agency")


class ConsentBasis(models.TextChoices):
    NOT_NEEDED = "not_needed", _("No identity shared")
    CONSENT = "consent", _("Victim's recorded consent")
    OVERRIDE = "override", _("Override by an authorised officer")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ExchangeStatus(models.TextChoices):
    PREPARED = "prepared", _("Prepared")
    SENT = "sent", _("Sent to partner")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by partner")
    TRAVEL_ARRANGED = "travel_arranged", _("Travel arranged")
    RETURNED = "returned", _("Person returned")
    RECEIVED = "received", _("Received by partner's services")
    ON_HOLD = "on_hold", _("On hold")
    CANCELLED = "cancelled", _("Cancelled")


# What each kind of agency offers by default. An administrator narrows or widens it per agency.
DEFAULT_SERVICES_BY_KIND: dict[str, tuple[str, ...]] = {
    AgencyKind.SECRETARIAT: (),
    AgencyKind.MINISTRY: (
        Service.SHELTER,
        Service.MEDICAL_CARE,
        Service.PSYCHOSOCIAL_SUPPORT,
        Service.LEGAL_AID,
        Service.FAMILY_TRACING,
        Service.REPATRIATION,
        Service.REINTEGRATION,
        Service.VOCATIONAL_TRAINING,
    ),
    AgencyKind.POLICE_UNIT: (Service.INVESTIGATION, Service.FAMILY_TRACING),
    AgencyKind.COURT: (Service.PROSECUTION,),
    AgencyKind.PROVINCE_COMMITTEE: (Service.FAMILY_TRACING, Service.REINTEGRATION),
    AgencyKind.PROVINCE_DEPARTMENT: (
        Service.SHELTER,
        Service.PSYCHOSOCIAL_SUPPORT,
        Service.FAMILY_TRACING,
        Service.REPATRIATION,
        Service.REINTEGRATION,
        Service.VOCATIONAL_TRAINING,
    ),
    AgencyKind.NGO: (
        Service.SHELTER,
        Service.MEDICAL_CARE,
        Service.PSYCHOSOCIAL_SUPPORT,
        Service.LEGAL_AID,
        Service.FAMILY_TRACING,
        Service.REINTEGRATION,
        Service.VOCATIONAL_TRAINING,
    ),
    AgencyKind.INTERNATIONAL: (
        Service.REPATRIATION,
        Service.REINTEGRATION,
        Service.FAMILY_TRACING,
        Service.VOCATIONAL_TRAINING,
    ),
    AgencyKind.FOREIGN_PARTNER: (
        Service.REPATRIATION,
        Service.FAMILY_TRACING,
        Service.INVESTIGATION,
    ),
}

# Default deadlines in days after sending: (to accept, to complete).
DEFAULT_DEADLINES: dict[str, tuple[int, int]] = {
    Service.SHELTER: (1, 90),
    Service.MEDICAL_CARE: (1, 14),
    Service.PSYCHOSOCIAL_SUPPORT: (3, 90),
    Service.LEGAL_AID: (5, 180),
    Service.FAMILY_TRACING: (5, 60),
    Service.REPATRIATION: (5, 45),
    Service.REINTEGRATION: (7, 180),
    Service.VOCATIONAL_TRAINING: (14, 180),
    Service.INVESTIGATION: (3, 90),
    Service.PROSECUTION: (7, 365),
}

# The days without any service after which a victim's pathway shows a gap.
PATHWAY_GAP_DAYS = 30
