"""Tables of sanctions screening: lists loaded from FollowTheMoney files, their entities, hits."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.registry.fields import EncryptedTextField
from ctip.registry.models import Person

from .choices import HitStatus, SubjectKind


class WatchList(models.Model):
    """A sanctions or watch list, loaded (and reloaded) from a FollowTheMoney file."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    file_name = models.CharField(_("file"), max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    version = models.PositiveIntegerField(_("times loaded"), default=0)
    entity_count = models.PositiveIntegerField(_("entities"), default=0)
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)
    loaded_by = models.CharField(_("loaded by"), max_length=150, blank=True)
    screened_at = models.DateTimeField(_("screened at"), null=True, blank=True)

    class Meta:
        app_label = "investigations"
        ordering = ["name"]
        verbose_name = _("sanctions or watch list")
        verbose_name_plural = _("sanctions and watch lists")

    def __str__(self) -> str:
        return self.name


class ListedEntity(models.Model):
    """One entity of a list as the file gives it (public data), with what screening compares."""

    watch_list = models.ForeignKey(
        WatchList, verbose_name=_("list"), on_delete=models.CASCADE, related_name="entities"
    )
    ftm_id = models.CharField(_("id in the list"), max_length=200)
    schema = models.CharField(_("FollowTheMoney schema"), max_length=60)
    caption = models.CharField(_("name"), max_length=500)
    names = models.JSONField(_("names and aliases"), default=list, blank=True)
    birth_years = models.JSONField(_("years of birth"), default=list, blank=True)
    countries = models.JSONField(_("countries"), default=list, blank=True)
    identifiers = models.JSONField(_("phones and accounts"), default=list, blank=True)
    data = models.JSONField(_("entity"), default=dict)
    # An entity no longer in the reloaded file stays, so that decisions about it keep their
    # subject; screening skips it and its open hits are withdrawn.
    removed = models.BooleanField(_("no longer listed"), default=False)

    class Meta:
        app_label = "investigations"
        ordering = ["watch_list", "caption", "id"]
        verbose_name = _("listed entity")
        verbose_name_plural = _("listed entities")
        constraints = [
            models.UniqueConstraint(fields=["watch_list", "ftm_id"], name="listed_entity_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.caption} ({self.ftm_id})"


class ScreeningHit(models.Model):
    """A screened person, organisation or identifier that resembles a listed entity, the
    evidence, and the investigator's decision."""

    entity = models.ForeignKey(
        ListedEntity, verbose_name=_("listed entity"), on_delete=models.CASCADE, related_name="hits"
    )
    subject_kind = models.CharField(_("screened"), max_length=20, choices=SubjectKind.choices)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "investigations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    identifier = models.ForeignKey(
        "investigations.Identifier",
        verbose_name=_("identifier"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.FloatField(_("score"))
    listed_name = models.CharField(_("listed name"), max_length=500)
    evidence = models.JSONField(_("evidence"), default=list)
    status = models.CharField(
        _("decision"), max_length=20, choices=HitStatus.choices, default=HitStatus.PENDING
    )
    note = EncryptedTextField(_("reason for the decision"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    list_version = models.PositiveIntegerField(_("list version"))
    found_at = models.DateTimeField(_("found at"), auto_now_add=True)

    class Meta:
        app_label = "investigations"
        ordering = ["-score", "id"]
        verbose_name = _("screening hit")
        verbose_name_plural = _("screening hits")
        constraints = [
            models.UniqueConstraint(fields=["entity", "person"], name="hit_unique_person"),
            models.UniqueConstraint(
                fields=["entity", "organisation"], name="hit_unique_organisation"
            ),
            models.UniqueConstraint(fields=["entity", "identifier"], name="hit_unique_identifier"),
            models.CheckConstraint(
                condition=(
                    models.Q(subject_kind="person", person__isnull=False)
                    | models.Q(subject_kind="organisation", organisation__isnull=False)
                    | models.Q(subject_kind="identifier", identifier__isnull=False)
                ),
                name="hit_subject_given",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=HitStatus.values), name="hit_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "entity"], name="hit_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_subject_kind_display()} ~ {self.listed_name}"
