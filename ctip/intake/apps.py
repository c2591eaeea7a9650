"""App configuration of the intake app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "ctip.intake"
    label = "intake"
    verbose_name = _("Intake")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ctip.access.masking import Sensitivity, register_sensitive
        from ctip.registry.files.scopes import register_file_scope
        from ctip.stats.indicators import register_dimension, register_indicator

        from .choices import Channel, ReportLanguage
        from .indicators import INDICATORS
        from .selectors import report_files_scope
        from .services.attachments import FILE_PURPOSE

        # How to reach a reporter identifies them: masked like a person's identity (the
        # intake team's supervisors read it; officers see that it was given). What the report
        # says is what triage works on, so intake officers read it.
        register_sensitive("intake.report", {"contact": Sensitivity.IDENTITY})
        register_dimension("channel", _("Channel"), Channel.choices)
        register_dimension("language", _("Language of the report"), ReportLanguage.choices)
        for entry in INDICATORS:
            register_indicator(entry)
        # A reporter's files are read exactly where their report is (selectors.visible_reports).
        register_file_scope(FILE_PURPOSE, report_files_scope)
