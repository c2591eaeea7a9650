"""Value lists of sanctions screening."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Suspect")
    ORGANISATION = "organisation", _("Company or organisation")
    IDENTIFIER = "identifier", _("Phone or account")


class HitStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    CONFIRMED = "confirmed", _("Confirmed: the same")
    DISMISSED = "dismissed", _("Dismissed: not the same")
    # The listed entity left the list, or the subject no longer resembles it, before a decision.
    WITHDRAWN = "withdrawn", _("No longer a hit")


DECISIONS = (HitStatus.CONFIRMED, HitStatus.DISMISSED)
