"""Admin pages of the linkage app: read-only views of runs and links (ids and scores only)."""

from typing import Any

from django.contrib import admin

from .models import Candidate, Link, LinkageRun, MatchingAgreement


class ReadOnlyAdmin(admin.ModelAdmin):
    """Links and decisions change only through the services, which audit them; never here."""

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(LinkageRun)
class LinkageRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "status", "records", "pairs", "accepted", "queued", "reason")
    list_filter = ("status",)


@admin.register(Link)
class LinkAdmin(ReadOnlyAdmin):
    list_display = ("person_a", "person_b", "source", "probability", "created_at", "undone_at")
    list_filter = ("source",)
    raw_id_fields = ("person_a", "person_b")


@admin.register(Candidate)
class CandidateAdmin(ReadOnlyAdmin):
    list_display = ("person_a", "person_b", "probability", "decision", "decided_at")
    list_filter = ("decision",)
    raw_id_fields = ("person_a", "person_b")


@admin.register(MatchingAgreement)
class MatchingAgreementAdmin(ReadOnlyAdmin):
    """Recorded with `ctip linkage agreement`, which validates and audits; shown here."""

    list_display = ("partner", "roles", "nationalities", "cases_from", "cases_until",
                    "in_force_until", "reference")  # fmt: skip
