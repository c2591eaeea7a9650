"""Admin pages for column mappings (saved through the service) and imports (read-only).

A mapping edited here is checked and audited by `column_mapping_save`, as on the mapping page;
imports change only through the import services.
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from ctip.web.refusals import show_refusal

from .models import ColumnMapping, ImportBatch
from .services import column_mapping_check, column_mapping_save


class ColumnMappingAdminForm(forms.ModelForm):
    """Asks the service's checks, so that a refusal shows on the form instead of failing."""

    actor: Any = None  # set by ColumnMappingAdmin.get_form for the request's user

    class Meta:
        model = ColumnMapping
        fields = ("name", "agency", "sheet", "columns", "day_first")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        name = data.get("name", self.instance.name if self.instance.pk else "")
        if self.errors or data.get("agency") is None:
            return data
        try:
            column_mapping_check(
                actor=self.actor, name=name, agency=data["agency"], columns=data["columns"] or {}
            )
        except (ValidationError, PermissionDenied) as refusal:
            show_refusal(self, refusal)
        return data


@admin.register(ColumnMapping)
class ColumnMappingAdmin(admin.ModelAdmin):
    form = ColumnMappingAdminForm
    list_display = ("name", "agency", "updated_at")
    readonly_fields = ("created_by", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The service keys a mapping by its name: renaming would save a second mapping.
        return (*self.readonly_fields, "name") if obj is not None else self.readonly_fields

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = column_mapping_save(
            actor=request.user,
            name=obj.name,
            agency=obj.agency,
            columns=obj.columns,
            sheet=obj.sheet,
            day_first=obj.day_first,
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # no service deletes a mapping; one is replaced by saving it again


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("file_name", "status", "total_rows", "rejected_rows", "created_at")
    list_filter = ("status",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
