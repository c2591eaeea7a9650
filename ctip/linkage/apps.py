"""App configuration of the linkage app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "ctip.linkage"
    label = "linkage"
    verbose_name = _("Identity resolution")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The registry cannot name this app (apps depend downward); it asks its providers.
        from ctip.registry.selectors import (
            counting_key_provider,
            person_section_provider,
            registration_check_provider,
        )

        from .identities import counting_key
        from .sections import person_section, registration_section

        registration_check_provider(registration_section)
        person_section_provider(person_section)
        # Statistics count identities, not records (docs/indicators.md).
        counting_key_provider(counting_key)
