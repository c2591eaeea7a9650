"""App configuration for data exchange: imports and exports."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "ctip.exchange"
    label = "exchange"
    verbose_name = _("Data exchange")
