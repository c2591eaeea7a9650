"""The case registry: cases, persons, their roles in cases, victim profiles, events,
arrests and court proceedings (aligned with HTCDS 2.0; field names are ctip's own)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.access.policies import WHOLE_CASE
from ctip.reference.models import Country, Province

from .choices import (
    CaseKind,
    CaseSource,
    CaseStatus,
    DocumentKind,
    EventKind,
    ParticipantRole,
    ProceedingStage,
    Sex,
    ShareReason,
    Verdict,
)
from .fields import EncryptedDateField, EncryptedJSONField, EncryptedTextField


class Case(models.Model):
    """A case file opened by one agency: the unit the committee counts and shares."""

    case_path = ""
    referral_part = WHOLE_CASE

    reference = models.CharField(_("reference number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=CaseKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    source = models.CharField(_("source"), max_length=20, choices=CaseSource.choices)
    owning_agency = models.ForeignKey(
        Agency, verbose_name=_("owning agency"), on_delete=models.PROTECT, related_name="cases"
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="cases"
    )
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = models.CharField(_("reason for closure"), max_length=300, blank=True)
    summary = EncryptedTextField(_("summary"), blank=True)
    external_id = models.CharField(
        _("external id"), max_length=80, null=True, blank=True, unique=True
    )
    shared_with = models.ManyToManyField(
        Agency, through="CaseShare", related_name="shared_cases", verbose_name=_("shared with")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The caseworker who carries the case (registry.casework.services.case_assign).
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("caseworker"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["province", "opened_on"], name="case_province_opened_idx"),
            models.Index(fields=["owning_agency", "opened_on"], name="case_agency_opened_idx"),
            # Covering the statistics' grouping columns: counting a period's cases reads the
            # index alone, not the wide case rows (decision 0306).
            models.Index(
                fields=["opened_on", "id"],
                name="case_opened_idx",
                include=["kind", "status", "province", "owning_agency"],
            ),
            models.Index(fields=["kind", "opened_on"], name="case_kind_opened_idx"),
            models.Index(fields=["status"], name="case_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_on__isnull=True)
                | models.Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=CaseStatus.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=CaseKind.values), name="case_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED)


class CaseShare(models.Model):
    """An agency other than the owner that may see the case: shared by hand or by a referral."""

    case_path = "case"
    referral_part = WHOLE_CASE

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="shares"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="case_shares"
    )
    reason = models.CharField(
        _("reason"), max_length=12, choices=ShareReason.choices, default=ShareReason.SHARED
    )
    created_at = models.DateTimeField(_("shared at"), auto_now_add=True)
    # What a referral opens (reason "referral"): only these participants' part of the case,
    # read-only (access.policies.case_q). A direct share opens the whole case.
    participants: "models.ManyToManyField[Participant, Any]" = models.ManyToManyField(
        "Participant",
        verbose_name=_("referred participants"),
        blank=True,
        related_name="referral_shares",
    )

    class Meta:
        ordering = ["case", "agency"]
        verbose_name = _("case share")
        verbose_name_plural = _("case shares")
        constraints = [
            models.UniqueConstraint(fields=["case", "agency"], name="caseshare_unique_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.agency.code}"


class Person(models.Model):
    """A person known to the registry; may take part in several cases in several roles.

    Identifying fields are encrypted at rest. `name_keys` (spelling-tolerant search keys),
    `dob_index` (keyed hash) and `birth_year` let officers find a person without the
    database holding readable names or dates of birth.
    """

    case_path = None  # reached through participations; see selectors.person_queryset

    given_name_km = EncryptedTextField(_("given name (Khmer script)"), blank=True)
    family_name_km = EncryptedTextField(_("family name (Khmer script)"), blank=True)
    given_name_latin = EncryptedTextField(_("given name (Latin letters)"), blank=True)
    family_name_latin = EncryptedTextField(_("family name (Latin letters)"), blank=True)
    aliases = EncryptedJSONField(_("aliases"), blank=True, default=list)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN)
    gender = models.CharField(_("gender (HTCDS)"), max_length=40, blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), blank=True, null=True)
    estimated_age = models.PositiveSmallIntegerField(_("estimated age"), null=True, blank=True)
    age_recorded_on = models.DateField(_("age recorded on"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth (known or estimated)"), null=True, blank=True, db_index=True
    )
    citizenships = models.JSONField(_("citizenships (ISO alpha-3)"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    address = EncryptedTextField(_("address"), blank=True)
    name_keys = models.TextField(_("name search keys"), blank=True, editable=False)
    dob_index = models.CharField(max_length=32, blank=True, editable=False, db_index=True)
    external_id = models.CharField(
        _("external id"), max_length=80, null=True, blank=True, unique=True
    )
    registered_by = models.ForeignKey(
        Agency,
        verbose_name=_("registered by agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        # The trigram index on name_keys is PostgreSQL-only; migration 0002 creates it there.
        constraints = [
            models.CheckConstraint(
                condition=models.Q(estimated_age__isnull=True) | models.Q(estimated_age__lte=120),
                name="person_estimated_age_range",
            ),
            models.CheckConstraint(condition=models.Q(sex__in=Sex.values), name="person_sex_valid"),
        ]

    def __str__(self) -> str:
        return f"P{self.pk}"

    @property
    def display_name(self) -> str:
        """Latin name, then Khmer name, in the order officers read them (family name first)."""
        latin = " ".join(p for p in (self.family_name_latin, self.given_name_latin) if p)
        khmer = " ".join(p for p in (self.family_name_km, self.given_name_km) if p)
        if latin and khmer:
            return f"{latin} ({khmer})"
        return latin or khmer or f"P{self.pk}"


class IdentityDocument(models.Model):
    """An identity document of a person; the number is encrypted and found by blind index."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    number = EncryptedTextField(_("number"))
    number_index = models.CharField(max_length=32, editable=False, db_index=True)
    issuing_country = models.ForeignKey(
        Country, verbose_name=_("issuing country"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["person", "kind"]
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.person}"


class Participant(models.Model):
    """A person's role in a case (HTCDS per_RoleInProcess)."""

    case_path = "case"
    referral_part = ""  # the participant itself

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="participants"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    notes = EncryptedTextField(_("notes"), blank=True)

    class Meta:
        ordering = ["case", "role", "id"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "person", "role"], name="participant_unique_role"
            ),
        ]
        indexes = [models.Index(fields=["person", "role"], name="participant_person_role_idx")]

    def __str__(self) -> str:
        return f"{self.person} as {self.get_role_display()} in {self.case}"


