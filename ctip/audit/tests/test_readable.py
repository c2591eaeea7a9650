"""The trail in words: linked records by name, details as labelled values, local times."""

import datetime
from typing import Any

import pytest
from django.urls import reverse

from ctip.access.testing import verified_login
from ctip.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_trail_names_records_instead_of_ids_and_dicts(client: Any, make_member: Any, settings: Any):
    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.registry import services

    settings.CTIP_REQUIRE_OTP = True
    officer = make_member("case_officer", "PAHT-12", username="officer1")
    case = services.case_create(
        actor=officer,
        kind="trafficking",
        source="hotline",
        owning_agency=Agency.objects.get(code="PAHT-12"),
        province=Province.objects.get(code="KH-12"),
        opened_on=datetime.date(2025, 3, 1),
    )
    services.case_update(
        actor=officer, case=case, province=Province.objects.get(code="KH-18"), status="follow_up"
    )
    audit_record(
        actor=officer, action="search", object_type="audit.auditevent", detail={"filters": {}}
    )
    auditor = make_member("auditor", "NCCT", username="auditor1")
    audit_record(actor=officer, action="update", obj=auditor, changes={"is_active": [True, False]})
    verified_login(client, auditor)

    html = client.get(reverse("audit:event-list")).content.decode()
    assert f"case {case.reference}" in html
    assert "Phnom Penh → Preah Sihanouk" in html  # the province by name, not 12 → 18
    assert "Follow-up" in html or "follow-up" in html.lower()  # a choice by its label
    assert "user auditor1" in html  # a user by name, not access.user:2
    assert "{'filters'" not in html and "<b>filters</b>: ∅" in html
    assert ">registry.case" not in html and "registry.case:" not in html
    assert "Case officer" in html  # the role by its label


def test_trail_times_are_in_the_installation_time_zone(
    client: Any, make_member: Any, settings: Any
):
    import zoneinfo

    settings.CTIP_REQUIRE_OTP = True
    settings.TIME_ZONE = "Asia/Phnom_Penh"  # seven hours ahead: local and UTC times differ
    auditor = make_member("auditor", "NCCT", username="auditor1")
    event = audit_record(actor=auditor, action="view", object_type="registry.case", object_id=1)
    verified_login(client, auditor)
    html = client.get(reverse("audit:event-list"), {"object_id": "1"}).content.decode()
    local = event.occurred_at.astimezone(zoneinfo.ZoneInfo("Asia/Phnom_Penh"))
    utc = event.occurred_at.astimezone(datetime.UTC)
    assert "When (Asia/Phnom_Penh)" in html
    assert local.strftime("%Y-%m-%d %H:%M") in html
    assert utc.strftime("%Y-%m-%d %H:%M") not in html
