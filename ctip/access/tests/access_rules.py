"""The access matrix's rule table: for every URL, who gets what.

test_access_matrix.py walks the whole URL configuration (pages, API router, admin) and
requests every URL as every role (and as an anonymous visitor), signed in with both factors.
For URLs that take a record (in their path or in the body they post), it does so once per
relation of the record to the actor's agency: own, other_agency, other_province, shared,
referred (see world.py). A URL with no rule here fails the suite.

To cover a new URL, add one entry to ACCESS_RULES, keyed by its URL name ("namespace:name";
a pattern like "admin:*" covers a family; an unnamed pattern is keyed "route:<route>"):

    "registry:case-detail": Rule(
        args=lambda w, role, rel: {"pk": w.case(role, rel).pk},
        expect=scoped(),   # or everyone(OK), by_role(...), or any f(role, relation)
    ),

A URL that answers to several methods (an API resource: GET, PATCH; a list: GET, POST) lists
the other methods in `also`. Writes are checked with a valid body, so that the outcome says
who may write and not whether the body was right; each request runs in a savepoint that is
rolled back, so one request's write never changes what the next one sees.
"""

import datetime
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Outcomes: a status code, or one of these redirects.
OK, CREATED, BAD_REQUEST = 200, 201, 400
UNAUTHORIZED, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 401, 403, 404, 405
LOGIN = "redirect to sign-in"
ADMIN_LOGIN = "redirect to admin sign-in"
REDIRECT = "redirect elsewhere"

ANONYMOUS = "anonymous"
Expect = Callable[[str, str], Any]
World = Any
Build = Callable[[World, str, str], dict[str, Any]]


def everyone(outcome: Any) -> Expect:
    return lambda role, relation: outcome


def by_role(default: Any, **roles: Any) -> Expect:
    """by_role(FORBIDDEN, anonymous=LOGIN, auditor=OK)."""
    return lambda role, relation: roles.get(role, default)


RECORD_ROLES = {"case_officer", "supervisor", "ngo_partner"}
VISIBLE_RELATIONS = {"own", "shared", "referred"}
# A referral opens the referred victim's part of the case (the case record, the victim's
# participation, person and profile, the referral's own records) for reading only; the
# owner's events, arrests, proceedings and tasks stay closed to the receiver.
WHOLE_CASE_RELATIONS = VISIBLE_RELATIONS - {"referred"}


def not_referred(_role: str, relation: str) -> bool:
    """Changing the case's facts: never for an agency that received it by a referral."""
    return relation != "referred"


def scoped(
    ok: Any = OK,
    *,
    anonymous: Any = LOGIN,
    hidden: Any = NOT_FOUND,
    allowed: Callable[[str, str], bool] | None = None,
    visible: set[str] = VISIBLE_RELATIONS,
) -> Expect:
    """Record-scoped URLs, after the access model in docs/security.md.

    Record roles (case officer, supervisor, NGO partner) reach records their agency owns or
    that were shared with or referred to it (`visible`): `ok`, or FORBIDDEN where `allowed`
    says the role may see but not do this. Analysts, auditors and administrators see no
    records, and no one sees other agencies' records: `hidden` (404, so that forbidden and
    unknown look alike).
    """

    def expect(role: str, relation: str) -> Any:
        if role == ANONYMOUS:
            return anonymous
        if role not in RECORD_ROLES or relation not in visible:
            return hidden
        if allowed is not None and not allowed(role, relation):
            return FORBIDDEN
        return ok

    return expect


def supervisor_of_owner(role: str, relation: str) -> bool:
    """Closing and reopening need a supervisor of the owning agency; a share does not give it."""
    return role == "supervisor" and relation == "own"


def reveal_rule(role: str, relation: str) -> Any:
    """Only a role that may reveal identity (NGO partner) gets the form, on records it sees."""
    return scoped(allowed=lambda r, _rel: r == "ngo_partner")(role, relation)


def testimony_reveal_rule(role: str, relation: str) -> Any:
    """Case officers and NGO partners may reveal testimony; supervisors read it in clear."""
    return scoped(allowed=lambda r, _rel: r in ("case_officer", "ngo_partner"))(role, relation)


