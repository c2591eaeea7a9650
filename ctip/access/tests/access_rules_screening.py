"""Access rules of the screening app's pages and API (joined into access_rules.ACCESS_RULES).

An operation follows its case: record roles of the agencies that see the case see the
operation (a referral opens it for reading, and the referred person found); adding persons,
interviews, suspects, repatriation and embassy lists need the right to change the case (not
given by a referral). Others get 404, like an unknown operation. Recording an operation is for
roles that register cases.
"""

from typing import Any

from .access_rules import (
    ANONYMOUS,
    BAD_REQUEST,
    CREATED,
    FORBIDDEN,
    LOGIN,
    OK,
    RECORD_ROLES,
    REDIRECT,
    UNAUTHORIZED,
    WHOLE_CASE_RELATIONS,
    Rule,
    by_role,
    scoped,
)
from .world import HOME

DAY = "2024-03-01"


def _operation(world: Any, role: str, relation: str) -> Any:
    """The world's case of this relation as an operation (made once, kept for the test)."""
    from ctip.registry.models import CaseShare
    from ctip.screening.models import Operation

    case = world.case(role, relation)
    operation, created = Operation.objects.get_or_create(
        case=case,
        defaults={
            "kind": "raid",
            "name": f"Raid {case.reference}",
            "conducted_on": case.opened_on,
            "province": case.province,
            "place": "Compound",
            "lead_agency": case.owning_agency,
        },
    )
    if created:
        # The agencies the case is shared with outright took part in the operation (as
        # operation_create shares it with them): they may register persons (decision 0781).
        shared = CaseShare.objects.filter(case=case, reason="shared")
        operation.agencies.set([share.agency for share in shared])
    return operation


def _found(world: Any, role: str, relation: str) -> Any:
    """The case's victim as the first person found (their participation is the one a
    referral opens)."""
    from ctip.screening.models import FoundPerson

    records = world.at(role, relation)
    found, _created = FoundPerson.objects.get_or_create(
        operation=_operation(world, role, relation),
        number=1,
        defaults={
            "person": records.victim,
            "participant": records.participant,
            "nationality": "VNM",
            "age_is_apparent": False,
        },
    )
    return found


def _op(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": _operation(world, role, relation).pk}


def _fp(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": _found(world, role, relation).pk}


def _operation_body(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {
        "kind": "raid",
        "name": "Raid at the compound",
        "conducted_on": DAY,
        "province": "KH-12",
        "place": "Building C",
        "lead_agency": HOME.get(role, "PAHT-12"),
    }


def _screen_body(world: Any, role: str, relation: str) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "interviewed_on": timezone.localdate().isoformat(),
        "language": "vi",
        "answers": {"deception": "yes"},
        "decision": "presumed",
        "reasons": "Deceived about the job",
    }


def rules() -> dict[str, Rule]:
    changing = scoped(visible=WHOLE_CASE_RELATIONS)
    page_post = scoped(REDIRECT, visible=WHOLE_CASE_RELATIONS)
    api_seen = scoped(anonymous=UNAUTHORIZED)

    def api_write(ok: Any) -> Any:
        return scoped(ok, anonymous=UNAUTHORIZED, visible=WHOLE_CASE_RELATIONS)

    record_roles_only = by_role(FORBIDDEN, anonymous=LOGIN, **dict.fromkeys(RECORD_ROLES, OK))

    def found_list(role: str, relation: str) -> Any:
        """The list names its operation in the query: a hidden one is 400, like an unknown."""
        if role == ANONYMOUS:
            return UNAUTHORIZED
        return (
            OK
            if role in RECORD_ROLES and relation in {"own", "shared", "referred"}
            else BAD_REQUEST
        )

    def found_create(role: str, relation: str) -> Any:
        """Persons are registered by the lead agency or, for itself, by an agency taking part
        (the world's operations list the agencies the case is shared with outright, decision
        0781); a referral's receiver and roles that register nothing: the operation is hidden
        (400, as for an unknown one)."""
        if role == ANONYMOUS:
            return UNAUTHORIZED
        if role not in RECORD_ROLES or relation not in WHOLE_CASE_RELATIONS:
            return BAD_REQUEST
        return CREATED

    return {
        "screening:operation-list": Rule(by_role(OK, anonymous=LOGIN)),
        "screening:operation-new": Rule(record_roles_only),
        "screening:operation-detail": Rule(scoped(), args=_op),
        "screening:found-grid": Rule(changing, args=_op),
        "screening:found-upload": Rule(changing, args=_op),
        "screening:embassy-list": Rule(
            scoped(), args=lambda w, role, rel: {**_op(w, role, rel), "nationality": "VNM"}
        ),
        "screening:found-detail": Rule(scoped(), args=_fp),
        "screening:repatriation": Rule(
            page_post,
            args=_fp,
            method="post",
            data=lambda w, role, rel: {"status": "waiting", "on": DAY},
        ),
        "screening:mark-suspect": Rule(page_post, args=_fp, method="post"),
        "operation-list": Rule(
            by_role(OK, anonymous=UNAUTHORIZED),
            also=(
                Rule(
                    by_role(
                        FORBIDDEN,
                        anonymous=UNAUTHORIZED,
                        **dict.fromkeys(RECORD_ROLES, CREATED),
                    ),
                    method="post",
                    data=_operation_body,
                ),
            ),
        ),
        "operation-detail": Rule(api_seen, args=_op),
        # No identified victim in the world's operation: refused on the body (400) for those
        # who may change it; hidden (404) for the others.
        "operation-embassy-list": Rule(
            api_write(BAD_REQUEST),
            args=_op,
            method="post",
            data=lambda w, role, rel: {"nationality": "VNM", "to_agency": "FP-VNM"},
        ),
        "person-found-list": Rule(
            found_list,
            data=lambda w, role, rel: {"operation": _operation(w, role, rel).pk},
            relational=True,
            also=(
                Rule(
                    found_create,
                    method="post",
                    data=lambda w, role, rel: {
                        "operation": _operation(w, role, rel).pk,
                        "rows": [{"family_name": "Nguyen", "nationality": "VNM"}],
                    },
                    relational=True,
                    id_fields=("operation",),
                ),
            ),
        ),
        "person-found-detail": Rule(api_seen, args=_fp),
        "person-found-screen": Rule(api_write(CREATED), args=_fp, method="post", data=_screen_body),
        "person-found-suspect": Rule(api_write(CREATED), args=_fp, method="post"),
        "person-found-repatriation": Rule(
            api_write(OK),
            args=_fp,
            method="post",
            data=lambda w, role, rel: {"status": "waiting"},
        ),
    }
