"""Tables of case management: notes, follow-up visits, transfers between agencies, victims'
needs and risk assessments, and the steps owed to child victims."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency

from ..choices import (
    FollowUpKind,
    FollowUpStatus,
    GuardianRelationship,
    NeedArea,
    NeedLevel,
    NoteSensitivity,
    RiskLevel,
)
from ..fields import EncryptedJSONField, EncryptedTextField


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


class NeedsAssessment(models.Model):
    """One version of a victim's needs and risk assessment: a level and a note per area, a
    risk level and its reasons. Saving again adds a version; the newest is the current one.
    What describes the person (the areas' notes and levels, the reasons) is encrypted; the
    risk level stays readable so that work lists can put high-risk victims first."""

    case_path = "participant__case"
    referral_part = "participant"  # the referred victim's receiver reads it
    # Whether the reader may see the content (casework.selectors sets it, like a note's).
    readable = True

    participant = models.ForeignKey(
        "registry.Participant",
        verbose_name=_("victim"),
        on_delete=models.CASCADE,
        related_name="assessments",
    )
    version = models.PositiveSmallIntegerField(_("version"))
    needs = EncryptedJSONField(_("needs by area"), default=dict)
    risk_level = models.CharField(_("risk level"), max_length=10, choices=RiskLevel.choices)
    risk_reasons = EncryptedTextField(_("reasons for the risk level"))
    sensitivity = models.CharField(
        _("sensitivity"),
        max_length=12,
        choices=NoteSensitivity.choices,
        default=NoteSensitivity.HEALTH,
        blank=True,
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"), auto_now_add=True)

    class Meta:
        ordering = ["participant", "-version"]
        verbose_name = _("needs and risk assessment")
        verbose_name_plural = _("needs and risk assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "version"], name="assessment_one_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(risk_level__in=RiskLevel.values),
                name="assessment_risk_level_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(sensitivity__in=NoteSensitivity.values),
                name="assessment_sensitivity_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Assessment {self.version} of {self.participant_id}"

    def areas(self) -> list[tuple[str, str, str, str]]:
        """(area code, area label, level label, note) in the areas' order, for pages."""
        levels = dict(NeedLevel.choices)
        rows = []
        for area, label in NeedArea.choices:
            entry = self.needs.get(area) or {}
            level = entry.get("level", NeedLevel.UNKNOWN)
            rows.append((area, str(label), str(levels.get(level, level)), entry.get("note", "")))
        return rows


class ChildProtection(models.Model):
    """The steps owed to a child victim: the best-interest assessment and determination, and
    the guardian appointed for the child (decision 0150 says where they are required)."""

    case_path = "participant__case"
    referral_part = "participant"

    participant = models.OneToOneField(
        "registry.Participant",
        verbose_name=_("child"),
        on_delete=models.CASCADE,
        related_name="child_protection",
    )
    assessed_on = models.DateField(_("best-interest assessment done on"), null=True, blank=True)
    assessment = EncryptedTextField(_("best-interest assessment"), blank=True)
    determined_on = models.DateField(
        _("best-interest determination made on"), null=True, blank=True
    )
    determination = EncryptedTextField(_("best-interest determination"), blank=True)
    guardian_name = EncryptedTextField(_("guardian's name"), blank=True)
    guardian_relationship = models.CharField(
        _("guardian's relationship to the child"),
        max_length=20,
        choices=GuardianRelationship.choices,
        blank=True,
    )
    guardian_agency = models.ForeignKey(
        Agency,
        verbose_name=_("guardian's agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    guardian_appointed_on = models.DateField(_("guardian appointed on"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["participant"]
        verbose_name = _("child protection steps")
        verbose_name_plural = _("child protection steps")

    def __str__(self) -> str:
        return f"Child steps of {self.participant_id}"

    @property
    def has_assessment(self) -> bool:
        return self.assessed_on is not None and bool(self.assessment)

    @property
    def has_determination(self) -> bool:
        return self.determined_on is not None and bool(self.determination)

    @property
    def has_guardian(self) -> bool:
        return bool(self.guardian_name) and bool(self.guardian_relationship)
