"""App configuration of the verification app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerificationConfig(AppConfig):
    name = "ctip.verification"
    label = "verification"
    verbose_name = _("Verification")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ctip.access.masking import Sensitivity, register_sensitive
        from ctip.intake.hooks import matter_link_provider, receipt_outcome_provider
        from ctip.registry.files.scopes import register_file_scope
        from ctip.registry.hooks import page_link_provider
        from ctip.stats.indicators import register_indicator

        from .choices import FILE_PURPOSE
        from .indicators import INDICATORS
        from .links import case_links, evidence_files, matter_links, receipt_outcome

        # The persons met on site are identified like the registry's persons; what they said
        # is testimony. Roles without the clearance see them masked on every surface.
        register_sensitive(
            "verification.foundperson",
            {
                "given_name_km": Sensitivity.IDENTITY,
                "family_name_km": Sensitivity.IDENTITY,
                "given_name_latin": Sensitivity.IDENTITY,
                "family_name_latin": Sensitivity.IDENTITY,
                "display_name": Sensitivity.IDENTITY,
                "notes": Sensitivity.TESTIMONY,
            },
        )
        for entry in INDICATORS:
            register_indicator(entry)
        page_link_provider(case_links)
        matter_link_provider(matter_links)
        receipt_outcome_provider(receipt_outcome)
        register_file_scope(FILE_PURPOSE, evidence_files)
