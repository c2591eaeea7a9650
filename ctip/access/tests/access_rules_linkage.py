"""Access rules of the linkage app's pages and API (joined into access_rules.ACCESS_RULES).

The review queue, a pair, an identity and unmerging are for linkage reviewers only; others
get 403 on the queue and 404 on a record (forbidden and unknown look alike). The possible-
matches check is for roles that register persons.
"""

from typing import Any

from .access_rules import (
    ANONYMOUS,
    BAD_REQUEST,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    RECORD_ROLES,
    REDIRECT,
    UNAUTHORIZED,
    VISIBLE_RELATIONS,
    Rule,
    by_role,
)

REVIEWER = "linkage_reviewer"


def _records(world: Any) -> tuple[Any, Any]:
    return world.records[("PAHT-12", "own")], world.records[("PAHT-12", "other_agency")]


def _identity(world: Any, role: str, relation: str) -> dict[str, Any]:
    """Two victims of the world joined into one identity (made again in each test's
    transaction, which rolls back what the last one made)."""
    from ctip.linkage import identities
    from ctip.linkage.models import IdentityMember, Link

    first, second = sorted(r.victim.pk for r in _records(world))
    Link.objects.get_or_create(person_a_id=first, person_b_id=second, source="review")
    identities.regroup([first, second])
    return {"pk": IdentityMember.objects.get(person_id=first).identity_id}


def _unmerge(world: Any, role: str, relation: str) -> dict[str, Any]:
    _identity(world, role, relation)
    return {"pk": _records(world)[0].victim.pk}


def _candidate(world: Any, role: str, relation: str) -> dict[str, Any]:
    from ctip.linkage.models import Candidate
    from ctip.linkage.services import pair_fingerprint

    first, second = sorted(r.suspect.pk for r in _records(world))
    candidate, _ = Candidate.objects.get_or_create(
        person_a_id=first,
        person_b_id=second,
        decision="pending",
        defaults={"probability": 0.8, "fingerprint": pair_fingerprint(first, second)},
    )
    return {"pk": candidate.pk}


def _check_with_case(role: str, relation: str) -> Any:
    """The check naming the case the person is registered in: roles that may not check are
    refused before the case is read; a case the caller may not see answers like an unknown
    one (400 on `case`)."""
    if role == ANONYMOUS:
        return UNAUTHORIZED
    if role not in RECORD_ROLES:
        return FORBIDDEN
    return OK if relation in VISIBLE_RELATIONS else BAD_REQUEST


def _check_body(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {
        "given_name_latin": "Sreyneang",
        "family_name_latin": "Sok",
        "case": world.case(role, relation).pk,
    }


def linkage_rules() -> dict[str, Rule]:
    reviewer_page = by_role(NOT_FOUND, anonymous=LOGIN, **{REVIEWER: OK})
    return {
        "linkage:queue": Rule(by_role(FORBIDDEN, anonymous=LOGIN, **{REVIEWER: OK})),
        "linkage:pair": Rule(reviewer_page, args=_candidate),
        "linkage:identity": Rule(reviewer_page, args=_identity),
        "linkage:unmerge": Rule(
            by_role(NOT_FOUND, anonymous=LOGIN, **{REVIEWER: REDIRECT}),
            args=_unmerge,
            method="post",
            data=lambda w, role, rel: {"reason": "Not the same person"},
        ),
        # Only roles that register persons may ask; without a trained model the answer says
        # so (ready: false) — the check's own tests cover matches.
        "possible-match-list": Rule(
            by_role(FORBIDDEN, anonymous=UNAUTHORIZED, **dict.fromkeys(RECORD_ROLES, OK)),
            method="post",
            data=lambda w, role, rel: {"given_name_latin": "Sreyneang", "family_name_latin": "Sok"},
            # The body may name a case (its province and agency feed the check): tried per
            # relation, and a hidden case id must answer exactly as an unknown one.
            also=(
                Rule(
                    _check_with_case,
                    method="post",
                    data=_check_body,
                    relational=True,
                    id_fields=("case",),
                ),
            ),
        ),
    }
