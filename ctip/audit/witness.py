"""Signed checkpoints of the audit trail, kept outside the database: the trail's witness.

The hash chain shows an edit in the middle of the trail, but a trail cut short (the last
events deleted, or the table truncated) is still a valid chain. A witness is the head of the
trail at some moment (sequence, hash, count), signed with HMAC-SHA256 under a key that is not
in the database, written to a directory the database owner cannot rewrite
(CTIP_AUDIT_WITNESS_DIR). Witnesses are taken automatically every CTIP_AUDIT_WITNESS_EVERY
events, and at least every CTIP_AUDIT_WITNESS_SECONDS while events are written, by `ctip
audit checkpoint`, and `ctip audit verify` checks the trail against the newest one by default.
See docs/decisions/0204-audit-witness.md.
"""

import hashlib
import hmac
import json
import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)
PREFIX = "witness-"
_last_taken = {"at": time.monotonic()}


class WitnessError(Exception):
    """A witness file exists but cannot be trusted (altered, or signed with another key)."""


def witness_dir() -> Path | None:
    """Where witnesses go, or None when the installation keeps none (the test settings)."""
    configured = getattr(settings, "CTIP_AUDIT_WITNESS_DIR", "")
    return Path(configured) if configured else None


def _key() -> bytes:
    """CTIP_AUDIT_WITNESS_KEY, or one derived from SECRET_KEY: both live outside the database."""
    explicit = getattr(settings, "CTIP_AUDIT_WITNESS_KEY", "")
    if explicit:
        return explicit.encode("utf-8")
    return hmac.new(
        settings.SECRET_KEY.encode("utf-8"), b"ctip audit witness", hashlib.sha256
    ).digest()


def _signature(body: dict[str, Any]) -> str:
    canonical = json.dumps(
        {k: body[k] for k in ("count", "sequence", "hash", "taken_at")},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hmac.new(_key(), canonical.encode("utf-8"), hashlib.sha256).hexdigest()


def witness_write(checkpoint: dict[str, Any], directory: Path | None = None) -> Path | None:
    """Sign a checkpoint and write it as a new, read-only file; never overwrites one."""
    directory = directory or witness_dir()
    if directory is None:
        return None
    directory.mkdir(parents=True, exist_ok=True)
    body: dict[str, Any] = {
        "count": int(checkpoint["count"]),
        "sequence": int(checkpoint["sequence"]),
        "hash": str(checkpoint["hash"]),
        "taken_at": checkpoint.get("taken_at") or datetime.now(UTC).isoformat(timespec="seconds"),
    }
    body["signature"] = _signature(body)
    path = directory / f"{PREFIX}{body['sequence']:012d}-{body['hash'][:16]}.json"
    try:
        # "x": exclusive creation, so an existing witness is never replaced.
        with path.open("x", encoding="utf-8") as handle:
            handle.write(json.dumps(body, indent=2) + "\n")
    except FileExistsError:
        return path
    os.chmod(path, 0o444)
    _last_taken["at"] = time.monotonic()
    return path


def witness_read(path: Path) -> dict[str, Any]:
    """One witness file, its signature checked."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        expected = _signature(body)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise WitnessError(f"witness {path.name} cannot be read: {error}") from error
    if not hmac.compare_digest(str(body.get("signature", "")), expected):
        raise WitnessError(f"witness {path.name} has a bad signature: it was altered")
    return body


def witness_latest(directory: Path | None = None) -> dict[str, Any] | None:
    """The newest witness (highest sequence), signature checked; None when there is none.

    Any witness with a bad signature is an error: someone rewrote the witness directory.
    """
    directory = directory or witness_dir()
    if directory is None or not directory.is_dir():
        return None
    found = [witness_read(path) for path in sorted(directory.glob(f"{PREFIX}*.json"))]
    return max(found, key=lambda body: body["sequence"], default=None)


def due(sequence: int) -> bool:
    """Whether the event just appended should be witnessed: every N events, or when the last
    witness this process took is older than the interval."""
    every = int(getattr(settings, "CTIP_AUDIT_WITNESS_EVERY", 100))
    seconds = float(getattr(settings, "CTIP_AUDIT_WITNESS_SECONDS", 300))
    return (every > 0 and sequence % every == 0) or (
        seconds > 0 and time.monotonic() - _last_taken["at"] >= seconds
    )


def witness_after_commit(sequence: int, head_hash: str) -> None:
    """Take a witness of this head once its transaction commits (a rolled-back event's number
    is reused by the next one); a witness that cannot be written is logged, not raised: the
    request that wrote the event has succeeded."""
    try:
        witness_write(
            {"count": sequence, "sequence": sequence, "hash": head_hash, "taken_at": None}
        )
    except OSError:
        log.exception("The audit witness could not be written to %s", witness_dir())
