"""App configuration of the linkage app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "ctip.linkage"
    label = "linkage"
    verbose_name = _("Identity resolution")
    default_auto_field = "django.db.models.BigAutoField"
