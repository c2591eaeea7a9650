"""Access rules of case management's assessment, child-steps and care-plan pages (joined into
access_rules.ACCESS_RULES).

Assessing a victim, recording a child's steps and planning services are the owner's work, as
notes are: an agency that received the case by a referral gets 403 on the forms; it reads the
referred victim's assessments (the victim's part of the case). Everyone else gets 404.
"""

import datetime
from typing import Any

from .access_rules import Rule, World, not_referred, scoped


def _victim(w: World, role: str, rel: str) -> dict[str, Any]:
    records = w.at(role, rel)
    return {"pk": records.case.pk, "participant_pk": records.participant.pk}


def _child(w: World, role: str, rel: str) -> dict[str, Any]:
    """The world's victim made a child (in the request's savepoint, rolled back after it)."""
    person = w.at(role, rel).victim
    person.date_of_birth = datetime.date.today() - datetime.timedelta(days=365 * 12)
    person.save(update_fields=["date_of_birth"])
    return _victim(w, role, rel)


def _assessed(w: World, role: str, rel: str) -> dict[str, Any]:
    from ctip.registry.casework.services import assessment_record

    records = w.at(role, rel)
    assessment_record(
        actor=w.root,
        participant=records.participant,
        needs={"safety": {"level": "some", "note": "Known to the broker."}},
        risk_level="medium",
        risk_reasons="Known to the broker.",
    )
    return _victim(w, role, rel)


def rules() -> dict[str, Rule]:
    return {
        "registry:assessment-add": Rule(scoped(allowed=not_referred), args=_victim),
        "registry:assessment-list": Rule(scoped(), args=_assessed),
        "registry:child-steps": Rule(scoped(allowed=not_referred), args=_child),
        "referrals:care-plan-add": Rule(
            scoped(allowed=not_referred),
            args=lambda w, role, rel: {"participant_id": w.at(role, rel).participant.pk},
        ),
    }
