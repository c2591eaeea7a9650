"""App configuration of the investigations app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvestigationsConfig(AppConfig):
    name = "ctip.investigations"
    label = "investigations"
    verbose_name = _("Investigations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The registry cannot name this app (apps depend downward); it asks its providers.
        from ctip.access.choices import NotificationKind
        from ctip.access.masking import Sensitivity, register_sensitive
        from ctip.access.opened import register_on_opened
        from ctip.registry.files.scopes import register_file_scope
        from ctip.registry.selectors import page_link_provider

        from .links import registry_page_links
        from .selectors import screenshot_scope
        from .services import SCREENSHOT_PURPOSE, alerts_read_with_notification

        # Identifiers identify people: masked like names for roles without identity clearance.
        register_sensitive(
            "investigations.identifier",
            {"value": Sensitivity.IDENTITY, "as_typed": Sensitivity.IDENTITY},
        )
        for model in (
            "investigations.identifieruse",
            "investigations.organisationinvolvement",
            "investigations.compoundinvolvement",
        ):
            register_sensitive(model, {"note": Sensitivity.IDENTITY})
        page_link_provider(registry_page_links)
        register_file_scope(SCREENSHOT_PURPOSE, screenshot_scope)
        # Opening an alert's notification marks the alerts it announced read.
        register_on_opened(NotificationKind.ALERT, alerts_read_with_notification)
