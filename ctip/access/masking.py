"""Field sensitivity and masking: which fields hide what, which roles may read them.

One registry says how sensitive each field is (identity, health, testimony); one table says
which sensitivities each role reads in clear and which it may reveal case by case (with a
stated reason and re-authentication, see services.identity_reveal). The helpers below apply
the same rule to pages (the `masked` template tag), the API (MaskedFieldsMixin), exports
(mask_rows) and audit diffs (is_sensitive), so that no surface can disagree.

Other apps register their own fields with `register_sensitive` in their AppConfig.ready().
"""

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .policies import actor_scope

MASK = "•••"


class Sensitivity(models.TextChoices):
    IDENTITY = "identity", _("identity")
    HEALTH = "health", _("health")
    TESTIMONY = "testimony", _("testimony")


# model label -> field name -> sensitivity. Properties (display_name) count as fields here.
SENSITIVE_FIELDS: dict[str, dict[str, str]] = {
    "registry.person": {
        "given_name_km": Sensitivity.IDENTITY,
        "family_name_km": Sensitivity.IDENTITY,
        "given_name_latin": Sensitivity.IDENTITY,
        "family_name_latin": Sensitivity.IDENTITY,
        "display_name": Sensitivity.IDENTITY,
        "aliases": Sensitivity.IDENTITY,
        "date_of_birth": Sensitivity.IDENTITY,
        "phone": Sensitivity.IDENTITY,
        "address": Sensitivity.IDENTITY,
        "photo": Sensitivity.IDENTITY,
    },
    "registry.identitydocument": {"number": Sensitivity.IDENTITY},
    "registry.participant": {"notes": Sensitivity.TESTIMONY},
    "registry.victimprofile": {
        "testimony": Sensitivity.TESTIMONY,
        "health_notes": Sensitivity.HEALTH,
    },
    "registry.case": {"summary": Sensitivity.TESTIMONY},
}

ALL = frozenset(Sensitivity.values)
# What each role reads in clear.
CLEARANCE: dict[str, frozenset[str]] = {
    Role.SUPERVISOR: ALL,
    Role.CASE_OFFICER: frozenset({Sensitivity.IDENTITY, Sensitivity.HEALTH}),
    Role.NGO_PARTNER: frozenset({Sensitivity.HEALTH}),
    Role.ANALYST: frozenset(),
    Role.AUDITOR: frozenset(),
    Role.ADMINISTRATOR: frozenset(),
    # Deciding whether two records are one person means comparing names and births.
    Role.LINKAGE_REVIEWER: frozenset({Sensitivity.IDENTITY}),
    # Reports from the public carry no victim record; persons in cases stay masked.
    Role.INTAKE_OFFICER: frozenset(),
    # Recognising a trafficker across cases means reading names and identifiers.
    Role.INVESTIGATOR: frozenset({Sensitivity.IDENTITY}),
}
# What each role may reveal for one record, giving a reason and re-authenticating.
REVEALABLE: dict[str, frozenset[str]] = {
    Role.CASE_OFFICER: frozenset({Sensitivity.TESTIMONY}),
    Role.NGO_PARTNER: frozenset({Sensitivity.IDENTITY, Sensitivity.TESTIMONY}),
}


def register_sensitive(model_label: str, fields: Mapping[str, str]) -> None:
    """Declare sensitive fields of another app's model (call from AppConfig.ready)."""
    for level in fields.values():
        if level not in ALL:
            raise ValueError(f"{level!r} is not a sensitivity")
    SENSITIVE_FIELDS.setdefault(model_label.lower(), {}).update(fields)


def _label(model: Any) -> str:
    if isinstance(model, str):
        return model.lower()
    return model._meta.label_lower


def sensitivity_of(model: Any, field: str) -> str | None:
    """The field's sensitivity, or None when anyone who sees the record may read it."""
    return SENSITIVE_FIELDS.get(_label(model), {}).get(field)


def is_sensitive(model: Any, field: str) -> bool:
    return sensitivity_of(model, field) is not None


def _levels(actor: Any) -> tuple[frozenset[str], frozenset[str]]:
    """(clearances, revealable) for the actor, worked out once per scope.

    A page asks this for every masked field; the answer is kept on the user object beside
    the scope it was derived from, so a recomputed scope (forget_scope) recomputes it too.
    """
    scope = actor_scope(actor)
    cached = getattr(actor, "_ctip_levels", None)
    if cached is not None and cached[0] is scope:
        return cached[1]
    roles = {role for role, agencies in scope.roles.items() if agencies}
    clear: set[str] = set()
    reveal: set[str] = set()
    for role in roles:
        clear |= CLEARANCE.get(role, frozenset())
        reveal |= REVEALABLE.get(role, frozenset())
    cleared = ALL if scope.is_superuser else frozenset(clear)
    result = (cleared, frozenset(reveal) - cleared)
    with contextlib.suppress(AttributeError):  # AnonymousUser may refuse attributes
        actor._ctip_levels = (scope, result)
    return result


def clearances(actor: Any) -> frozenset[str]:
    """The sensitivities the actor reads in clear (the union over all their roles)."""
    return _levels(actor)[0]


def revealable(actor: Any) -> frozenset[str]:
    """The sensitivities the actor may reveal record by record."""
    return _levels(actor)[1]


