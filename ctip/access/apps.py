"""App configuration for access control."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessConfig(AppConfig):
    name = "ctip.access"
    verbose_name = _("Access control")

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deployment checks
