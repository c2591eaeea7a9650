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


class IndicatorRow(models.Model):
    """One countable record of a person indicator (an arrest, a victim identified, a rescue
    link, a proceeding...) with the values that place it in a cell, read once from the
    registry's tables so that a report counts from one narrow table instead of joining five
    large ones (decision 0306). Kept by rows.indicator_rows_refresh; who is counted once
    per period is still decided when counting, so the rows serve every actor's scope."""

    source = models.CharField(_("source"), max_length=24)
    # No database constraint: the rows of a deleted case go when its mark is refreshed.
    case = models.ForeignKey(
        "registry.Case", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    day = models.DateField(_("date"))
    year = models.SmallIntegerField(_("year"))
    half = models.SmallIntegerField(_("half-year"))
    # Whether this is its person's first row (by date, then record id) in its half-year, and
    # in its year, among all cases: a count over every case then needs no ranking.
    first_in_half = models.BooleanField(_("first in the half-year"), default=False)
    first_in_year = models.BooleanField(_("first in the year"), default=False)
    row_id = models.BigIntegerField(_("record id"))
    person_id = models.BigIntegerField(_("person id"), null=True)
    unnamed = models.BigIntegerField(_("unnamed defendant's proceeding"), null=True)
    sex = models.CharField(_("sex"), max_length=16, null=True)
    nationality = models.CharField(_("nationality"), max_length=16, null=True)
    age = models.IntegerField(_("age"), null=True)
    exploitation = models.CharField(_("form of exploitation"), max_length=64, null=True)
    province_id = models.BigIntegerField(_("province id"), null=True)
    case_kind = models.CharField(_("case kind"), max_length=32, null=True)
    months = models.IntegerField(_("sentence in months"), null=True)

    class Meta:
        verbose_name = _("indicator row")
        verbose_name_plural = _("indicator rows")
        indexes = [models.Index(fields=["source", "day"], name="indicatorrow_source_day")]

    def __str__(self) -> str:
        return f"{self.source} {self.row_id} ({self.day})"


class StaleCase(models.Model):
    """A case whose indicator rows must be read again from the registry before the next count:
    marked in the same transaction as the change (stats.apps connects the registry's signals),
    so a change can never be missed, and refreshed in bulk when statistics are next read.
    Marking a marked case again gives it a new id: a recount deletes only the marks it read
    (by id), so a case changed while it ran stays marked for the next one."""

    case_id = models.BigIntegerField(_("case id"), unique=True)

    class Meta:
        verbose_name = _("case to recount")
        verbose_name_plural = _("cases to recount")

    def __str__(self) -> str:
        return str(self.case_id)
