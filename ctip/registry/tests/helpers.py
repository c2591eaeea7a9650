"""Small builders for registry tests, going through the real services."""

import datetime
from typing import Any

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.registry import services


def new_case(actor: Any, agency_code: str = "PAHT-12", province_code: str = "KH-12", **extra: Any):
    defaults: dict[str, Any] = {
        "kind": "trafficking",
        "source": "hotline",
        "opened_on": datetime.date(2024, 3, 1),
    }
    defaults.update(extra)
    return services.case_create(
        actor=actor,
        owning_agency=Agency.objects.get(code=agency_code),
        province=Province.objects.get(code=province_code),
        **defaults,
    )


def new_person(actor: Any, **fields: Any):
    defaults: dict[str, Any] = {
        "given_name_latin": "Sokha",
        "family_name_latin": "Chan",
        "given_name_km": "សុខា",
        "family_name_km": "ចាន់",
        "sex": "female",
        "date_of_birth": datetime.date(2008, 5, 17),
        "citizenships": ["KHM"],
    }
    defaults.update(fields)
    membership = actor.memberships.select_related("agency").first()
    registered_by = membership.agency if membership else None
    return services.person_create(actor=actor, registered_by=registered_by, **defaults)
