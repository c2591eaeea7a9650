"""App configuration of the referrals app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "ctip.referrals"
    label = "referrals"
    verbose_name = _("Referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ctip.access.masking import register_standing_grants
        from ctip.registry.selectors import page_link_provider

        from .selectors import registry_page_links, shared_identities

        page_link_provider(registry_page_links)
        register_standing_grants(shared_identities)
