"""Admin pages for what administrators set: services agencies offer and service deadlines.

Referrals, tasks and exchange packages are case work and stay out of the admin site; the
settings below are saved through the services so that every change is audited.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import AgencyService, KindService, ServiceDeadline
from .services import agency_service_set, service_deadline_set


@admin.register(ServiceDeadline)
class ServiceDeadlineAdmin(admin.ModelAdmin):
    list_display = ("service", "days_to_accept", "days_to_complete", "updated_at")
    readonly_fields = ("updated_at",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = service_deadline_set(
            actor=request.user,
            service=obj.service,
            days_to_accept=obj.days_to_accept,
            days_to_complete=obj.days_to_complete,
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at


@admin.register(AgencyService)
class AgencyServiceAdmin(admin.ModelAdmin):
    list_display = ("agency", "service", "offered")
    list_filter = ("service", "offered", "agency__kind")
    search_fields = ("agency__code", "agency__name_en")
    autocomplete_fields = ()

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = agency_service_set(
            actor=request.user, agency=obj.agency, service=obj.service, offered=obj.offered
        )
        obj.pk = saved.pk


@admin.register(KindService)
class KindServiceAdmin(admin.ModelAdmin):
    list_display = ("kind", "service")
    list_filter = ("kind", "service")
