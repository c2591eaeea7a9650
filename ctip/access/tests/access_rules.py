"""The access matrix's rule table: for every URL, who gets what.

test_access_matrix.py walks the whole URL configuration (pages, API router, admin) and
requests every URL as every role (and as an anonymous visitor), signed in with both factors.
For URLs that take an object, it does so once per relation of the object to the actor's
agency: own, other_agency, other_province, shared, referred (see world.py). A URL with no
rule here fails the suite.

To cover a new URL, add one entry to ACCESS_RULES, keyed by its URL name ("namespace:name";
a pattern like "admin:*" covers a family; an unnamed pattern is keyed "route:<route>"):

    "registry:case-detail": Rule(
        args=lambda w, role, rel: {"pk": w.case(role, rel).pk},
        expect=case_visibility,   # or everyone(OK), by_role(...), or any f(role, relation)
    ),
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Outcomes: a status code, or one of these redirects.
OK, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 401, 403, 404, 405
LOGIN = "redirect to sign-in"
ADMIN_LOGIN = "redirect to admin sign-in"
REDIRECT = "redirect elsewhere"

ANONYMOUS = "anonymous"
Expect = Callable[[str, str], Any]


def everyone(outcome: Any) -> Expect:
    return lambda role, relation: outcome


def by_role(default: Any, **roles: Any) -> Expect:
    """by_role(FORBIDDEN, anonymous=LOGIN, auditor=OK)."""
    return lambda role, relation: roles.get(role, default)


RECORD_ROLES = {"case_officer", "supervisor", "ngo_partner"}
VISIBLE_RELATIONS = {"own", "shared", "referred"}


def case_visibility(role: str, relation: str) -> Any:
    """Case-scoped pages: record roles see their own, shared and referred cases, else 404."""
    if role == ANONYMOUS:
        return LOGIN
    if role in RECORD_ROLES and relation in VISIBLE_RELATIONS:
        return OK
    return NOT_FOUND


def reveal_rule(role: str, relation: str) -> Any:
    """Only a role that may reveal identity (NGO partner) gets the form, on records it sees."""
    if role == ANONYMOUS:
        return LOGIN
    if role not in RECORD_ROLES or relation not in VISIBLE_RELATIONS:
        return NOT_FOUND  # unknown and forbidden look alike
    return OK if role == "ngo_partner" else FORBIDDEN


@dataclass(frozen=True)
class Rule:
    expect: Expect
    # Builds the URL's kwargs from the world, the role and the relation; None: no object.
    args: Callable[[Any, str, str], dict[str, Any]] | None = None
    method: str = "get"
    path: str = ""  # for unnamed patterns that cannot be reversed


signed_in_ok = by_role(OK, anonymous=LOGIN)
api = by_role(OK, anonymous=UNAUTHORIZED)

ACCESS_RULES: dict[str, Rule] = {
    # Pages of the shared layout and sign-in.
    "home": Rule(by_role(REDIRECT, anonymous=LOGIN)),
    "login": Rule(everyone(OK)),
    "logout": Rule(everyone(LOGIN), method="post"),
    "set_language": Rule(everyone(REDIRECT)),
    "access:otp-verify": Rule(signed_in_ok),
    "access:otp-enrol": Rule(by_role(REDIRECT, anonymous=LOGIN)),  # enrolled: go to verify
    "access:reveal": Rule(
        reveal_rule,
        args=lambda w, role, rel: {"object_type": "registry.person", "pk": w.victim(role, rel).pk},
    ),
    # The audit trail is for auditors only.
    "audit:event-list": Rule(by_role(FORBIDDEN, anonymous=LOGIN, auditor=OK)),
    # Case registry.
    "registry:case-list": Rule(signed_in_ok),
    # API root, schema and its docs: signed-in staff only.
    "api-root": Rule(api),
    "schema": Rule(api),
    "api-docs": Rule(api),
    "api-redoc": Rule(api),
    # Django admin: no role makes a user staff; superusers only (not a role, not tested here).
    "admin:login": Rule(everyone(OK)),
    "admin:logout": Rule(everyone(REDIRECT)),  # GET only sends back to the admin index
    "admin:*": Rule(everyone(ADMIN_LOGIN)),
    # /admin/<model>/<id>/ (unnamed: it redirects to .../change/) asks for a staff sign-in too.
    "route:admin/*/<path:object_id>/": Rule(everyone(ADMIN_LOGIN)),
    "route:admin/(?P<url>.*)$": Rule(everyone(ADMIN_LOGIN), path="/admin/no-such-page/"),
}

# Values for URL parameters that rules do not fill in themselves.
DEFAULT_ARGS = {
    "app_label": "auth",
    "object_id": "1",
    "content_type_id": "1",
    "format": "json",
    "pk": "1",
    "id": "1",
}

# Rules of the statistics and referrals apps live in their own module (built by a function,
# so that it can import from this one once this one is fully loaded).
from .access_rules_apps import app_rules  # noqa: E402

ACCESS_RULES.update(app_rules())
