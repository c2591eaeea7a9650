"""What the linkage app adds to the registry's pages: possible matches while registering a
person, and the other records of a person's identity on the person page."""

from typing import Any

from ctip.registry.selectors import PageSection

from . import selectors
from .services import may_review


def registration_section(
    *, actor: Any, fields: dict[str, Any], document_number: str, case: Any
) -> PageSection | None:
    draft = selectors.Draft.from_fields(
        fields,
        document_number=document_number,
        province=case.province.code if case is not None else "",
        source=case.owning_agency.code if case is not None else "",
    )
    check = selectors.registration_check(actor=actor, draft=draft)
    if not check.found:
        return None
    return PageSection(
        template="linkage/_possible_matches.html",
        context={"check": check, "pick": case is not None},
        confirm=True,
        picks=tuple(m.person.pk for m in check.matches) if case is not None else (),
    )


def person_section(*, actor: Any, person: Any) -> PageSection | None:
    view = selectors.identity_of(actor=actor, person=person)
    if view.identity_id is None:
        return None
    return PageSection(
        template="linkage/_identity.html",
        context={"identity": view, "person": person, "may_review": may_review(actor)},
    )
