"""What every write of the referrals app shares: the audited refusal and the actor's
case-work agencies."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ctip.access.policies import RECORD_ROLES, actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

MASKED = "•••"

T = TypeVar("T")


def _refusal_message(exc: Exception) -> Any:
    if isinstance(exc, ValidationError):
        return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return {"__all__": [str(exc)]}


def _audited_refusal(
    *, actor: Any, wanted: str, object_type: str, object_id: Any, work: Callable[[], T]
) -> T:
    """Run `work` in its own transaction; if it is refused, roll it back and then audit the
    refusal outside it, so that the attempt is on record while nothing else changed."""
    try:
        with transaction.atomic():
            return work()
    except (ValidationError, PermissionDenied) as exc:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            object_type=object_type,
            object_id=object_id or "",
            detail={"wanted": wanted, "refused": _refusal_message(exc)},
        )
        raise


def staff_agencies(actor: Any) -> frozenset[int]:
    """Agencies in which the actor holds a case-work role (officer, supervisor, NGO partner)."""
    return actor_scope(actor).agencies_with(RECORD_ROLES)