@dataclass(frozen=True)
class Rule:
    expect: Expect
    # Builds the URL's kwargs from the world, the role and the relation; None: no record.
    args: Build | None = None
    method: str = "get"
    path: str = ""  # for unnamed patterns that cannot be reversed
    query: str = ""  # a query string for GET, without "?"
    # The body to send (JSON for the API, a form for pages), from the world, role, relation.
    data: Build | None = None
    # Done as the set-up user before the request (and rolled back with it).
    prepare: Callable[[World, str, str], None] | None = None
    # The body names a record, so the URL is tried once per relation even without args.
    relational: bool = False
    # The body's fields that hold record ids: an unknown id in any of them must get the same
    # answer as a hidden one (test_access_matrix.test_unknown_and_hidden_ids_look_alike).
    id_fields: tuple[str, ...] = ()
    also: tuple["Rule", ...] = ()

    @property
    def per_relation(self) -> bool:
        return self.args is not None or self.relational


signed_in_ok = by_role(OK, anonymous=LOGIN)
api = by_role(OK, anonymous=UNAUTHORIZED)
# Pages that follow a case (referrals, packages, pathways): the case's own visibility.
case_visibility = scoped()
record_roles_only = by_role(FORBIDDEN, anonymous=LOGIN, **dict.fromkeys(RECORD_ROLES, OK))
api_scoped = scoped(anonymous=UNAUTHORIZED)
# Records a referral does not open (events, arrests, proceedings, the owner's tasks).
owner_parts_api = scoped(anonymous=UNAUTHORIZED, visible=WHOLE_CASE_RELATIONS)
DAY = "2024-03-01"


def case_pk(w: World, role: str, rel: str) -> dict[str, Any]:
    return {"pk": w.case(role, rel).pk}


def _fresh_case(w: World, role: str, rel: str) -> Any:
    """The case read afresh: services change the instance they are given, and a rollback
    restores the row but not the world's copy."""
    from ctip.registry.models import Case

    return Case.objects.get(pk=w.case(role, rel).pk)


def _close(w: World, role: str, rel: str) -> None:
    from ctip.registry import services

    services.case_close(
        actor=w.root,
        case=_fresh_case(w, role, rel),
        closed_on=datetime.date(2024, 6, 1),
        reason="Done",
    )


def api_write(ok: Any, visible: set[str] = VISIBLE_RELATIONS) -> Expect:
    """A write that names a record in its path: as its read, with `ok` for who may write
    (not an agency that received the case by a referral: 403)."""
    return scoped(ok, anonymous=UNAUTHORIZED, allowed=not_referred, visible=visible)


def _token_request(username: str) -> dict[str, str]:
    """Password and the current one-time code, as the token endpoint asks."""
    from ctip.access.models import User
    from ctip.access.testing import current_code, otp_device

    code = current_code(otp_device(User.objects.get(username=username)))
    return {"username": username, "password": "a-long-test-password", "otp_token": code}


def _add_bare_victim(w: World, role: str, rel: str) -> None:
    """A second victim without a profile yet (added per request: unconsented, it would
    block sharing the world's cases)."""
    from ctip.registry import services

    case = _fresh_case(w, role, rel)
    person = services.person_create(
        actor=w.root, registered_by=case.owning_agency, given_name_latin="Bopha"
    )
    services.participant_add(actor=w.root, case=case, person=person, role="victim")


def _follow_up(w: World, role: str, rel: str) -> dict[str, Any]:
    from ctip.registry.casework.services import follow_up_plan

    case = _fresh_case(w, role, rel)
    visit = follow_up_plan(
        actor=w.root, case=case, kind="home_visit", due_on=datetime.date(2024, 6, 1)
    )
    return {"pk": case.pk, "follow_up_pk": visit.pk}


def _officer_notification(w: World, role: str, rel: str) -> dict[str, Any]:
    from ctip.access.services import notification_send

    (sent,) = notification_send(
        recipients=[w.actors["case_officer"]], kind="other", text="Hello", url="/cases/"
    )
    return {"pk": sent.pk}


def _victim_file(w: World, role: str, rel: str) -> dict[str, Any]:
    from ctip.registry.files.services import case_attachment_add

    participant = w.at(role, rel).participant
    attachment = case_attachment_add(
        actor=w.root,
        case=participant.case,
        upload=b"Medical note\n",
        name="note.txt",
        participant=participant,
    )
    return {"pk": attachment.file_id}


