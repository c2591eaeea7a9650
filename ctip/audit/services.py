"""Writing audit events. Every service that reads or writes protected data calls audit_record."""

import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from django.db import connection, models, transaction

from . import witness
from .context import current_request_id
from .models import AuditEvent

T = TypeVar("T")
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


def _actor_memberships(actor: Any) -> tuple[str, str]:
    """The actor's agencies and roles as the event records them.

    Worked out from the access scope each time (a few rows, no query), so that a scope
    recomputed after a membership change (policies.forget_scope) is what the event records.
    """
    result = ("", "")
    # A command-line operator is authenticated but has no user row, hence no memberships.
    if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) is not None:
        from ctip.access.policies import actor_scope

        # The access scope already holds the memberships for this request: no second query.
        scope = actor_scope(actor)
        rows = sorted(
            (scope.agency_codes[agency_id], role)
            for role, agency_ids in scope.roles.items()
            for agency_id in agency_ids
        )
        agencies = ",".join(dict.fromkeys(code for code, _role in rows))
        roles = ",".join(dict.fromkeys(role for _code, role in rows))
        # The columns are short; a user with many memberships is marked with "+".
        result = (
            agencies if len(agencies) <= 40 else agencies[:39] + "+",
            roles if len(roles) <= 20 else roles[:19] + "+",
        )
    return result


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
    if not agency_code and not role:
        agency_code, role = _actor_memberships(actor)
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
        if witness.witness_dir() is not None and witness.due(sequence):
            transaction.on_commit(
                functools.partial(witness.witness_after_commit, sequence, event.hash)
            )
    return event


# --- verifying the chain -------------------------------------------------------------------


@dataclass(frozen=True)
class ChainBreak:
    """The first place where the stored trail stops being the chain that was written."""

    sequence: int
    kind: str  # "altered", "deleted", "inserted", "reordered", "checkpoint"
    message: str


@dataclass(frozen=True)
class ChainReport:
    """What a walk over the trail found: how many events, the head, and the first break."""

    count: int
    head_sequence: int
    head_hash: str
    broken: ChainBreak | None = None

    @property
    def ok(self) -> bool:
        return self.broken is None


_CHAIN_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "agency_code",
    "role",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "changes",
    "detail",
    "prev_hash",
    "hash",
)


def _hash_positions() -> dict[str, int]:
    """Every stored hash and the sequence number it is stored under (read only after a break)."""
    return dict(AuditEvent.objects.values_list("hash", "sequence"))


def _classify(
    event: AuditEvent, previous: AuditEvent | None, expected_seq: int, content_ok: bool
) -> ChainBreak:
    """Name what happened at the first broken link, from where the event's back-link points."""
    n = event.sequence
    positions = _hash_positions()
    pointed = positions.get(event.prev_hash)
    predecessor_seq = previous.sequence if previous else 0
    if event.prev_hash == GENESIS_HASH and previous is not None:
        pointed = 0
    if pointed is None and event.prev_hash != GENESIS_HASH:
        first_missing = expected_seq if n > expected_seq else n - 1
        return ChainBreak(
            first_missing,
            "deleted",
            f"event #{first_missing} was deleted: event #{n} links to an event that is gone",
        )
    if pointed is not None and pointed < predecessor_seq:
        return ChainBreak(
            predecessor_seq,
            "inserted",
            f"event #{predecessor_seq} was inserted: event #{n} links back to #{pointed}",
        )
    if pointed is not None and pointed > predecessor_seq:
        return ChainBreak(
            n,
            "reordered",
            f"event #{n} is out of order: it was written after event #{pointed}",
        )
    if n != expected_seq and content_ok:
        return ChainBreak(
            expected_seq, "deleted", f"event #{expected_seq} was deleted (numbering jumps to #{n})"
        )
    return ChainBreak(
        n, "altered", f"event #{n} was altered: its content no longer matches its hash"
    )


def chain_verify(
    *, checkpoint: dict[str, Any] | None = None, batch_size: int = 2000
) -> ChainReport:
    """Walk the whole trail in sequence order and report the first broken link, if any.

    Each event must hash to its stored hash (else it was altered), link to the hash of the
    event before it (else one was deleted, inserted or moved) and carry the next number.
    With a checkpoint (from chain_checkpoint, kept elsewhere), the trail must still contain
    the checkpoint's head event unchanged, which catches a trail cut short or rewritten
    from scratch.
    """
    previous: AuditEvent | None = None
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    anchor_seen = False
    events = AuditEvent.objects.order_by("sequence").only(*_CHAIN_FIELDS)
    for event in events.iterator(chunk_size=batch_size):
        content_ok = event_digest(event.prev_hash, event_payload(event)) == event.hash
        linked = event.prev_hash == expected_prev and event.sequence == expected_seq
        if not (content_ok and linked):
            broken = _classify(event, previous, expected_seq, content_ok)
            return ChainReport(count, expected_seq - 1, expected_prev, broken)
        if checkpoint and event.sequence == int(checkpoint["sequence"]):
            anchor_seen = True
            if event.hash != checkpoint["hash"]:
                return ChainReport(
                    count,
                    expected_seq - 1,
                    expected_prev,
                    ChainBreak(
                        event.sequence,
                        "checkpoint",
                        f"event #{event.sequence} differs from the checkpoint: the trail up to "
                        "it was rewritten",
                    ),
                )
        previous, expected_prev, expected_seq = event, event.hash, event.sequence + 1
        count += 1
    head_seq = expected_seq - 1
    if count == 0:
        # An empty trail proves nothing, and is what TRUNCATE leaves: never "intact". (A new
        # installation has no events until its first sign-in or import.)
        return ChainReport(
            0,
            0,
            GENESIS_HASH,
            ChainBreak(
                1,
                "empty",
                "the audit trail is empty: there is nothing to verify, and a trail that had "
                "events has had them removed",
            ),
        )
    if checkpoint and int(checkpoint["sequence"]) > 0 and not anchor_seen:
        return ChainReport(
            count,
            head_seq,
            expected_prev,
            ChainBreak(
                head_seq + 1,
                "checkpoint",
                f"the trail ends at #{head_seq} but the checkpoint names "
                f"#{checkpoint['sequence']}: events #{head_seq + 1} onwards were deleted",
            ),
        )
    return ChainReport(count, head_seq, expected_prev)


def chain_checkpoint() -> dict[str, Any]:
    """The current head of the trail (count, sequence, hash), to be kept outside the database."""
    head = AuditEvent.objects.order_by("-sequence").values_list("sequence", "hash").first()
    sequence, head_hash = head if head else (0, GENESIS_HASH)
    return {
        "count": AuditEvent.objects.count(),
        "sequence": sequence,
        "hash": head_hash,
        "taken_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


# --- refusals that survive their transaction's rollback ------------------------------------


def refusal(error: Exception, **audit: Any) -> Exception:
    """Attach an audit event to an error a service raises; audited_atomic writes it.

    `raise refusal(PermissionDenied(msg), actor=..., action=AuditAction.DENIED, obj=case)`.
    An audit row written inside the service's transaction would be rolled back with it; the
    refusal is exactly what must not vanish.
    """
    error.ctip_audit = audit  # type: ignore[attr-defined]
    return error


def audited_atomic(func: Callable[..., T]) -> Callable[..., T]:
    """transaction.atomic for services, which writes a refusal's audit event after rollback.

    Nested services each write it again after their own rollback; only the write of the
    outermost one survives, so each refusal is recorded exactly once.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except Exception as error:
            audit = getattr(error, "ctip_audit", None)
            if audit is not None:
                audit_record(**audit)
            raise

    return wrapper
