"""Statistics app: indicator catalogue, reports, estimates and privacy-protected releases."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "ctip.stats"
    label = "stats"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"
