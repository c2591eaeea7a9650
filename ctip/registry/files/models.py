"""The file store's table, and the registry's own attachments on cases and persons.

A stored file belongs to the record that attached it: apps keep a foreign key to it from
their own records and say who may read files of their `purpose` (files/scopes.py).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency

from ..choices import FileType
from ..fields import EncryptedTextField


class StoredFile(models.Model):
    """A checked, cleaned file, sealed with the registry's field key (AES-256-GCM)."""

    purpose = models.CharField(_("attached to"), max_length=60, db_index=True)
    name = EncryptedTextField(_("file name"))
    content_type = models.CharField(_("type"), max_length=40, choices=FileType.choices)
    size = models.PositiveIntegerField(_("size (bytes)"))
    # The cleaned bytes, sealed (crypto.seal): the database never holds them readable.
    content = models.BinaryField(_("content (encrypted)"), editable=False)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("uploaded by agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(content_type__in=FileType.values),
                name="storedfile_type_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"F{self.pk}"

    @property
    def is_image(self) -> bool:
        return self.content_type in (FileType.JPEG, FileType.PNG, FileType.WEBP)


class CaseAttachment(models.Model):
    """A document or photo on a case, or on one participant of it (then a referral of that
    participant opens it to the receiving agency, read-only, like the participant)."""

    case_path = "case"
    referral_part = "participant"

    case = models.ForeignKey(
        "registry.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    participant = models.ForeignKey(
        "registry.Participant",
        verbose_name=_("about"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.OneToOneField(
        StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    description = EncryptedTextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    class Meta:
        ordering = ["case", "-created_at", "-id"]
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")

    def __str__(self) -> str:
        return f"Attachment {self.pk} of {self.case}"


class PersonAttachment(models.Model):
    """A document or photo of a person (an identity paper, a photo), seen by whoever may see
    the person (registry.selectors.person_queryset)."""

    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.OneToOneField(
        StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    description = EncryptedTextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)

    class Meta:
        ordering = ["person", "-created_at", "-id"]
        verbose_name = _("person attachment")
        verbose_name_plural = _("person attachments")

    def __str__(self) -> str:
        return f"Attachment {self.pk} of {self.person}"
