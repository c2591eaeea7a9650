"""The possible-match check for persons registered by a file rather than at a form (an
investigator's FollowTheMoney import): nobody reads the matches at the keyboard, so each
likely pair goes to the reviewers' queue (a write beside services.py, which selectors.py reads
from; here both are read without a circle)."""

from typing import Any

from django.conf import settings

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.models import Person

from . import engine_api, records
from .models import Candidate
from .selectors import Draft, candidate_ids, current_model
from .services import ordered, pair_fingerprint, thresholds


def draft_of(person: Person) -> Draft:
    """A registered person as the check's draft (its fields read in memory, never written)."""
    return Draft(
        family_name_latin=person.family_name_latin or "",
        given_name_latin=person.given_name_latin or "",
        family_name_km=person.family_name_km or "",
        given_name_km=person.given_name_km or "",
        sex=person.sex or "",
        date_of_birth=person.date_of_birth,
        estimated_age=person.estimated_age,
        citizenships=list(person.citizenships or []),
        source="import",
    )


def queue_possible_matches(*, actor: Any, person: Person, source: str) -> int:
    """Score the persons a just-registered one probably is, and queue every pair at or above
    the lower threshold for review (the caller's transaction). Nothing is merged: reviewers
    decide. Returns how many pairs were queued; none without a trained model. Audited with
    counts only (no name leaves the registry)."""
    model = current_model()
    if model is None:
        return 0
    lower, _upper = thresholds()
    draft = draft_of(person)
    ids = [pk for pk in candidate_ids(draft, limit=settings.CTIP_LINKAGE_CHECK_CANDIDATES)]
    ids = [pk for pk in ids if pk != person.pk]
    if not ids:
        return 0
    new = engine_api.normalise(draft.row())
    queued = 0
    rows = records.person_rows(Person.objects.filter(pk__in=ids), stream=False)
    for row in rows:
        other = records.person_id(row["record_id"])
        result = engine_api.score(model, new, engine_api.normalise(row))
        if result.probability < lower:
            continue
        a, b = ordered(person.pk, other)
        if Candidate.objects.filter(person_a_id=a, person_b_id=b, decision="pending").exists():
            continue
        Candidate.objects.create(
            person_a_id=a,
            person_b_id=b,
            probability=float(result.probability),
            pattern=dict(result.pattern or {}),
            fingerprint=pair_fingerprint(a, b),
        )
        queued += 1
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="linkage.candidate",
        detail={"person": person.pk, "queued": queued, "source": source},
    )
    return queued
