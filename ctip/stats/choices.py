"""Value lists of the statistics app: dimensions, age bands, release states and protections."""

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# CTDC `ageBroad` bands (age when assisted or identified), lower bound inclusive.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("0-8", 0, 8),
    ("9-17", 9, 17),
    ("18-20", 18, 20),
    ("21-23", 21, 23),
    ("24-26", 24, 26),
    ("27-29", 27, 29),
    ("30-38", 30, 38),
    ("39-47", 39, 47),
    ("48+", 48, 200),
)
UNKNOWN = "unknown"
ADULT_AGE = 18

# Prison sentence bands in months, lower bound inclusive.
SENTENCE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("under-1y", 1, 11),
    ("1-5y", 12, 59),
    ("5-10y", 60, 119),
    ("10y+", 120, 100000),
)
NO_PRISON = "no-prison"

DIMENSION_LABELS = {
    "kind": _("Kind of case"),
    "status": _("Status"),
    "province": _("Province"),
    "agency": _("Agency"),
    "sex": _("Sex"),
    "age_group": _("Minor or adult"),
    "age_band": _("Age band (CTDC)"),
    "nationality": _("Nationality"),
    "nationality_group": _("National or foreign"),
    "exploitation": _("Form of exploitation"),
    "case_kind": _("Kind of case"),
    "sentence": _("Prison sentence"),
}
# Value names of breakdowns that apps above stats bring with their indicators (the intake
# app's channel and language...): dim -> [(code, lazily translated name)], filled by
# stats.indicators.register_dimension from their AppConfig.ready().
EXTRA_VALUE_LABELS: dict[str, list[tuple[str, Any]]] = {}


class Protection(models.TextChoices):
    """How a public release protects the persons behind its figures."""

    SUPPRESSION = "suppression", _("Small-cell suppression (k = 11) with complementary suppression")
    DIFFERENTIAL_PRIVACY = "dp", _("Differential privacy (OpenDP)")


class ReleaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNED_OFF = "signed_off", _("Signed off")
    PUBLISHED = "published", _("Published")
