"""Tables of the verification app: a verification of an allegation on site, its team, its
findings and evidence, the persons found, the cases opened from it.

What the team writes about the allegation, the place and the persons found is encrypted at
rest like the registry's identity fields; the public summary is plain text written for the
public after sign-off.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.intake.models import Matter
from ctip.reference.models import Province
from ctip.registry.choices import Sex
from ctip.registry.fields import EncryptedTextField
from ctip.registry.models import Case, Person, StoredFile

from .choices import (
    EVIDENCE_KINDS,
    FindingKind,
    FoundRole,
    NotSubstantiatedReason,
    Outcome,
    TeamRole,
    VerificationStatus,
)


class Verification(models.Model):
    """An on-site verification of an allegation: the plan, the visit, the outcome, and the
    sign-off by a supervisor of an agency other than the one that verified."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=VerificationStatus.choices,
        default=VerificationStatus.PLANNED,
    )
    # The triage matter that ordered it, when the allegation came from the public (intake).
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verifications",
    )
    lead_agency = models.ForeignKey(
        Agency,
        verbose_name=_("verifying agency"),
        on_delete=models.PROTECT,
        related_name="verifications_led",
    )
    allegation = EncryptedTextField(_("allegation"))
    concerns_officials = models.BooleanField(_("the allegation concerns officials"), default=False)
    unit_concerned = models.ForeignKey(
        Agency,
        verbose_name=_("unit concerned by the allegation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The deepest gazetteer code known (province, district, commune or village); the public
    # summary shows it at district level only.
    place_code = models.CharField(_("place (gazetteer code)"), max_length=10, blank=True)
    place_detail = EncryptedTextField(_("address or description of the place"), blank=True)
    plan = EncryptedTextField(_("plan"))
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    visited_on = models.DateField(_("date checked"), null=True, blank=True)
    visit_notes = EncryptedTextField(_("what the team did on site"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reason = models.CharField(
        _("reason not substantiated"),
        max_length=20,
        choices=NotSubstantiatedReason.choices,
        blank=True,
    )
    outcome_note = EncryptedTextField(_("grounds for the outcome"), blank=True)
    sign_off_agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency signing off"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verifications_to_sign",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sign_off_note = models.TextField(_("sign-off note"), blank=True)
    returned_note = models.TextField(_("why it was sent back"), blank=True)
    public_summary = models.TextField(_("public summary"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("verification")
        verbose_name_plural = _("verifications")
        indexes = [
            models.Index(fields=["lead_agency", "status"], name="verification_lead_idx"),
            models.Index(fields=["sign_off_agency", "status"], name="verification_signoff_idx"),
            models.Index(fields=["published_at"], name="verification_published_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=VerificationStatus.values),
                name="verification_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(outcome="") | models.Q(outcome__in=Outcome.values),
                name="verification_outcome_valid",
            ),
            models.CheckConstraint(
                condition=~models.Q(outcome=Outcome.NOT_SUBSTANTIATED)
                | ~models.Q(outcome_reason=""),
                name="verification_not_substantiated_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(concerns_officials=False)
                | models.Q(unit_concerned__isnull=False),
                name="verification_officials_names_unit",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=VerificationStatus.CLOSED)
                | (models.Q(signed_off_by__isnull=False) & ~models.Q(outcome="")),
                name="verification_closed_is_signed",
            ),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True)
                | models.Q(status=VerificationStatus.CLOSED),
                name="verification_published_after_sign_off",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class TeamMember(models.Model):
    """An officer on the verification team, for one of the agencies they work for."""

    verification = models.ForeignKey(
        Verification, verbose_name=_("verification"), on_delete=models.CASCADE, related_name="team"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(
        _("role on the team"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["verification_id", "role", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["verification", "user"], name="teammember_once"),
            models.CheckConstraint(
                condition=models.Q(role__in=TeamRole.values), name="teammember_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.agency.code})"


class Finding(models.Model):
    """What the team found: an observation in words, or evidence (a photo, a document, a
    statement) whose file is kept in the registry's encrypted file store."""

    verification = models.ForeignKey(
        Verification,
        verbose_name=_("verification"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=FindingKind.choices)
    description = EncryptedTextField(_("description"))
    taken_on = models.DateField(_("date"), null=True, blank=True)
    # The photo, document or statement, in the registry's encrypted, metadata-stripped store.
    file = models.ForeignKey(
        StoredFile,
        verbose_name=_("file"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["verification_id", "recorded_at", "id"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=FindingKind.values), name="finding_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=FindingKind.OBSERVATION) | models.Q(file__isnull=False),
                name="finding_evidence_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verification_id} {self.kind} {self.pk}"

    @property
    def is_evidence(self) -> bool:
        """A photo, document or statement with its file counts as evidence (an observation
        in the team's own words does not)."""
        return self.kind in EVIDENCE_KINDS and self.file_id is not None


class FoundPerson(models.Model):
    """A person the team met on site (a presumed victim, a suspect, a witness): carried over
    into the registry, with their role, when a case is opened from the verification."""

    verification = models.ForeignKey(
        Verification,
        verbose_name=_("verification"),
        on_delete=models.CASCADE,
        related_name="persons",
    )
    role = models.CharField(_("role"), max_length=10, choices=FoundRole.choices)
    given_name_km = EncryptedTextField(_("given name (Khmer script)"), blank=True)
    family_name_km = EncryptedTextField(_("family name (Khmer script)"), blank=True)
    given_name_latin = EncryptedTextField(_("given name (Latin letters)"), blank=True)
    family_name_latin = EncryptedTextField(_("family name (Latin letters)"), blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    citizenship = models.CharField(_("citizenship (ISO alpha-3)"), max_length=3, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("registered as"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        ordering = ["verification_id", "id"]
        verbose_name = _("person found")
        verbose_name_plural = _("persons found")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=FoundRole.values), name="foundperson_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(estimated_age__isnull=True) | models.Q(estimated_age__lte=120),
                name="foundperson_age_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.verification_id} {self.role} {self.pk}"

    @property
    def display_name(self) -> str:
        """Latin name, then Khmer name, family name first (as the registry shows persons)."""
        latin = " ".join(p for p in (self.family_name_latin, self.given_name_latin) if p)
        khmer = " ".join(p for p in (self.family_name_km, self.given_name_km) if p)
        if latin and khmer:
            return f"{latin} ({khmer})"
        return latin or khmer or "—"


class OpenedCase(models.Model):
    """A case opened in the registry from a substantiated verification."""

    verification = models.ForeignKey(
        Verification,
        verbose_name=_("verification"),
        on_delete=models.PROTECT,
        related_name="opened_cases",
    )
    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="verification_link"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["verification_id", "opened_at", "id"]
        verbose_name = _("case opened from a verification")
        verbose_name_plural = _("cases opened from verifications")

    def __str__(self) -> str:
        return f"{self.verification_id} -> {self.case_id}"
