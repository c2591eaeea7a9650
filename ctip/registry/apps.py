"""App configuration for the registry app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ctip.registry"
    verbose_name = _("Case registry")

    def ready(self) -> None:
        from .files.sections import register_sections
        from .files.selectors import file_scopes_of_registry

        file_scopes_of_registry()
        register_sections()
