"""Value lists of the audit app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", _("signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("failed sign-in")
    SIGN_OUT = "sign_out", _("signed out")
    VIEW = "view", _("viewed")
    SEARCH = "search", _("searched")
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    CLOSE = "close", _("closed")
    DELETE = "delete", _("deleted")
    EXPORT = "export", _("exported")
    IMPORT = "import", _("imported")
    BULK_CREATE = "bulk_create", _("created in bulk")
    DENIED = "denied", _("access denied")
    ADMIN = "admin", _("administrative change")
    OTP_ENROLLED = "otp_enrolled", _("enrolled a one-time-code device")
    OTP_FAILED = "otp_failed", _("refused one-time code")
    REVEAL = "reveal", _("revealed masked fields")
    CONSENT_OVERRIDE = "consent_override", _("shared without consent (override)")
