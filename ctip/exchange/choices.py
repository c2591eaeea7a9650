"""Value lists of the exchange app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be checked")
    VALIDATING = "validating", _("Checking")
    VALIDATED = "validated", _("Checked")
    APPLYING = "applying", _("Importing")
    APPLIED = "applied", _("Imported")
    FAILED = "failed", _("Refused")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel workbook (.xlsx)")
    CSV = "csv", _("CSV")
    JSON = "json", _("JSON")


class Layout(models.TextChoices):
    """Where the column names come from."""

    HTCDS = "htcds", _("HTCDS 2.0 template")
    MAPPING = "mapping", _("Saved column mapping")
    KOBO = "kobo", _("ODK / KoboToolbox export")
