"""Statistics app: indicator catalogue, reports, estimates and privacy-protected releases."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

# The registry's records whose values end up in indicator rows (decision 0306).
COUNTED_MODELS = (
    "registry.Case",
    "registry.Participant",
    "registry.VictimProfile",
    "registry.Event",
    "registry.Arrest",
    "registry.Proceeding",
    "registry.Person",
)


def _record_changed(instance: Any, raw: bool = False, **kwargs: Any) -> None:
    from .rows import case_ids_of, cases_mark_stale

    if not raw:  # fixtures loaded raw are marked by whoever loads them
        cases_mark_stale(case_ids_of(instance))


def _event_persons_changed(instance: Any, action: str, reverse: bool, **kwargs: Any) -> None:
    from .rows import case_ids_of, cases_mark_stale

    if not action.startswith("post_"):
        return
    if reverse:  # person.events.add(...): the events are the other side
        from ctip.registry.models import Event

        cases_mark_stale(
            Event.objects.filter(pk__in=kwargs.get("pk_set") or ()).values_list(
                "case_id", flat=True
            )
        )
    else:
        cases_mark_stale(case_ids_of(instance))


def _cases_written(cases: Any, **kwargs: Any) -> None:
    from .rows import cases_mark_stale

    cases_mark_stale(cases)


class StatsConfig(AppConfig):
    name = "ctip.stats"
    label = "stats"
    verbose_name = _("Statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every change to a counted record marks its case in the same transaction, so the
        # indicator rows can never miss it; bulk writers send registry.signals.cases_written.
        from ctip.registry.models import Event
        from ctip.registry.signals import cases_written

        for label in COUNTED_MODELS:
            for signal in (post_save, post_delete):
                signal.connect(_record_changed, sender=label, dispatch_uid=f"stale-{label}")
        m2m_changed.connect(
            _event_persons_changed, sender=Event.persons.through, dispatch_uid="stale-event-persons"
        )
        cases_written.connect(_cases_written, dispatch_uid="stale-cases-written")
