"""App configuration of the screening app; its hooks into the apps below are registered here."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "ctip.screening"
    label = "screening"
    verbose_name = _("Screening")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Apps below may not import this one (decision 0011): each reaches it through the
        # hook it offers.
        from ctip.access.masking import register_sensitive
        from ctip.exchange.openrosa import register_form
        from ctip.registry.hooks import role_check_provider
        from ctip.stats.indicators import register_dimension, register_indicator

        from .choices import Decision
        from .field import OPENROSA_FORM
        from .indicators import PERSONS_SCREENED
        from .services import non_punishment_refusal

        role_check_provider(non_punishment_refusal)
        register_form(OPENROSA_FORM)
        register_indicator(PERSONS_SCREENED)
        register_dimension("decision", _("Screening decision"), Decision.choices)
        # Operations are named by their case reference, a code in every language.
        register_dimension("operation", _("Operation"), [])
        register_sensitive("screening.screening", {"reasons": "testimony"})
