"""The audit trail in words: objects and linked records by name, details as labelled values.

The trail stores what happened as it happened (model labels, primary keys, raw values), so that
the hash chain covers exactly what was written. This module only reads: it turns a page of
events into lines an auditor can read, looking each named model up through Django's app
registry, so the audit app needs no import of the apps above it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.choices import Role

from .choices import AuditAction
from .models import AuditEvent

# Labels of the keys services write into `detail`; a key not listed is shown with its
# underscores as spaces.
DETAIL_LABELS: dict[str, Any] = {
    "filters": _("filters"),
    "wanted": _("wanted"),
    "reason": _("reason"),
    "fields": _("fields"),
    "format": _("format"),
    "layout": _("layout"),
    "rows": _("rows"),
    "count": _("count"),
    "kind": _("kind"),
    "period": _("period"),
    "query": _("query"),
    "results": _("results"),
    "username": _("user name"),
    "path": _("page"),
}
NOTHING = "∅"

# Things the trail names that are not rows of a table.
OTHER_KINDS: dict[str, Any] = {
    "stats.report": _("report"),
    "stats.mse": _("dark-figure estimate"),
    "audit.auditevent": _("audit trail"),
    "referrals.coordination": _("coordination figures"),
    "referrals.digest": _("daily digest"),
    "registry.keys": _("encryption keys"),
}


@dataclass
class Line:
    """One event as the auditor reads it."""

    event: AuditEvent
    action: str
    object: str
    role: str = ""
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    detail: list[tuple[str, str]] = field(default_factory=list)


def _model(object_type: str) -> type[models.Model] | None:
    if "." not in object_type:
        return None
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _names(model: type[models.Model], ids: set[str]) -> dict[str, str]:
    """str() of each of these rows (every model's __str__ names a record without revealing
    a person: persons are "P42"), read in one query; a deleted row keeps its id."""
    keys = [i for i in ids if i.isdigit()]
    if not keys:
        return {}
    if model is get_user_model():
        rows = model._default_manager.filter(pk__in=keys).only("username")
        return {str(row.pk): row.get_username() for row in rows}
    return {str(row.pk): str(row) for row in model._default_manager.filter(pk__in=keys)}


def _plain(value: Any) -> str:
    """A stored value in words: lists joined, dictionaries as "key: value", nothing as ∅."""
    if value is None or value == "" or value == [] or value == {}:
        return NOTHING
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list | tuple):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{_key_label(k)}: {_plain(v)}" for k, v in value.items())
    return str(value)


def _key_label(key: str) -> str:
    return str(DETAIL_LABELS.get(key, key.replace("_", " ")))


def describe(events: list[AuditEvent]) -> list[Line]:
    """Lines for a page of events, with every linked record named in one query per model."""
    events = list(events)
    wanted: dict[type[models.Model], set[str]] = defaultdict(set)
    relations: dict[tuple[str, str], tuple[Any, Any]] = {}
    for event in events:
        model = _model(event.object_type)
        if model is not None and event.object_id:
            wanted[model].add(event.object_id)
        for name, pair in (event.changes or {}).items():
            key = (event.object_type, name)
            if key not in relations:
                relations[key] = _field(model, name)
            related = relations[key][1]
            if isinstance(related, type) and isinstance(pair, list | tuple):
                wanted[related].update(str(v) for v in pair if v is not None)
    names = {model: _names(model, ids) for model, ids in wanted.items()}
    actions = dict(AuditAction.choices)
    roles = dict(Role.choices)
    lines = []
    for event in events:
        model = _model(event.object_type)
        lines.append(
            Line(
                event=event,
                action=str(actions.get(event.action, event.action)),
                role=str(roles.get(event.role, event.role)),
                object=_object(event, model, names),
                changes=[
                    _change(event, name, pair, relations, names)
                    for name, pair in (event.changes or {}).items()
                ],
                detail=[(_key_label(k), _plain(v)) for k, v in (event.detail or {}).items()],
            )
        )
    return lines


def _field(model: type[models.Model] | None, name: str) -> tuple[Any, Any]:
    """The field's label, and the model a foreign key points at, or a choice field's labels."""
    if model is None:
        return name.replace("_", " "), None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " "), None
    label = getattr(found, "verbose_name", name)
    related = found.related_model if found.many_to_one or found.one_to_one else None
    choices = getattr(found, "choices", None)
    return (label, dict(choices) if choices else None) if related is None else (label, related)


def _object(event: AuditEvent, model: type[models.Model] | None, names: dict) -> str:
    if not event.object_type:
        return NOTHING
    if model is None:
        kind = OTHER_KINDS.get(event.object_type, event.object_type)
        return f"{kind} {event.object_id}".strip()
    kind = str(model._meta.verbose_name)
    if not event.object_id:
        return str(model._meta.verbose_name_plural)
    return f"{kind} {names.get(model, {}).get(event.object_id, event.object_id)}"


def _change(
    event: AuditEvent, name: str, pair: Any, relations: dict, names: dict
) -> tuple[str, str, str]:
    label, target = relations.get((event.object_type, name), (name, None))
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return str(label), NOTHING, _plain(pair)

    def word(value: Any) -> str:
        if value is None:
            return NOTHING
        if isinstance(target, dict):
            return str(target.get(value, value))
        if isinstance(target, type):
            return names.get(target, {}).get(str(value), str(value))
        return _plain(value)

    return str(label), word(pair[0]), word(pair[1])
