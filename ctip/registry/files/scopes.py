"""Who may read the files of each purpose: every app that attaches files says so here.

A file has no reader of its own: it is readable exactly when the record that attached it is.
An app registers, in its AppConfig.ready(), a `scope(*, actor) -> Q` over StoredFile rows of
its purpose (usually "a record of mine the actor may see points at this file"). A file whose
purpose nobody registered is readable by nobody.
"""

from collections.abc import Callable
from typing import Any

from django.db.models import Q

FileScope = Callable[..., Q]
_SCOPES: dict[str, FileScope] = {}


def register_file_scope(purpose: str, scope: FileScope) -> None:
    """Say which files of `purpose` an actor may read: `scope(actor=...)` returns a Q."""
    if not purpose or len(purpose) > 60:
        raise ValueError("A purpose is a short name such as 'registry.case'.")
    _SCOPES[purpose] = scope


def known_purpose(purpose: str) -> bool:
    return purpose in _SCOPES


def readable_q(*, actor: Any, purpose: str) -> Q:
    """The files of `purpose` the actor may read (none where the purpose is unknown)."""
    scope = _SCOPES.get(purpose)
    if scope is None:
        return Q(pk__in=[])
    return Q(purpose=purpose) & scope(actor=actor)
