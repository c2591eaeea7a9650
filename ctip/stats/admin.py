"""Admin pages of the statistics app: read-only views of releases and the privacy ledger."""

from typing import Any

from django.contrib import admin

from .models import PrivacyLedgerEntry, Release


class ReadOnlyAdmin(admin.ModelAdmin):
    """Releases change only through the services (sign-off, publication), never here."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ("period", "protection", "epsilon", "status", "published_at")
    list_filter = ("status", "protection")


@admin.register(PrivacyLedgerEntry)
class PrivacyLedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("release", "epsilon", "spent_at", "spent_by")
