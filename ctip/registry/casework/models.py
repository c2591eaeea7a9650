"""Tables of case management: notes, follow-up visits, transfers between agencies."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency

from ..choices import FollowUpKind, FollowUpStatus, NoteSensitivity
from ..fields import EncryptedTextField


class CaseNote(models.Model):
    """A caseworker's note on a case, encrypted, read only by roles cleared for its level."""

    case_path = "case"
    # The owner's work: a referral's receiver keeps its own notes on the referral.
    # What the reader may see of the text (casework.selectors.case_notes sets it).
    shown = ""

    case = models.ForeignKey(
        "registry.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="notes"
    )
    participant = models.ForeignKey(
        "registry.Participant",
        verbose_name=_("about"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="case_notes",
    )
    text = EncryptedTextField(_("note"))
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=12,
        choices=NoteSensitivity.choices,
        default=NoteSensitivity.ORDINARY,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "-created_at", "-id"]
        verbose_name = _("case note")
        verbose_name_plural = _("case notes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sensitivity__in=NoteSensitivity.values),
                name="casenote_sensitivity_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk} on {self.case}"


class FollowUp(models.Model):
    """A planned follow-up visit or call to a victim (or the case as a whole), and its outcome."""

    case_path = "case"

    case = models.ForeignKey(
        "registry.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    participant = models.ForeignKey(
        "registry.Participant",
        verbose_name=_("who"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="follow_ups",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=FollowUpKind.choices)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = EncryptedTextField(_("what was found"), blank=True)
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "due_on", "id"]
        verbose_name = _("follow-up visit")
        verbose_name_plural = _("follow-up visits")
        indexes = [models.Index(fields=["status", "due_on"], name="followup_status_due_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=FollowUpStatus.values),
                name="followup_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"


class CaseTransfer(models.Model):
    """A case handed from one agency to another: the new owner carries it from then on; the
    former owner keeps reading it (a share)."""

    case_path = "case"

    case = models.ForeignKey(
        "registry.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="transfers",
    )
    from_agency = models.ForeignKey(
        Agency, verbose_name=_("from agency"), on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        Agency, verbose_name=_("to agency"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500)
    consent_override = models.BooleanField(_("without every victim's consent"), default=False)
    transferred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transferred by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    transferred_at = models.DateTimeField(_("transferred at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "-transferred_at", "-id"]
        verbose_name = _("case transfer")
        verbose_name_plural = _("case transfers")

    def __str__(self) -> str:
        return f"{self.case}: {self.from_agency.code} → {self.to_agency.code}"
