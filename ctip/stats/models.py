"""Public releases of statistics and the ledger of the privacy budget they spend."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Protection, ReleaseStatus


class Release(models.Model):
    """The protected tables of one period as published. Written once by release_create,
    signed off by a supervisor, then published; the services never change it afterwards and
    the digest lets every reader check that it has not changed."""

    period = models.CharField(_("period"), max_length=6)
    protection = models.CharField(_("protection"), max_length=12, choices=Protection.choices)
    epsilon = models.FloatField(_("privacy loss (epsilon)"), null=True, blank=True)
    min_cell = models.PositiveSmallIntegerField(_("smallest cell shown (k)"), default=11)
    status = models.CharField(
        _("status"), max_length=12, choices=ReleaseStatus.choices, default=ReleaseStatus.DRAFT
    )
    tables = models.JSONField(_("protected tables"), default=list)
    digest = models.CharField(_("SHA-256 of the tables"), max_length=64)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("prepared at"), auto_now_add=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-period", "-created_at"]
        verbose_name = _("statistics release")
        verbose_name_plural = _("statistics releases")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(protection="dp") | models.Q(epsilon__gt=0),
                name="release_dp_needs_positive_epsilon",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | (models.Q(signed_off_by__isnull=False) & models.Q(published_at__isnull=False)),
                name="release_published_is_signed_off",
            ),
            models.UniqueConstraint(
                fields=["period"],
                condition=models.Q(status="published"),
                name="release_one_published_per_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} ({self.get_protection_display()}, {self.get_status_display()})"


class PrivacyLedgerEntry(models.Model):
    """Privacy loss spent by one differentially private release, counted when its noise is
    drawn (whether or not it is ever published)."""

    release = models.OneToOneField(
        Release, verbose_name=_("release"), on_delete=models.PROTECT, related_name="ledger_entry"
    )
    epsilon = models.FloatField(_("epsilon spent"))
    spent_at = models.DateTimeField(_("spent at"), auto_now_add=True)
    spent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("spent by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["spent_at", "id"]
        verbose_name = _("privacy budget entry")
        verbose_name_plural = _("privacy budget ledger")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(epsilon__gt=0), name="ledger_epsilon_positive"
            )
        ]

    def __str__(self) -> str:
        return f"ε={self.epsilon:g} for release {self.release_id}"
