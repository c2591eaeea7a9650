"""App configuration for the registry app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ctip.registry"
    verbose_name = _("Case registry")

    def ready(self) -> None:
        from ctip.access.masking import Sensitivity, register_sensitive

        from .casework.sections import register_sections as casework_sections
        from .files.sections import register_sections as file_sections
        from .files.selectors import file_scopes_of_registry

        file_scopes_of_registry()
        casework_sections()
        file_sections()
        # A note's own level decides who reads it on the page (casework.selectors); audit
        # diffs and exports treat every note, and visit outcomes, as testimony.
        register_sensitive("registry.casenote", {"text": Sensitivity.TESTIMONY})
        register_sensitive("registry.followup", {"outcome": Sensitivity.TESTIMONY})
        # An assessment's own level decides who reads it on the page, as a note's does.
        register_sensitive(
            "registry.needsassessment",
            {"needs": Sensitivity.HEALTH, "risk_reasons": Sensitivity.HEALTH},
        )
        register_sensitive(
            "registry.childprotection",
            {
                "assessment": Sensitivity.HEALTH,
                "determination": Sensitivity.HEALTH,
                "guardian_name": Sensitivity.IDENTITY,
            },
        )
