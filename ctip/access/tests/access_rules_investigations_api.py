"""Access rules of the investigations app's REST endpoints (joined into access_rules.ACCESS_RULES).

The same rule as its pages (decision 0700): investigators, case officers and supervisors use
them, every other role gets 404 as for a record that does not exist, and anonymous callers
401. Records in a case follow the case: the agency's own cases and those shared with it, not
cases merely referred to it. A case named in a body that the caller may not see is a 400 on
that field, like an unknown one. Only investigators decide sanctions hits (others who see the
hit: 403).
"""

from typing import Any

from .access_rules import (
    ANONYMOUS,
    BAD_REQUEST,
    CREATED,
    FORBIDDEN,
    NOT_FOUND,
    OK,
    UNAUTHORIZED,
    Rule,
    by_role,
)
from .access_rules_investigations import (
    SEEN,
    USERS,
    _alert,
    _case,
    _identifier,
    _organisation,
    _use_pk,
)
from .access_rules_investigations import (
    _compound as _compound_pk,
)
from .access_rules_investigations_screening import AD_RELATIONS, HIT_RELATIONS, _ad, _hit

NO_CONTENT = 204
UNSUPPORTED = 415


def _api(ok: Any = OK) -> Any:
    return by_role(NOT_FOUND, anonymous=UNAUTHORIZED, **dict.fromkeys(USERS, ok))


def _api_in(ok: Any = OK, relations: set[str] = SEEN, hidden: Any = NOT_FOUND) -> Any:
    def expect(role: str, relation: str) -> Any:
        if role == ANONYMOUS:
            return UNAUTHORIZED
        if role not in USERS:
            return NOT_FOUND
        return ok if relation in relations else hidden

    return expect


def _decide(role: str, relation: str) -> Any:
    if role == ANONYMOUS:
        return UNAUTHORIZED
    if role not in USERS or relation not in HIT_RELATIONS:
        return NOT_FOUND
    return OK if role == "investigator" else FORBIDDEN


def _new_use(world: Any, role: str, relation: str) -> dict[str, Any]:
    case = world.case(role, relation)
    return {"case": case.pk, "kind": "phone", "value": f"012 777 {case.pk:03d}"}


def rules() -> dict[str, Rule]:
    return {
        "investigation-case-detail": Rule(_api_in(), args=_case),
        "investigation-case-connections": Rule(_api_in(), args=_case),
        "investigation-identifier-list": Rule(_api(), query="kind=phone&value=012345678"),
        "investigation-identifier-detail": Rule(_api_in(), args=_identifier),
        "investigation-identifier-use-list": Rule(
            _api_in(CREATED, hidden=BAD_REQUEST),
            method="post",
            data=_new_use,
            relational=True,
            id_fields=("case",),
        ),
        "investigation-identifier-use-detail": Rule(
            _api_in(NO_CONTENT), args=_use_pk, method="delete"
        ),
        "investigation-organisation-list": Rule(_api()),
        "investigation-organisation-detail": Rule(_api(), args=_organisation),
        "investigation-compound-list": Rule(_api()),
        "investigation-compound-detail": Rule(_api(), args=_compound_pk),
        "investigation-alert-list": Rule(_api()),
        "investigation-alert-read": Rule(_api(), args=_alert, method="post"),
        "investigation-hit-list": Rule(_api()),
        "investigation-hit-detail": Rule(_api_in(relations=HIT_RELATIONS), args=_hit),
        "investigation-hit-decide": Rule(
            _decide, args=_hit, method="post", data=lambda w, r, rel: {"decision": "confirmed"}
        ),
        "investigation-job-ad-list": Rule(
            _api(),
            also=(
                Rule(
                    _api(CREATED),
                    method="post",
                    data=lambda w, r, rel: {"text": "High salary, Telegram @hr_matrix"},
                ),
            ),
        ),
        "investigation-job-ad-detail": Rule(_api_in(relations=AD_RELATIONS), args=_ad),
        # The file travels as multipart/form-data: the matrix's JSON body reaches the users
        # of the app as 415 (past the role check), everyone else as 404.
        "investigation-ftm-import-list": Rule(
            _api(UNSUPPORTED), method="post", data=lambda w, r, rel: {"case": 1}
        ),
    }
