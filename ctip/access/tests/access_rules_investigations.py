"""Access rules of the investigations app's pages (joined into access_rules.ACCESS_RULES).

Investigators, case officers and supervisors use the pages (decision 0700); every other role
gets 404, as for a record it may not see. Records in a case (its identifiers, the persons
they are recorded for) follow the case: the agency's own cases and cases shared with it, not
cases merely referred to it (a referral opens a victim's part, never the suspects' phones),
and never other agencies' cases (404: forbidden and unknown look alike).
"""

from typing import Any

from .access_rules import (
    ANONYMOUS,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Rule,
    by_role,
)

USERS = ("investigator", "case_officer", "supervisor")
# Relations under which a case's investigation records are visible (and changeable).
SEEN = {"own", "shared"}


def _page(ok: Any = OK) -> Any:
    return by_role(NOT_FOUND, anonymous=LOGIN, **dict.fromkeys(USERS, ok))


def _in_case(ok: Any = OK) -> Any:
    def expect(role: str, relation: str) -> Any:
        if role == ANONYMOUS:
            return LOGIN
        return ok if role in USERS and relation in SEEN else NOT_FOUND

    return expect


def _case(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": world.case(role, relation).pk}


def _use(world: Any, role: str, relation: str) -> Any:
    from ctip.investigations.services import identifier_record

    case = world.case(role, relation)
    # A number of this case's own: recorded in a visible case too, it would be visible there.
    return identifier_record(
        actor=world.root,
        case=case,
        kind="phone",
        value=f"012 345 {case.pk:03d}",
        person=world.at(role, relation).suspect,
    )


def _identifier(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": _use(world, role, relation).identifier_id}


def _use_pk(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": _use(world, role, relation).pk}


def _person(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": world.at(role, relation).suspect.pk}


def _organisation(world: Any, role: str, relation: str) -> dict[str, Any]:
    from ctip.investigations.services import organisation_create

    return {"pk": organisation_create(actor=world.root, name="Golden Sky Co").pk}


def _compound(world: Any, role: str, relation: str) -> dict[str, Any]:
    from ctip.investigations.services import compound_create

    return {"pk": compound_create(actor=world.root, name="Blue Bay").pk}


def _alert(world: Any, role: str, relation: str) -> dict[str, Any]:
    """An alert of the requesting user's own (anonymous: the investigator's)."""
    from ctip.investigations.models import ConnectionAlert

    use = _use(world, "investigator", "own")
    recipient = world.actors.get(role) or world.actors["investigator"]
    alert, _created = ConnectionAlert.objects.get_or_create(
        recipient=recipient,
        identifier_id=use.identifier_id,
        open_case=use.case,
        new_case=world.case("investigator", "other_agency"),
    )
    return {"pk": alert.pk}


def rules() -> dict[str, Rule]:
    return {
        "investigations:home": Rule(_page()),
        "investigations:case": Rule(_in_case(), args=_case),
        "investigations:identifier": Rule(_in_case(), args=_identifier),
        "investigations:person": Rule(_in_case(), args=_person),
        "investigations:use-remove": Rule(_in_case(REDIRECT), args=_use_pk, method="post"),
        "investigations:organisations": Rule(_page()),
        "investigations:organisation": Rule(_page(), args=_organisation),
        "investigations:compounds": Rule(_page()),
        "investigations:compound": Rule(_page(), args=_compound),
        "investigations:network": Rule(_page()),
        "investigations:network-image": Rule(_page()),
        "investigations:alerts": Rule(_page()),
        "investigations:alert-read": Rule(_page(REDIRECT), args=_alert, method="post"),
    }
