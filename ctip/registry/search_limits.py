"""What keeps person search from becoming an oracle: it matches only persons whose identity
the searcher reads, and each user's searches are counted and limited (issue #11, item 3)."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.masking import Sensitivity, clearances, revealed_ids
from ctip.audit.choices import AuditAction
from ctip.audit.models import AuditEvent
from ctip.audit.services import audit_record

# Every search criterion (name in either script, date of birth, age, document number) is
# derived from an identity field, so a match tells the searcher something about that field.
SEARCH_WINDOW = datetime.timedelta(minutes=1)
# The object type a person search is audited under; the allowance counts these events only.
PERSON_SEARCH = "registry.person"


class TooManySearches(PermissionDenied):
    """The user searched more often than CTIP_SEARCH_RATE_PER_MINUTE allows."""


def searchable(actor: Any, persons: QuerySet[Any]) -> QuerySet[Any]:
    """The persons a search may match for this actor: all it may see if it reads identities
    in clear; else only those whose identity it revealed (reason, re-authentication, audit).

    Matching a masked person's name or date of birth would confirm what the mask hides: 190
    searches by date of birth recovered one exact date before this rule.
    """
    if Sensitivity.IDENTITY in clearances(actor):
        return persons
    return persons.filter(
        pk__in=[int(pk) for pk in revealed_ids(actor, "registry.person", Sensitivity.IDENTITY)]
    )


def search_rate_check(actor: Any) -> None:
    """Refuse (audited) a search beyond the user's allowance for the last minute.

    Counted from the trail's own search events, so every worker process agrees and nothing
    else is stored; the count reads the actor and time indexes of the audit table. Only
    person searches count: the trail's own search (auditors) and other apps' searches are
    audited as SEARCH too, and must not use up the person-search allowance.
    """
    limit = int(getattr(settings, "CTIP_SEARCH_RATE_PER_MINUTE", 30))
    actor_id = getattr(actor, "pk", None)
    if actor_id is None or limit <= 0:
        return
    recent = AuditEvent.objects.filter(
        actor_id=actor_id,
        action=AuditAction.SEARCH,
        object_type=PERSON_SEARCH,
        occurred_at__gte=timezone.now() - SEARCH_WINDOW,
    ).count()
    if recent < limit:
        return
    audit_record(
        actor=actor,
        action=AuditAction.DENIED,
        object_type="registry.person",
        detail={"wanted": "search", "refused": "rate", "limit_per_minute": limit},
    )
    raise TooManySearches(
        _("Too many searches in the last minute (at most %(limit)d). Wait a minute and try again.")
        % {"limit": limit}
    )
