"""Access rules of the verification app's pages and API (joined into access_rules.ACCESS_RULES).

A verification is seen by the agency that verifies it (its case officers and supervisors), by
the intake team, and by the supervisors asked to sign it off; the steps that change it are
for the verifying agency (and the officers on its team); signing off is offered to
supervisors, who are refused by the service when they are of the verifying agency. Everyone
else gets 404 (forbidden and unknown look alike). The relation "own" is a verification led by
the actor's agency (PAHT-12); every other relation one led by another province's police.
The public summaries need no sign-in.
"""

import datetime
from typing import Any

from .access_rules import (
    ANONYMOUS,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    UNAUTHORIZED,
    Rule,
    by_role,
    everyone,
)

STAFF = {"case_officer", "supervisor"}
STATES = ("planned", "visited", "awaiting", "closed")
_built: dict[tuple[str, str], int] = {}


def _verification(state: str, relation: str) -> Any:
    """A verification led by PAHT-12 (relation own) or PAHT-2, brought to `state` by a
    superuser; built once per test (each test's transaction rolls it back)."""
    from ctip.access.models import Agency, Membership, User
    from ctip.verification import services
    from ctip.verification.models import Verification

    lead_code = "PAHT-12" if relation == "own" else "PAHT-2"
    key = (state, lead_code)
    found = Verification.objects.filter(pk=_built.get(key, 0)).first()
    if found is not None:
        return found
    root = User.objects.filter(is_superuser=True).order_by("pk").first()
    lead = Agency.objects.get(code=lead_code)
    verification = services.verification_create(
        actor=root, lead_agency=lead, allegation="Held in a compound.", plan="Visit."
    )
    for username, code in ((f"vteam-{lead_code}", lead_code), ("vteam-gdi", "GDI")):
        user, _ = User.objects.get_or_create(username=username)
        agency = Agency.objects.get(code=code)
        Membership.objects.get_or_create(user=user, agency=agency, role="case_officer")
        services.team_member_add(actor=root, verification=verification, user=user, agency=agency)
    services.found_person_add(
        actor=root, verification=verification, role="victim", given_name_latin="Kanha"
    )
    services.finding_add(
        actor=root,
        verification=verification,
        kind="statement",
        description="Statement.",
        upload=b"Statement of a worker.\n",
        file_name="statement.txt",
    )
    if state != "planned":
        services.visit_record(
            actor=root, verification=verification, visited_on=datetime.date.today(), notes="n"
        )
    if state in ("awaiting", "closed"):
        services.verification_submit(
            actor=root,
            verification=verification,
            outcome="substantiated",
            sign_off_agency=Agency.objects.get(code="PCCT-12"),
        )
    if state == "closed":
        services.verification_sign_off(actor=root, verification=verification)
    _built[key] = verification.pk
    return verification


def _pk(state: str) -> Any:
    return lambda w, role, rel: {"pk": _verification(state, rel).pk}


def _part(state: str, part: str, arg: str) -> Any:
    def build(w: Any, role: str, rel: str) -> dict[str, Any]:
        verification = _verification(state, rel)
        return {"pk": verification.pk, arg: getattr(verification, part).first().pk}

    return build


def _sees(role: str, relation: str) -> bool:
    return role == "intake_officer" or (role in STAFF and relation == "own")


def _detail(role: str, relation: str) -> Any:
    if role == ANONYMOUS:
        return LOGIN
    return OK if _sees(role, relation) else NOT_FOUND


def _works_on(role: str, relation: str) -> Any:
    """The steps of the verifying agency (intake sees the verification but not its forms)."""
    if role == ANONYMOUS:
        return LOGIN
    return OK if role in STAFF and relation == "own" else NOT_FOUND


def _supervisor_own(role: str, relation: str) -> Any:
    if role == ANONYMOUS:
        return LOGIN
    return OK if role == "supervisor" and relation == "own" else NOT_FOUND


def _post(role: str, relation: str) -> Any:
    """A button on the page: whoever sees the page is sent back to it (done, or refused with
    the reason shown there); others get 404."""
    if role == ANONYMOUS:
        return LOGIN
    return REDIRECT if _sees(role, relation) else NOT_FOUND


def _api_detail(role: str, relation: str) -> Any:
    if role == ANONYMOUS:
        return UNAUTHORIZED
    return OK if _sees(role, relation) else NOT_FOUND


def rules() -> dict[str, Rule]:
    verification_users = by_role(
        NOT_FOUND, anonymous=LOGIN, case_officer=OK, supervisor=OK, intake_officer=OK
    )
    return {
        "verification:list": Rule(verification_users),
        "verification:create": Rule(
            by_role(NOT_FOUND, anonymous=LOGIN, case_officer=OK, supervisor=OK)
        ),
        "verification:public": Rule(everyone(OK)),
        "verification:detail": Rule(_detail, args=_pk("planned")),
        "verification:plan": Rule(_works_on, args=_pk("planned")),
        "verification:team-add": Rule(_works_on, args=_pk("planned")),
        "verification:visit": Rule(_works_on, args=_pk("planned")),
        "verification:finding-add": Rule(_works_on, args=_pk("planned")),
        "verification:person-add": Rule(_works_on, args=_pk("planned")),
        "verification:submit": Rule(_works_on, args=_pk("visited")),
        "verification:sign-off": Rule(_supervisor_own, args=_pk("awaiting")),
        "verification:open-case": Rule(_works_on, args=_pk("closed")),
        "verification:publish": Rule(_supervisor_own, args=_pk("closed")),
        "verification:team-remove": Rule(
            _post, args=_part("planned", "team", "member"), method="post"
        ),
        "verification:finding-remove": Rule(
            _post, args=_part("planned", "findings", "finding"), method="post"
        ),
        "verification:person-remove": Rule(
            _post, args=_part("planned", "persons", "person"), method="post"
        ),
        "verification:withdraw": Rule(_post, args=_pk("closed"), method="post"),
        "verification-list": Rule(
            by_role(OK, anonymous=UNAUTHORIZED), path="/api/v1/verifications/"
        ),
        "verification-detail": Rule(_api_detail, args=_pk("planned")),
        "verification-summary-list": Rule(everyone(OK)),
    }
