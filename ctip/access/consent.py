"""Who may share a victim's identity without recorded consent (the override rule).

The check itself lives in registry.services.identity_share_check, which knows victims and
their consent; this module only answers "may this actor override?", so that access rules
stay in the access app.
"""

from typing import Any

from .choices import Role
from .policies import actor_scope

CONSENT_OVERRIDE_ROLES = frozenset({Role.SUPERVISOR})


def can_override_consent(actor: Any, agency_id: int) -> bool:
    """Supervisors of the owning agency (or above it) may override; superusers always."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return True
    for supervised in scope.agencies_with(CONSENT_OVERRIDE_ROLES):
        if agency_id == supervised or agency_id in scope.subtree.get(supervised, frozenset()):
            return True
    return False
