"""Access rules for the statistics and referrals URLs (pages, /stats/api/, /api/v1/ routes).

Merged into access_rules.ACCESS_RULES at the end of that module. The rules are built in a
function so that this module never imports access_rules while that one is half-loaded.

Expectations follow the security model: published statistics are public; live aggregates are
for signed-in staff per decision 0300 (record roles over the cases they see, analysts and the
secretariat over all; auditors and administrators have no statistics); referrals, their tasks,
exchange packages and pathways follow the case they belong to (404 when the case is not
visible, so unknown and forbidden look alike); the coordination figures are for the
secretariat and analysts.
"""

from typing import Any

BAD_REQUEST = 400


class AnyOf(frozenset[int]):
    """Several acceptable status codes, for POSTs whose answer depends on earlier requests.

    A transition that one role makes succeeds once and is refused as out of order afterwards;
    what matters for access is that the object was reached (not 404) or hidden (404).
    """

    def __eq__(self, other: object) -> bool:
        return other in self

    __hash__ = frozenset.__hash__

    def __str__(self) -> str:
        return "any of " + "/".join(str(code) for code in sorted(self))


def app_rules() -> dict[str, Any]:
    from .access_rules import (
        ANONYMOUS,
        FORBIDDEN,
        LOGIN,
        NOT_FOUND,
        OK,
        RECORD_ROLES,
        REDIRECT,
        UNAUTHORIZED,
        VISIBLE_RELATIONS,
        WHOLE_CASE_RELATIONS,
        Rule,
        api_create,
        by_role,
        case_visibility,
        everyone,
        not_referred,
        scoped,
    )
    from .world import HOME
    from .world_apps import app_objects, published_release, victim_participant

    signed_in_ok = by_role(OK, anonymous=LOGIN)
    api = by_role(OK, anonymous=UNAUTHORIZED)
    # Statistics: record roles (over their cases) and analysts (over all); not auditors or
    # administrators, whose roles include no statistics.
    stats_staff = by_role(
        OK,
        anonymous=LOGIN,
        auditor=FORBIDDEN,
        administrator=FORBIDDEN,
        linkage_reviewer=FORBIDDEN,
        intake_officer=FORBIDDEN,
        investigator=FORBIDDEN,
    )
    aggregators = by_role(FORBIDDEN, anonymous=LOGIN, analyst=OK)
    coordination_api = by_role(FORBIDDEN, anonymous=UNAUTHORIZED, analyst=OK)

    def visible(role: str, relation: str, relations: set[str] = VISIBLE_RELATIONS) -> bool:
        return role in RECORD_ROLES and relation in relations

    def case_page_post(role: str, relation: str) -> Any:
        """A POST on a case-scoped object: done or refused with a message, then back."""
        if role == ANONYMOUS:
            return LOGIN
        return REDIRECT if visible(role, relation) else NOT_FOUND

    def case_api(role: str, relation: str) -> Any:
        if role == ANONYMOUS:
            return UNAUTHORIZED
        return OK if visible(role, relation) else NOT_FOUND

    def case_api_post(visible_outcome: Any, relations: set[str] = VISIBLE_RELATIONS) -> Any:
        def expect(role: str, relation: str) -> Any:
            if role == ANONYMOUS:
                return UNAUTHORIZED
            if not visible(role, relation, relations):
                return NOT_FOUND
            return visible_outcome(role, relation)

        return expect

    # The owner's tasks (not tied to a referral the agency received) are not part of what a
    # referral opens: hidden (404) from the receiver.
    def owner_task_page_post(role: str, relation: str) -> Any:
        if role == ANONYMOUS:
            return LOGIN
        return REDIRECT if visible(role, relation, WHOLE_CASE_RELATIONS) else NOT_FOUND

    def owner_task_api(role: str, relation: str) -> Any:
        if role == ANONYMOUS:
            return UNAUTHORIZED
        return OK if visible(role, relation, WHOLE_CASE_RELATIONS) else NOT_FOUND

    def sender_side(role: str, relation: str) -> Any:
        """The home agency sends the world's referral only on its own case."""
        return relation == "own"

    # Close without a reason: the sender's staff are told the reason is missing (400), the
    # receiver's are refused (403); nothing changes either way.
    close_outcome = case_api_post(
        lambda role, rel: BAD_REQUEST if sender_side(role, rel) else FORBIDDEN
    )
    # Receiver-side transitions: only "referred" makes the home agency the receiver. Accept
    # succeeds for the first staff member and is out of order for the next.
    receiver_outcome = case_api_post(
        lambda role, rel: AnyOf({OK, BAD_REQUEST}) if rel == "referred" else FORBIDDEN
    )
    # Only the owner agency finishes a task (the first time 200, then out of order).
    task_done_outcome = case_api_post(
        lambda role, rel: AnyOf({OK, BAD_REQUEST}) if rel == "own" else FORBIDDEN,
        WHOLE_CASE_RELATIONS,
    )
    # A repatriation package is read by the case owner's side and by its own referral's
    # receiver (the partner country, outside the world's roles); the agency another referral
    # opened the victim to does not read it (decision 0510). The update's body is checked
    # before who may record it: an empty body is a 400.
    package_page = scoped(visible=WHOLE_CASE_RELATIONS)
    package_api = scoped(anonymous=UNAUTHORIZED, visible=WHOLE_CASE_RELATIONS)
    package_update_outcome = case_api_post(lambda role, rel: BAD_REQUEST, WHOLE_CASE_RELATIONS)
    # Preparing a second package for the same referral is refused, with a message.
    exchange_create_outcome = case_page_post

    def referral(w: Any, role: str, rel: str) -> Any:
        return app_objects(w).referrals[(HOME[role], rel)]

    def package(w: Any, role: str, rel: str) -> Any:
        return app_objects(w).packages[(HOME[role], rel)]

    def task(w: Any, role: str, rel: str) -> Any:
        return app_objects(w).tasks[(HOME[role], rel)]

    def participant(w: Any, role: str, rel: str) -> Any:
        return victim_participant(w, HOME[role], rel)

    def release_pk(w: Any, role: str, rel: str) -> dict[str, Any]:
        return {"pk": published_release(w).pk}

    def ref_pk(w: Any, role: str, rel: str) -> dict[str, Any]:
        return {"pk": referral(w, role, rel).pk}

    def package_pk(w: Any, role: str, rel: str) -> dict[str, Any]:
        return {"pk": package(w, role, rel).pk}

    def serving(w: Any, role: str, rel: str) -> Any:
        return app_objects(w).serving[(HOME[role], rel)]

    def serving_pk(w: Any, role: str, rel: str) -> dict[str, Any]:
        return {"pk": serving(w, role, rel).pk}

    def task_pk(w: Any, role: str, rel: str) -> dict[str, Any]:
        return {"pk": task(w, role, rel).pk}

    rules = {
        # --- statistics pages -----------------------------------------------------------------
        "stats:dashboard": Rule(stats_staff),
        "stats:report": Rule(
            stats_staff,
            args=lambda w, role, rel: {"kind": "half-year", "period": "2024H1"},
        ),
        "stats:releases": Rule(aggregators),
        # The dark figure is for those who aggregate over every case: a partial registry would
        # make every list look smaller than it is.
        "stats:mse": Rule(
            aggregators,
            also=(
                # A refused estimate (an unknown period) is still refused to everyone else.
                Rule(
                    by_role(FORBIDDEN, anonymous=LOGIN, analyst=BAD_REQUEST),
                    method="post",
                    data=lambda w, role, rel: {"period": "2024H9", "method": "bic", "bootstrap": 0},
                ),
            ),
        ),
        # Published releases: anyone, signed in or not, pages, CSV and API alike.
        "stats:public": Rule(everyone(OK)),
        "stats:public-release": Rule(everyone(OK), args=release_pk),
        "stats:public-release-csv": Rule(everyone(OK), args=release_pk),
        "stats:api-releases": Rule(everyone(OK)),
        "stats:api-release": Rule(everyone(OK), args=release_pk),
        # --- referrals pages ------------------------------------------------------------------
        # Lists and dashboards are scoped, so any signed-in user gets a page (maybe empty).
        "referrals:list": Rule(signed_in_ok),
        "referrals:work": Rule(signed_in_ok),
        "referrals:digest": Rule(signed_in_ok),
        "referrals:tasks": Rule(signed_in_ok),
        "referrals:coordination": Rule(aggregators),
        "referrals:detail": Rule(case_visibility, args=ref_pk),
        "referrals:transition": Rule(
            case_page_post,
            args=lambda w, role, rel: ref_pk(w, role, rel) | {"transition": "close"},
            method="post",
        ),
        "referrals:exchange-create": Rule(exchange_create_outcome, args=ref_pk, method="post"),
        # Referring passes the case on: the owner's side only, as a share (403 for an agency
        # that received the case by a share or a referral).
        "referrals:send": Rule(
            scoped(allowed=lambda _role, rel: rel == "own"),
            args=lambda w, role, rel: {"participant_id": participant(w, role, rel).pk},
        ),
        "referrals:pathway": Rule(
            case_visibility,
            args=lambda w, role, rel: {"participant_id": participant(w, role, rel).pk},
        ),
        "referrals:task-create": Rule(
            scoped(allowed=not_referred),
            args=lambda w, role, rel: {"case_id": w.case(role, rel).pk},
        ),
        "referrals:task-done": Rule(owner_task_page_post, args=task_pk, method="post"),
        # A referral's tasks: its owner's side adds them, and so does the agency it was sent
        # to while it serves the person (decision 0510); hidden referrals are unknown ones.
        "referrals:referral-task-create": Rule(scoped(), args=serving_pk),
        # A referral's notes: written by its sending side or its receiver; a hidden referral
        # is an unknown one (decision 0510).
        "referrals:referral-note-add": Rule(
            case_page_post,
            args=ref_pk,
            method="post",
            data=lambda w, role, rel: {"text": "Met the family at the shelter."},
        ),
        "referrals:exchange": Rule(package_page, args=package_pk),
        "referrals:exchange-json": Rule(package_page, args=package_pk),
        "referrals:exchange-pdf": Rule(package_page, args=package_pk),
        # --- referrals API (/api/v1/) ---------------------------------------------------------
        "referral-list": Rule(
            api,
            # Sending names a participant: the owner's side sends (201), an agency that
            # received the case may not pass it on (403), a hidden one is an unknown one (400).
            also=(
                api_create(
                    lambda w, role, rel: {
                        "participant": participant(w, role, rel).pk,
                        "to_agency": "DOSVY-12",
                        "service": "shelter",
                    },
                    allowed=lambda _role, rel: rel == "own",
                    id_fields=("participant",),
                ),
            ),
        ),
        "referral-detail": Rule(case_api, args=ref_pk),
        "referral-close": Rule(close_outcome, args=ref_pk, method="post"),
        "referral-accept": Rule(receiver_outcome, args=ref_pk, method="post"),
        "referral-decline": Rule(
            case_api_post(lambda role, rel: BAD_REQUEST if rel == "referred" else FORBIDDEN),
            args=ref_pk,
            method="post",
        ),
        "referral-start": Rule(receiver_outcome, args=ref_pk, method="post"),
        "referral-complete": Rule(receiver_outcome, args=ref_pk, method="post"),
        "referral-exchange": Rule(
            # Already prepared (400) for the sender's staff; a second package is refused.
            case_api_post(lambda role, rel: BAD_REQUEST if sender_side(role, rel) else FORBIDDEN),
            args=ref_pk,
            method="post",
        ),
        "task-list": Rule(
            api,
            also=(
                api_create(
                    lambda w, role, rel: {
                        "case": w.case(role, rel).pk,
                        "referral": serving(w, role, rel).pk,
                        "title": "Call the family",
                        "owner_agency": HOME[role],
                        "due_on": "2030-01-01",
                    },
                    # The receiver adds tasks to a referral it serves, not to the case.
                    allowed=None,
                    id_fields=("case", "referral"),
                ),
            ),
        ),
        "task-detail": Rule(owner_task_api, args=task_pk),
        "task-done": Rule(task_done_outcome, args=task_pk, method="post"),
        "exchange-package-detail": Rule(package_api, args=package_pk),
        "exchange-package-updates": Rule(package_update_outcome, args=package_pk, method="post"),
        "pathway-detail": Rule(
            case_api, args=lambda w, role, rel: {"pk": participant(w, role, rel).pk}
        ),
        "my-work-list": Rule(api),
        "referral-coordination-list": Rule(coordination_api),
    }
    return rules
