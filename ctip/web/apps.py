"""App configuration for the web app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "ctip.web"
    verbose_name = _("Web interface")
