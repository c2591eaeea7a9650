"""Admin pages of the investigations app: organisations and compounds, read-only.

Identifiers and their uses are not registered: their values are encrypted and masked per
role and every read of them is audited, which the admin would not do. Writes go through the
services, on the investigations pages, which audit them.
"""

from typing import Any

from django.contrib import admin

from .models import Compound, Organisation


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "registration_number", "jurisdiction", "created_at")
    list_filter = ("kind",)
    search_fields = ("name_key", "registration_key")


@admin.register(Compound)
class CompoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "province", "location_name", "created_at")
    list_filter = ("province",)