def _bare_victim(w: World, role: str, rel: str) -> int:
    from ctip.registry.models import Participant

    return (
        Participant.objects.filter(case=w.case(role, rel), role="victim", victim_profile=None)
        .values_list("pk", flat=True)
        .get()
    )


def api_create(
    w_field: Callable[[World, str, str], dict[str, Any]],
    *,
    allowed: Callable[[str, str], bool] | None = not_referred,
    visible: set[str] = VISIBLE_RELATIONS,
    **kwargs: Any,
) -> Rule:
    """POST to a list URL whose body names records: the body's records must be visible (else
    400 on that field: the API does not say whether a record it hides exists), and the
    actor allowed to write there (else 403). `id_fields` names the body's fields that hold
    record ids, for test_unknown_and_hidden_ids_in_a_body_get_the_same_answer."""
    return Rule(
        scoped(
            CREATED, anonymous=UNAUTHORIZED, hidden=BAD_REQUEST, allowed=allowed, visible=visible
        ),
        method="post",
        data=w_field,
        relational=True,
        **kwargs,
    )


def _device_token(w: World, role: str, rel: str) -> dict[str, Any]:
    """A device token of the case officer's (nobody may revoke their own)."""
    from ctip.access.services import device_token_issue

    token, _secret = device_token_issue(actor=None, user=w.actors["case_officer"], name="Phone")
    return {"pk": token.pk}


administrators_only = by_role(FORBIDDEN, anonymous=LOGIN, administrator=OK)

