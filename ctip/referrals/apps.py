"""App configuration of the referrals app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "ctip.referrals"
    label = "referrals"
    verbose_name = _("Referrals")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ctip.access.masking import Sensitivity, register_sensitive, register_standing_grants
        from ctip.registry.hooks import case_section_provider
        from ctip.registry.selectors import page_link_provider

        from .selectors import care_plan_section, registry_page_links, shared_identities

        page_link_provider(registry_page_links)
        case_section_provider(care_plan_section)
        register_standing_grants(shared_identities)
        register_sensitive("referrals.careplanitem", {"goal": Sensitivity.HEALTH})
