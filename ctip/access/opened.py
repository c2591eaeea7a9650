"""What apps above access do when a user opens one of their notifications (AppConfig.ready
registers it): access cannot name them, and opening a notification should settle what it
announced, as opening an investigations alert's notification marks the alert read."""

from collections.abc import Callable
from typing import Any

# kind -> handlers(actor, notification), called inside the service that marks it read.
OnOpened = Callable[[Any, Any], object]
_ON_OPENED: dict[str, list[OnOpened]] = {}


def register_on_opened(kind: str, handler: OnOpened) -> OnOpened:
    """Call `handler(actor, notification)` when the actor opens a notification of this kind."""
    handlers = _ON_OPENED.setdefault(kind, [])
    if handler not in handlers:
        handlers.append(handler)
    return handler


def run_on_opened(actor: Any, notification: Any) -> None:
    for handler in _ON_OPENED.get(notification.kind, []):
        handler(actor, notification)
