"""What the API remembers of POST requests that carried an Idempotency-Key header."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotentRequest(models.Model):
    """One client's POST under one Idempotency-Key, and the answer it got (to replay it).

    `client` is a hash of the credentials (API token or session), never the token itself;
    the stored answer is sealed with the field key, since it may name persons.
    """

    client = models.CharField(_("client"), max_length=64)
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status = models.PositiveSmallIntegerField(_("status"), null=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    body = models.TextField(_("answer (sealed)"), blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("idempotent request")
        verbose_name_plural = _("idempotent requests")
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotentrequest_client_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
