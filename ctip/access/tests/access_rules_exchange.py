"""Access rules for the exchange app's URLs (imports, layouts, exports, OpenRosa).

Uploads are private to the person who uploaded them; saved column layouts belong to an
agency and are shared by its members; export pages are open to signed-in staff, and what
they export is scoped and masked by role (tested in ctip/exchange/tests). OpenRosa clients
authenticate with HTTP Basic on every request, so a browser session is not enough.
"""

from typing import Any

from .world import HOME, World

LAYOUT_NAME = "world-layout"


def _someone_elses_upload(w: World, role: str, rel: str) -> dict[str, Any]:
    """An upload made by the world's set-up user: nobody else may open it."""
    from ctip.access.models import Agency
    from ctip.exchange.models import ImportBatch

    batch = ImportBatch.objects.create(
        file_name="cases.csv",
        stored_path="",
        sha256="0" * 64,
        file_format="csv",
        layout="htcds",
        agency=Agency.objects.get(code="PAHT-12"),
        created_by=w.root,
    )
    return {"pk": batch.pk}


def _layout(w: World, role: str, rel: str) -> None:
    from ctip.access.models import Agency
    from ctip.exchange.models import ColumnMapping

    ColumnMapping.objects.get_or_create(
        name=LAYOUT_NAME,
        defaults={
            "agency": Agency.objects.get(code="PAHT-12"),
            "columns": {},
            "created_by": w.root,
        },
    )


def _member_of_layout_agency(role: str, relation: str) -> Any:
    from .access_rules import LOGIN, NOT_FOUND, OK

    if role == "anonymous":
        return LOGIN
    return OK if HOME.get(role) == "PAHT-12" else NOT_FOUND


def exchange_rules() -> dict[str, Any]:
    """The rules, built on call: this module and access_rules import each other."""
    from .access_rules import LOGIN, NOT_FOUND, UNAUTHORIZED, Rule, by_role, signed_in_ok

    not_even_for_staff = by_role(NOT_FOUND, anonymous=LOGIN)
    return {
        "exchange:import-list": Rule(signed_in_ok),
        "exchange:import-new": Rule(signed_in_ok),
        "exchange:export": Rule(signed_in_ok),
        "exchange:mapping-new": Rule(signed_in_ok),
        "exchange:mapping-edit": Rule(
            _member_of_layout_agency,
            args=lambda w, role, rel: {"name": LAYOUT_NAME},
            prepare=_layout,
        ),
        "exchange:import-detail": Rule(not_even_for_staff, args=_someone_elses_upload),
        "exchange:import-progress": Rule(not_even_for_staff, args=_someone_elses_upload),
        "exchange:import-report": Rule(not_even_for_staff, args=_someone_elses_upload),
        "exchange:import-apply": Rule(
            not_even_for_staff, args=_someone_elses_upload, method="post"
        ),
        "exchange:openrosa-form-list": Rule(by_role(UNAUTHORIZED)),
        "exchange:openrosa-form": Rule(
            by_role(UNAUTHORIZED), args=lambda w, r, rel: {"form_id": "htcds"}
        ),
        "exchange:openrosa-submission": Rule(by_role(UNAUTHORIZED), method="post"),
    }
