"""Value lists of the verification app: states, outcomes, reasons, team roles, evidence kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class VerificationStatus(models.TextChoices):
    """Where a verification stands; it moves forward only, except a sign-off sent back."""

    PLANNED = "planned", _("Planned")
    VISITED = "visited", _("Visited, findings being recorded")
    AWAITING_SIGN_OFF = "awaiting_sign_off", _("Awaiting sign-off")
    CLOSED = "closed", _("Closed (signed off)")


# States in which the team may still change the plan, the team, findings and evidence.
OPEN_STATUSES = frozenset({VerificationStatus.PLANNED, VerificationStatus.VISITED})


class Outcome(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")


class NotSubstantiatedReason(models.TextChoices):
    """Why an allegation was not substantiated: one of these, explained in words."""

    NO_INDICATORS = "no_indicators", _("No sign of trafficking or exploitation found")
    SITE_NOT_FOUND = "site_not_found", _("The place could not be found")
    SITUATION_ENDED = "situation_ended", _("The situation had ended before the visit")
    OTHER_OFFENCE = "other_offence", _("Another offence, handed to the competent authority")
    ACCESS_REFUSED = "access_refused", _("Access to the site was refused")
    OTHER = "other", _("Other reason")


class TeamRole(models.TextChoices):
    LEAD = "lead", _("Team leader")
    MEMBER = "member", _("Team member")


class FindingKind(models.TextChoices):
    """What a finding is; evidence is a finding with a file (photo, document, statement)."""

    OBSERVATION = "observation", _("Observation")
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    STATEMENT = "statement", _("Statement")


# The purpose of evidence files in the registry's file store (ctip.registry.files).
FILE_PURPOSE = "verification.finding"

# Kinds that are evidence only with a file attached (an observation is the team's own words).
EVIDENCE_KINDS = frozenset({FindingKind.PHOTO, FindingKind.DOCUMENT, FindingKind.STATEMENT})


class FoundRole(models.TextChoices):
    """The role a person found on site takes in the case opened from the verification
    (registry ParticipantRole values, narrowed to those a visit finds)."""

    VICTIM = "victim", _("Presumed victim")
    SUSPECT = "suspect", _("Suspect")
    WITNESS = "witness", _("Witness")
