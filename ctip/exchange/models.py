"""Imports in progress and their reports, and the column mappings agencies save for reuse."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency

from .choices import BatchStatus, FileFormat, Layout


class ColumnMapping(models.Model):
    """An agency's own spreadsheet layout: which of its columns holds which ctip column.

    `columns` maps a ctip column name (see exchange.htcds.COLUMNS) to the file's header text.
    """

    name = models.CharField(_("name"), max_length=80, unique=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+"
    )
    sheet = models.CharField(_("sheet name"), max_length=80, blank=True)
    columns = models.JSONField(_("columns"), default=dict)
    day_first = models.BooleanField(_("dates are day first (DD/MM/YYYY)"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One uploaded file: checked row by row, then applied in one transaction (or not)."""

    file_name = models.CharField(_("file name"), max_length=255)
    stored_path = models.CharField(_("stored at"), max_length=500, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file_format = models.CharField(_("format"), max_length=8, choices=FileFormat.choices)
    layout = models.CharField(_("layout"), max_length=10, choices=Layout.choices)
    mapping = models.ForeignKey(
        ColumnMapping,
        verbose_name=_("column mapping"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batches",
    )
    sheet = models.CharField(_("sheet"), max_length=80, blank=True)
    day_first = models.BooleanField(_("dates are day first"), default=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("default agency"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    refusal = models.TextField(_("why the file was refused"), blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    rejected_rows = models.PositiveIntegerField(_("rows with problems"), default=0)
    problem_count = models.PositiveIntegerField(_("problems"), default=0)
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=BatchStatus.values), name="importbatch_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def progress(self) -> int:
        """Per cent of rows processed in the current step."""
        if not self.total_rows:
            return 100 if self.status in (BatchStatus.VALIDATED, BatchStatus.APPLIED) else 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_clean(self) -> bool:
        return self.status == BatchStatus.VALIDATED and self.problem_count == 0


class ImportProblem(models.Model):
    """One problem found in one cell (or row) of an uploaded file."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.CASCADE, related_name="problems"
    )
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=120, blank=True)
    code = models.CharField(_("kind of problem"), max_length=30)
    message = models.TextField(_("problem"))

    class Meta:
        ordering = ["batch", "row", "id"]
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        indexes = [models.Index(fields=["batch", "row"], name="importproblem_batch_row_idx")]

    def __str__(self) -> str:
        return f"row {self.row} {self.column}: {self.message}"