# Providers (registered by apps above access, in AppConfig.ready) of records an actor reads
# in clear without a reveal because their owner passed them on for that purpose: a referral
# that shares a consenting victim's identity with the actor's agency. Each returns
# (model label, object id, sensitivity) triples, as reveal grants are kept.
StandingGrants = Callable[[Any], Iterable[tuple[str, str, str]]]
_STANDING_GRANTS: list[StandingGrants] = []


def register_standing_grants(provider: StandingGrants) -> StandingGrants:
    """Add a provider of standing grants (see _STANDING_GRANTS)."""
    if provider not in _STANDING_GRANTS:
        _STANDING_GRANTS.append(provider)
    return provider


def _active_reveals(actor: Any) -> set[tuple[str, str, str]]:
    """(model label, object id, sensitivity) the actor has revealed and not yet expired, and
    those the standing-grant providers open to it."""
    cached = getattr(actor, "_ctip_reveals", None)
    if cached is not None:
        return cached
    found: set[tuple[str, str, str]] = set()
    if actor is not None and getattr(actor, "is_authenticated", False):
        from django.utils import timezone

        from .models import RevealGrant

        found = set(
            RevealGrant.objects.filter(user=actor, expires_at__gt=timezone.now()).values_list(
                "object_type", "object_id", "sensitivity"
            )
        )
        for provider in _STANDING_GRANTS:
            found |= set(provider(actor))
    with contextlib.suppress(AttributeError):  # AnonymousUser may refuse attributes
        actor._ctip_reveals = found
    return found


def revealed_ids(actor: Any, model: Any, sensitivity: str) -> list[str]:
    """Ids of the model's records whose `sensitivity` the actor has revealed, not yet expired."""
    label = _label(model)
    return sorted(
        obj_id
        for kind, obj_id, level in _active_reveals(actor)
        if (kind, level) == (label, sensitivity)
    )


def forget_reveals(actor: Any) -> None:
    if hasattr(actor, "_ctip_reveals"):
        del actor._ctip_reveals


def can_read(actor: Any, model: Any, field: str, obj_id: Any = None) -> bool:
    """Whether the actor reads this field in clear (for this object, if revealed)."""
    level = sensitivity_of(model, field)
    if level is None or level in clearances(actor):
        return True
    if obj_id is None:
        return False
    return (_label(model), str(obj_id), level) in _active_reveals(actor)


def mask_value(actor: Any, instance: models.Model, field: str) -> Any:
    """The field's value, or MASK when the actor may not read it (empty stays empty)."""
    value = getattr(instance, field, None)
    if value in (None, "", []) or can_read(actor, instance, field, instance.pk):
        return value
    return MASK


def mask_rows(
    actor: Any, model: Any, rows: Iterable[Mapping[str, Any]], id_field: str = "id"
) -> Iterator[dict[str, Any]]:
    """Rows for an export (CSV, XLSX), with each sensitive column masked as the actor must see it.

    Columns are model field names; `id_field` names the column holding the object's id, used
    for revealed records.
    """
    for row in rows:
        obj_id = row.get(id_field)
        yield {
            column: value
            if value in (None, "", []) or can_read(actor, model, column, obj_id)
            else MASK
            for column, value in row.items()
        }


def serializer_actor(context: Mapping[str, Any]) -> Any:
    """The user a serializer renders for: context["actor"], else the request's user."""
    if context.get("actor") is not None:
        return context["actor"]
    return getattr(context.get("request"), "user", None)


class MaskedFieldsMixin:
    """For DRF serializers: sensitive fields come out masked for actors without clearance.

    The actor is `context["actor"]`, else the request's user (`context["request"]`); a
    serializer used without either masks everything sensitive, which is the safe default.
    Nested serializers share their parent's context, so they mask for the same actor.
    """

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)  # type: ignore[misc]
        actor = serializer_actor(getattr(self, "context", {}))
        model = instance.__class__
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            source = getattr(field, "source", name) or name
            value = data.get(name)
            if value not in (None, "", []) and not can_read(
                actor, model, source, getattr(instance, "pk", None)
            ):
                data[name] = MASK
        return data


def export_masker(
    *, actor: Any, row: dict[str, Any], layout: str, identifying: Iterable[str]
) -> dict[str, Any]:
    """Mask an exported row's identifying columns (HTCDS names) for actors without clearance.

    The exchange app calls this (exchange.export.mask_row) for every row it writes, whatever
    the layout, so exports follow the same clearance table as pages and the API.
    """
    if Sensitivity.IDENTITY in clearances(actor):
        return row
    hidden = set(identifying)
    return {
        column: MASK if column in hidden and value not in (None, "", []) else value
        for column, value in row.items()
    }


def hidden_sensitivities(actor: Any, instance: Any, revealable_only: bool = False) -> set[str]:
    """Sensitivities of this record's fields the actor cannot read now (optionally: only those
    the actor's role may reveal), for offering a reveal link."""
    label = _label(instance)
    hidden = {
        level
        for field, level in SENSITIVE_FIELDS.get(label, {}).items()
        if not can_read(actor, instance, field, instance.pk)
    }
    return hidden & revealable(actor) if revealable_only else hidden
