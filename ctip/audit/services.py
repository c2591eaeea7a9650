"""Writing audit events. Every service that reads or writes protected data calls audit_record."""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models, transaction

from .context import current_request_id
from .models import AuditEvent

GENESIS_HASH = "0" * 64
# Any fixed 64-bit number works; it names the lock that serialises appends on PostgreSQL.
_CHAIN_LOCK_ID = 7_310_512_026


def event_digest(prev_hash: str, payload: dict[str, Any]) -> str:
    """The hash of one event: SHA-256 over the previous hash and the event's canonical JSON."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def event_payload(event: AuditEvent) -> dict[str, Any]:
    """The fields the hash covers, in a form that reads back identically from the database."""
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "agency_code": event.agency_code,
        "role": event.role,
        "request_id": event.request_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "changes": event.changes,
        "detail": event.detail,
    }


def _lock_chain() -> None:
    """Serialise appends so that two writers never chain onto the same predecessor."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": ""}
    return {"actor_id": actor.pk, "actor_username": actor.get_username()}


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    changes: dict[str, Any] | None = None,
    detail: dict[str, Any] | None = None,
    agency_code: str = "",
    role: str = "",
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    with transaction.atomic():
        _lock_chain()
        last = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
        sequence, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        event = AuditEvent(
            sequence=sequence,
            occurred_at=datetime.now(UTC),
            request_id=current_request_id.get(),
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            changes=changes or {},
            detail=detail or {},
            agency_code=agency_code,
            role=role,
            prev_hash=prev_hash,
            **_actor_fields(actor),
        )
        event.hash = event_digest(prev_hash, event_payload(event))
        event.save(force_insert=True)
    return event
