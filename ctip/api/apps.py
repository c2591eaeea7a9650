"""App configuration for the api app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "ctip.api"
    verbose_name = _("REST API")
