"""App configuration for reference data."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_reference(**kwargs: Any) -> None:
    from .selectors import clear_caches

    clear_caches()


class ReferenceConfig(AppConfig):
    name = "ctip.reference"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        # Pick-lists are cached per process (selectors.cached_reference); an edit made here
        # must show at once. Agencies are pick-list rows too.
        for label in ("reference.Term", "reference.Province", "reference.Country", "access.Agency"):
            for signal in (post_save, post_delete):
                signal.connect(_forget_reference, sender=label, dispatch_uid=f"forget-{label}")