class VictimProfile(models.Model):
    """What the case file records about a victim (HTCDS vic_ fields)."""

    case_path = "participant__case"
    referral_part = "participant"

    participant = models.OneToOneField(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="victim_profile",
    )
    trafficking_status = models.CharField(_("trafficking status"), max_length=40)
    status_decided_by = models.CharField(_("status decided by"), max_length=40, blank=True)
    status_decided_on = models.DateField(_("status decided on"), null=True, blank=True)
    identified_on = models.DateField(_("identified on"), null=True, blank=True)
    age_when_trafficked = models.PositiveSmallIntegerField(
        _("age when trafficked"), null=True, blank=True
    )
    relationship_to_trafficker = models.CharField(
        _("relationship to trafficker"), max_length=40, blank=True
    )
    recruitment_methods = models.JSONField(_("methods of recruitment"), default=list, blank=True)
    recruitment_platforms = models.JSONField(
        _("recruitment websites and apps"), default=list, blank=True
    )
    means_of_control = models.JSONField(_("means of control"), default=list, blank=True)
    exploitation_types = models.JSONField(_("types of exploitation"), default=list, blank=True)
    labour_industries = models.JSONField(_("forced-labour industries"), default=list, blank=True)
    sex_exploitation_types = models.JSONField(
        _("types of sexual exploitation"), default=list, blank=True
    )
    consent_to_share = models.BooleanField(_("consents to sharing identity"), default=False)
    consent_recorded_on = models.DateField(_("consent recorded on"), null=True, blank=True)
    testimony = EncryptedTextField(_("testimony"), blank=True)

    class Meta:
        ordering = ["participant"]
        verbose_name = _("victim profile")
        verbose_name_plural = _("victim profiles")
        # Statistics count victims by the date they were identified (ctip/stats).
        indexes = [models.Index(fields=["identified_on"], name="victimprofile_identified_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(age_when_trafficked__isnull=True)
                | models.Q(age_when_trafficked__lte=120),
                name="victimprofile_age_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Victim profile of {self.participant.person}"


class Event(models.Model):
    """A dated step of the story: recruitment, transit, exploitation, rescue, arrest, referral."""

    case_path = "case"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(_("date"))
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, null=True, blank=True
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True
    )
    district = models.CharField(_("district"), max_length=80, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    persons = models.ManyToManyField(
        Person, verbose_name=_("persons"), related_name="events", blank=True
    )

    class Meta:
        ordering = ["case", "occurred_on", "id"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["kind", "occurred_on"], name="event_kind_date_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="event_latitude_range",
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__isnull=True)
                | models.Q(longitude__gte=-180, longitude__lte=180),
                name="event_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"


class Arrest(models.Model):
    """An arrest of a suspect in a case."""

    case_path = "case"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="arrests"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person arrested"), on_delete=models.PROTECT, related_name="arrests"
    )
    arrested_on = models.DateField(_("arrested on"))
    agency = models.ForeignKey(
        Agency, verbose_name=_("arresting agency"), on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    charges = models.JSONField(_("charges"), default=list, blank=True)

    class Meta:
        ordering = ["case", "arrested_on", "id"]
        verbose_name = _("arrest")
        verbose_name_plural = _("arrests")
        indexes = [models.Index(fields=["arrested_on"], name="arrest_date_idx")]

    def __str__(self) -> str:
        return f"Arrest of {self.person} on {self.arrested_on}"


class Proceeding(models.Model):
    """A court proceeding against a defendant: charges, prosecution, verdict and sentence."""

    case_path = "case"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="proceedings"
    )
    defendant = models.ForeignKey(
        Person,
        verbose_name=_("defendant"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proceedings",
    )
    court = models.ForeignKey(
        Agency,
        verbose_name=_("court"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    charges = models.JSONField(_("charges"), default=list, blank=True)
    filed_on = models.DateField(_("filed on"))
    stage = models.CharField(
        _("stage"),
        max_length=20,
        choices=ProceedingStage.choices,
        default=ProceedingStage.INVESTIGATION,
    )
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=Verdict.choices, default=Verdict.PENDING
    )
    verdict_on = models.DateField(_("verdict on"), null=True, blank=True)
    sentence_months = models.PositiveIntegerField(
        _("prison sentence (months)"), null=True, blank=True
    )
    fine_riel = models.PositiveBigIntegerField(_("fine (riel)"), null=True, blank=True)

    class Meta:
        ordering = ["case", "filed_on", "id"]
        verbose_name = _("proceeding")
        verbose_name_plural = _("proceedings")
        # Statistics count prosecutions by filing date and convictions by verdict date.
        indexes = [
            models.Index(fields=["filed_on"], name="proceeding_filed_idx"),
            models.Index(fields=["verdict_on"], name="proceeding_verdict_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verdict_on__isnull=True)
                | models.Q(verdict_on__gte=models.F("filed_on")),
                name="proceeding_verdict_after_filing",
            ),
        ]

    def __str__(self) -> str:
        return f"Proceeding {self.pk} in {self.case}"


class GeneratedTwin(models.Model):
    """Generated data only: a person row the demo generator wrote for a human it had already
    written as `same_as` (the ground truth identity resolution is measured against).

    Never shown to users and never filled outside `ctip demo-data`; bench/linkage.py reads it.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    same_as = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("generated twin (ground truth)")
        verbose_name_plural = _("generated twins (ground truth)")

    def __str__(self) -> str:
        return f"{self.person_id} = {self.same_as_id}"


# The file store's tables live beside the code that checks and seals their content.
from .casework.models import (  # noqa: E402
    CaseNote,
    CaseTransfer,
    ChildProtection,
    FollowUp,
    NeedsAssessment,
)
from .files.models import CaseAttachment, PersonAttachment, StoredFile  # noqa: E402

__all__ = [
    "Arrest",
    "Case",
    "CaseAttachment",
    "CaseNote",
    "CaseShare",
    "CaseTransfer",
    "ChildProtection",
    "Event",
    "FollowUp",
    "GeneratedTwin",
    "IdentityDocument",
    "NeedsAssessment",
    "Participant",
    "Person",
    "PersonAttachment",
    "Proceeding",
    "StoredFile",
    "VictimProfile",
]
