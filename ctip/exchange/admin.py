"""Admin pages for column mappings and imports (read-mostly: imports change only via services)."""

from django.contrib import admin

from .models import ColumnMapping, ImportBatch


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "updated_at")
    readonly_fields = ("created_by", "updated_at")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "status", "total_rows", "rejected_rows", "created_at")
    list_filter = ("status",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