ACCESS_RULES: dict[str, Rule] = {
    # Pages of the shared layout and sign-in.
    "home": Rule(by_role(OK, anonymous=LOGIN)),  # a home page per role (not a redirect)
    "login": Rule(everyone(OK)),
    "logout": Rule(everyone(LOGIN), method="post"),
    "set_language": Rule(everyone(REDIRECT)),
    "access:otp-verify": Rule(signed_in_ok),
    "access:otp-enrol": Rule(by_role(REDIRECT, anonymous=LOGIN)),  # enrolled: go to verify
    "access:notifications": Rule(
        signed_in_ok, also=(Rule(by_role(REDIRECT, anonymous=LOGIN), method="post"),)
    ),
    # A case officer's notification: its owner is sent on, anyone else finds nothing.
    "access:notification-open": Rule(
        by_role(NOT_FOUND, anonymous=LOGIN, case_officer=REDIRECT), args=_officer_notification
    ),
    "access:device-tokens": Rule(administrators_only),
    "access:device-token-revoke": Rule(
        by_role(FORBIDDEN, anonymous=LOGIN, administrator=REDIRECT),
        args=_device_token,
        method="post",
    ),
    "access:reveal": Rule(
        reveal_rule,
        args=lambda w, role, rel: {"object_type": "registry.person", "pk": w.victim(role, rel).pk},
        also=(
            Rule(
                testimony_reveal_rule,
                args=lambda w, role, rel: {
                    "object_type": "registry.victimprofile",
                    "pk": w.at(role, rel).profile.pk,
                },
            ),
        ),
    ),
    # The audit trail is for auditors only.
    "audit:event-list": Rule(by_role(FORBIDDEN, anonymous=LOGIN, auditor=OK)),
    # Case registry pages. The list and search are open to every signed-in role, scoped to
    # what each may see (analysts, auditors and administrators get empty lists).
    "registry:case-list": Rule(signed_in_ok),
    "registry:case-create": Rule(record_roles_only),
    "registry:case-detail": Rule(scoped(), args=case_pk),
    "registry:case-edit": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:case-close": Rule(scoped(allowed=supervisor_of_owner), args=case_pk),
    "registry:case-reopen": Rule(
        scoped(REDIRECT, allowed=supervisor_of_owner), args=case_pk, method="post", prepare=_close
    ),
    "registry:participant-add": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:victim-profile": Rule(
        scoped(allowed=not_referred),
        args=lambda w, role, rel: {
            "pk": w.case(role, rel).pk,
            "participant_pk": w.at(role, rel).participant.pk,
        },
    ),
    "registry:event-add": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:arrest-add": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:proceeding-add": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:case-attach": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:person-attach": Rule(
        scoped(allowed=not_referred), args=lambda w, role, rel: {"pk": w.victim(role, rel).pk}
    ),
    # A file about the world's victim: whoever sees the victim's part of the case reads it.
    "registry:file-download": Rule(scoped(), args=_victim_file),
    # Case management: the owner's work (a referral's receiver reads the case, no more).
    "registry:case-assign": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:note-add": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:follow-up-add": Rule(scoped(allowed=not_referred), args=case_pk),
    "registry:follow-up-record": Rule(scoped(allowed=not_referred), args=_follow_up),
    # Passing a case on is the owner's decision, as sharing is.
    "registry:case-transfer": Rule(scoped(allowed=lambda _r, rel: rel == "own"), args=case_pk),
    "registry:person-search": Rule(signed_in_ok, query="name=Sreyneang"),
    "registry:person-detail": Rule(
        scoped(), args=lambda w, role, rel: {"pk": w.victim(role, rel).pk}
    ),
    # REST API: anonymous callers get 401, never a sign-in page.
    "api-token": Rule(
        everyone(OK),
        method="post",
        data=lambda w, role, rel: _token_request(f"{role}-user"),
    ),
    "case-list": Rule(
        api,
        also=(
            Rule(
                by_role(FORBIDDEN, anonymous=UNAUTHORIZED, **dict.fromkeys(RECORD_ROLES, CREATED)),
                method="post",
                data=lambda w, role, rel: {
                    "kind": "trafficking",
                    "source": "operation",
                    "province": "KH-12",
                    "opened_on": DAY,
                },
            ),
        ),
    ),
    "case-detail": Rule(
        api_scoped,
        args=case_pk,
        also=(
            Rule(
                api_write(OK),
                args=case_pk,
                method="patch",
                data=lambda w, role, rel: {"summary": "Changed"},
            ),
        ),
    ),
    "case-close": Rule(
        scoped(anonymous=UNAUTHORIZED, allowed=supervisor_of_owner),
        args=case_pk,
        method="post",
        data=lambda w, role, rel: {"status": "closed", "closed_on": DAY, "reason": "Done"},
    ),
    "case-reopen": Rule(
        scoped(anonymous=UNAUTHORIZED, allowed=supervisor_of_owner),
        args=case_pk,
        method="post",
        prepare=_close,
    ),
    "case-share": Rule(
        # Receiving a case (share or referral) does not let an agency pass it on.
        scoped(anonymous=UNAUTHORIZED, allowed=lambda _role, rel: rel == "own"),
        args=case_pk,
        method="post",
        data=lambda w, role, rel: {"agency": "COURT-1"},
    ),
    "person-list": Rule(
        api,
        query="name=Sreyneang",
        also=(
            Rule(
                by_role(FORBIDDEN, anonymous=UNAUTHORIZED, **dict.fromkeys(RECORD_ROLES, CREATED)),
                method="post",
                data=lambda w, role, rel: {"given_name_latin": "Dara", "family_name_latin": "Sok"},
            ),
        ),
    ),
    "person-detail": Rule(
        api_scoped,
        args=lambda w, role, rel: {"pk": w.victim(role, rel).pk},
        also=(
            Rule(
                api_write(OK),
                args=lambda w, role, rel: {"pk": w.victim(role, rel).pk},
                method="patch",
                data=lambda w, role, rel: {"phone": "+855 12 999 999"},
            ),
        ),
    ),
    "person-documents": Rule(
        api_write(CREATED),
        args=lambda w, role, rel: {"pk": w.victim(role, rel).pk},
        method="post",
        data=lambda w, role, rel: {"kind": "passport", "number": "N0123456"},
    ),
    "participant-list": api_create(
        lambda w, role, rel: {
            "case": w.case(role, rel).pk,
            "person": w.victim(role, rel).pk,
            "role": "witness",
        },
        id_fields=("case", "person"),
    ),
    "participant-detail": Rule(
        api_scoped, args=lambda w, role, rel: {"pk": w.at(role, rel).participant.pk}
    ),
    "victim-profile-list": api_create(
        lambda w, role, rel: {
            "participant": _bare_victim(w, role, rel),
            "trafficking_status": "ActualVictimOfTrafficking",
        },
        prepare=_add_bare_victim,
        visible=WHOLE_CASE_RELATIONS,  # a second victim, not the one referred
        id_fields=("participant",),
    ),
    "victim-profile-detail": Rule(
        api_scoped,
        args=lambda w, role, rel: {"pk": w.at(role, rel).profile.pk},
        also=(
            Rule(
                api_write(OK),
                args=lambda w, role, rel: {"pk": w.at(role, rel).profile.pk},
                method="patch",
                data=lambda w, role, rel: {"testimony": "More of what happened."},
            ),
        ),
    ),
    "event-list": api_create(
        lambda w, role, rel: {
            "case": w.case(role, rel).pk,
            "kind": "transit",
            "occurred_on": DAY,
        },
        id_fields=("case",),
    ),
    "event-detail": Rule(
        owner_parts_api, args=lambda w, role, rel: {"pk": w.at(role, rel).event.pk}
    ),
    "arrest-list": api_create(
        lambda w, role, rel: {
            "case": w.case(role, rel).pk,
            "person": w.at(role, rel).suspect.pk,
            "arrested_on": DAY,
            "agency": "PAHT-12",
        },
        visible=WHOLE_CASE_RELATIONS,  # the suspect is not in the referred victim's part
        id_fields=("case", "person"),
    ),
    "arrest-detail": Rule(
        owner_parts_api, args=lambda w, role, rel: {"pk": w.at(role, rel).arrest.pk}
    ),
    "proceeding-list": api_create(
        lambda w, role, rel: {"case": w.case(role, rel).pk, "filed_on": DAY}, id_fields=("case",)
    ),
    "proceeding-detail": Rule(
        owner_parts_api,
        args=lambda w, role, rel: {"pk": w.at(role, rel).proceeding.pk},
        also=(
            Rule(
                api_write(OK, visible=WHOLE_CASE_RELATIONS),
                args=lambda w, role, rel: {"pk": w.at(role, rel).proceeding.pk},
                method="patch",
                data=lambda w, role, rel: {"stage": "prosecution"},
            ),
        ),
    ),
    # Reference data and agencies: public facts, for any signed-in caller.
    "agency-list": Rule(api),
    "agency-detail": Rule(api),
    "province-list": Rule(api),
    "country-list": Rule(api),
    "vocabulary-list": Rule(api),
    "vocabulary-detail": Rule(api),
    # API root, schema and its docs: signed-in staff only.
    "api-root": Rule(api),
    "schema": Rule(api),
    "api-docs": Rule(api),
    "api-redoc": Rule(api),
    # Django admin: no role makes a user staff; superusers only (not a role, not tested here).
    "admin:login": Rule(everyone(OK)),
    "admin-login": Rule(everyone(OK)),  # ctip's sign-in page, at the admin's address
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
    "code": "PAHT-12",  # an agency
    "name": "charge",  # a vocabulary
}

# Modules joined below by name; any other access_rules_*.py is found by the loop at the end.
_OWN_MODULES = {"access_rules_exchange", "access_rules_apps", "access_rules_linkage"}

# Each app's rules live beside this table and join it here (imported last: they use the
# helpers above).
from .access_rules_exchange import exchange_rules  # noqa: E402

ACCESS_RULES.update(exchange_rules())

# Rules of the statistics and referrals apps live in their own module (built by a function,
# so that it can import from this one once this one is fully loaded).
from .access_rules_apps import app_rules  # noqa: E402

ACCESS_RULES.update(app_rules())

from .access_rules_linkage import linkage_rules  # noqa: E402

ACCESS_RULES.update(linkage_rules())

# The apps of issues #15 and #17 keep their rules in access_rules_<app>[_<part>].py, each
# with a `rules()` function (built like the modules above), found here so that their branches
# do not meet in this table.
for _found in sorted(pkgutil.iter_modules([str(Path(__file__).parent)])):
    _name = _found.name
    if not _name.startswith("access_rules_") or _name in _OWN_MODULES:
        continue
    ACCESS_RULES.update(importlib.import_module(f"{__package__}.{_name}").rules())
