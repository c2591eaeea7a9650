"""Operations (raids, rescues, interceptions), the people found in them, and their screening
interviews; each operation is a case in the registry, each person found a registry person."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.access.policies import WHOLE_CASE
from ctip.reference.models import Province
from ctip.registry.fields import EncryptedTextField
from ctip.registry.models import Case, Participant, Person

from .choices import Decision, DocumentHeld, OperationKind, Repatriation


class Operation(models.Model):
    """A raid, rescue or interception: where, when, which agencies, and its registry case.

    The case (source "operation") carries the operation's access rule: whoever may see the
    case sees the operation and the people found in it.
    """

    case_path = "case"
    referral_part = WHOLE_CASE

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.PROTECT, related_name="operation"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OperationKind.choices)
    name = models.CharField(_("name"), max_length=200)
    conducted_on = models.DateField(_("date"))
    province = models.ForeignKey(Province, verbose_name=_("province"), on_delete=models.PROTECT)
    place = models.CharField(_("place"), max_length=200)
    lead_agency = models.ForeignKey(
        Agency, verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="+"
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("agencies taking part"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-conducted_on", "-id"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=OperationKind.values), name="operation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.conducted_on})"


class FoundPerson(models.Model):
    """A person found in an operation: their registry record, their place in the operation's
    case, the decision of their screening and where their return stands."""

    case_path = "operation__case"
    referral_part = "participant"

    operation = models.ForeignKey(
        Operation, verbose_name=_("operation"), on_delete=models.CASCADE, related_name="found"
    )
    number = models.PositiveIntegerField(_("number in the operation"))
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    # The person's role in the operation's case: "other" until screened, then "victim" for an
    # identified or presumed victim (the registry's victim profile holds the status).
    participant = models.OneToOneField(
        Participant, verbose_name=_("participant"), on_delete=models.PROTECT, related_name="+"
    )
    nationality = models.CharField(_("nationality (ISO alpha-3)"), max_length=3, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    document_held = models.CharField(
        _("document held"), max_length=20, choices=DocumentHeld.choices, default=DocumentHeld.NONE
    )
    age_is_apparent = models.BooleanField(_("age is apparent (estimated by the officer)"))
    decision = models.CharField(
        _("decision"), max_length=20, choices=Decision.choices, default=Decision.PENDING
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    consent_to_embassy = models.BooleanField(
        _("consents to the embassy being told who they are"), default=False
    )
    repatriation = models.CharField(
        _("repatriation"),
        max_length=20,
        choices=Repatriation.choices,
        default=Repatriation.NOT_ASSESSED,
    )
    repatriation_on = models.DateField(_("repatriation status since"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["operation", "number"]
        verbose_name = _("person found")
        verbose_name_plural = _("persons found")
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "number"], name="foundperson_unique_number"
            ),
            models.UniqueConstraint(
                fields=["operation", "person"], name="foundperson_unique_person"
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=Decision.values), name="foundperson_decision_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(repatriation__in=Repatriation.values),
                name="foundperson_repatriation_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["operation", "nationality", "decision"], name="foundperson_embassy_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} of operation {self.operation_id}"


class Screening(models.Model):
    """One victim-identification interview of a person found, and the officer's decision."""

    case_path = "found__operation__case"
    referral_part = "found__participant"

    found = models.ForeignKey(
        FoundPerson,
        verbose_name=_("person found"),
        on_delete=models.CASCADE,
        related_name="screenings",
    )
    interviewed_on = models.DateField(_("interviewed on"))
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("interviewing agency"), on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(_("language of the interview"), max_length=10)
    interpreter = models.BooleanField(_("through an interpreter"), default=False)
    answers = models.JSONField(_("answers"), default=dict)
    indicators = models.JSONField(_("indicators found"), default=list)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    reasons = EncryptedTextField(_("reasons"))
    second_interview = models.BooleanField(_("second interview"), default=False)
    consent_to_embassy = models.BooleanField(
        _("consents to the embassy being told who they are"), default=False
    )
    submission_id = models.CharField(
        _("field submission id"), max_length=80, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["found", "created_at", "id"]
        verbose_name = _("screening interview")
        verbose_name_plural = _("screening interviews")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    decision__in=[Decision.IDENTIFIED, Decision.PRESUMED, Decision.NOT_VICTIM]
                ),
                name="screening_decision_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Screening of {self.found} on {self.interviewed_on}"
