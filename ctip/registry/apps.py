"""App configuration for the registry app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "ctip.registry"
    verbose_name = _("Case registry")
