"""Reference tables every other app points at: provinces, countries, vocabulary terms."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualLabelMixin:
    """Pick the Khmer label when the interface is in Khmer and one exists."""

    name_en: str
    name_km: str

    @property
    def label(self) -> str:
        if (get_language() or "en").startswith("km") and self.name_km:
            return self.name_km
        return self.name_en


class Province(BilingualLabelMixin, models.Model):
    """A province or the capital, keyed by its ISO 3166-2:KH code (KH-12 is Phnom Penh)."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=8, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)
    name_km = models.CharField(_("name (Khmer)"), max_length=80)
    population_2019 = models.PositiveIntegerField(
        _("population, 2019 census"), null=True, blank=True
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name_en


class Country(BilingualLabelMixin, models.Model):
    """A country, keyed by ISO 3166-1 alpha-3 as HTCDS and CTDC use."""

    alpha3 = models.CharField(_("ISO alpha-3 code"), max_length=3, unique=True)
    alpha2 = models.CharField(_("ISO alpha-2 code"), max_length=2, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_km = models.CharField(_("name (Khmer)"), max_length=120, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.name_en


class Term(models.Model):
    """One value of a controlled vocabulary, e.g. means_of_control / DebtBondage."""

    vocabulary = models.CharField(_("vocabulary"), max_length=40, db_index=True)
    code = models.CharField(_("code"), max_length=80)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_km = models.CharField(_("label (Khmer)"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["vocabulary", "sort_order", "code"]
        verbose_name = _("vocabulary term")
        verbose_name_plural = _("vocabulary terms")
        constraints = [
            models.UniqueConstraint(fields=["vocabulary", "code"], name="term_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.vocabulary}:{self.code}"

    @property
    def label(self) -> str:
        if (get_language() or "en").startswith("km") and self.label_km:
            return self.label_km
        return self.label_en
