"""Identifiers recorded in cases, and which other cases share them, as each viewer may see."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ctip.audit.models import AuditEvent
from ctip.investigations import selectors, services
from ctip.investigations.models import ConnectionAlert, Identifier, IdentifierUse

pytestmark = pytest.mark.django_db


def record_phone(actor: Any, case: Any, value: str, **extra: Any) -> Any:
    return services.identifier_record(actor=actor, case=case, kind="phone", value=value, **extra)


def test_two_typings_of_one_number_are_one_identifier(investigator: Any, cases: Any) -> None:
    a = record_phone(investigator, cases["own_1"], "012 345 678")
    b = record_phone(investigator, cases["own_2"], "+855 12 345 678")
    assert a.identifier_id == b.identifier_id
    assert Identifier.objects.count() == 1


def test_value_is_encrypted_and_found_by_blind_index(investigator: Any, cases: Any) -> None:
    from django.db import connection

    use = record_phone(investigator, cases["own_1"], "012 345 678")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT value, as_typed FROM investigations_identifier WHERE id = %s",
            [use.identifier_id],
        )
        stored = cursor.fetchone()
    assert "345" not in stored[0] and "345" not in stored[1]
    found = selectors.identifier_find(actor=investigator, kind="phone", value="+85512345678")
    assert found is not None and found.pk == use.identifier_id


def test_unparseable_number_is_kept_and_flagged(investigator: Any, cases: Any) -> None:
    use = record_phone(investigator, cases["own_1"], "call 7 7 seven")
    identifier = Identifier.objects.get(pk=use.identifier_id)
    assert not identifier.is_valid
    assert identifier.problem == "not_phone"
    assert identifier.as_typed == "call 7 7 seven"


def test_recording_twice_changes_nothing(investigator: Any, cases: Any) -> None:
    first = record_phone(investigator, cases["own_1"], "012 345 678")
    again = record_phone(investigator, cases["own_1"], "012345678")
    assert first.pk == again.pk
    assert IdentifierUse.objects.count() == 1


def test_bad_input_names_the_field_and_changes_nothing(investigator: Any, cases: Any) -> None:
    with pytest.raises(ValidationError) as error:
        services.identifier_record(actor=investigator, case=cases["own_1"], kind="fax", value="1")
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_phone(investigator, cases["own_1"], "x" * 600)
    assert "value" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record_phone(investigator, cases["own_1"], "012\x00345")
    assert "value" in error.value.message_dict
    assert Identifier.objects.count() == 0


def test_person_must_take_part_in_the_case(investigator: Any, cases: Any, suspect: Any) -> None:
    with pytest.raises(ValidationError) as error:
        record_phone(investigator, cases["own_2"], "012 345 678", person=suspect)
    assert "person" in error.value.message_dict
    use = record_phone(investigator, cases["own_1"], "012 345 678", person=suspect)
    assert use.person_id == suspect.pk


def test_investigator_may_not_record_in_another_agencys_case(investigator: Any, cases: Any) -> None:
    with pytest.raises(PermissionDenied):
        record_phone(investigator, cases["sr"], "012 345 678")
    assert AuditEvent.objects.filter(action="denied", object_id=str(cases["sr"].pk)).exists()
    assert IdentifierUse.objects.count() == 0


def test_sharing_lists_visible_cases_and_counts_the_others(
    investigator: Any, officer_pp: Any, officer_sr: Any, cases: Any
) -> None:
    record_phone(investigator, cases["own_1"], "012 345 678")
    record_phone(investigator, cases["own_2"], "+855 12 345 678")
    record_phone(officer_pp, cases["pp"], "85512345678")
    record_phone(officer_sr, cases["sr"], "012-345-678")
    found = selectors.case_connections(actor=investigator, case=cases["own_1"])
    assert [shared.case.pk for shared in found.visible] == [cases["own_2"].pk]
    assert found.hidden == 2
    counts = selectors.identifier_counts(actor=investigator, case=cases["own_1"])
    (count,) = counts.values()
    assert (count.visible, count.hidden, count.provinces) == (1, 2, 1)
    # The Siem Reap officer sees none of the national police's cases: all counted.
    theirs = selectors.case_connections(actor=officer_sr, case=cases["sr"])
    assert theirs.visible == [] and theirs.hidden == 3
    ids, hidden = selectors.shared_case_ids(actor=officer_sr, case_id=cases["sr"].pk)
    assert ids == [] and hidden == 3


def test_identifier_page_counts_hidden_cases(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    use = record_phone(investigator, cases["own_1"], "012 345 678")
    record_phone(officer_sr, cases["sr"], "012 345 678")
    identifier = selectors.identifier_get(actor=investigator, pk=use.identifier_id)
    found = selectors.identifier_cases(actor=investigator, identifier=identifier)
    assert [u.case_id for u in found.uses] == [cases["own_1"].pk]
    assert found.hidden == 1


def test_identifier_of_cases_not_seen_is_404_and_audited(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    use = record_phone(officer_sr, cases["sr"], "012 999 888")
    with pytest.raises(Http404):
        selectors.identifier_get(actor=investigator, pk=use.identifier_id)
    with pytest.raises(Http404):
        selectors.identifier_get(actor=investigator, pk=use.identifier_id + 1000)
    assert AuditEvent.objects.filter(
        action="denied", object_type="investigations.identifier"
    ).exists()
    assert selectors.identifier_find(actor=investigator, kind="phone", value="012999888") is None


def test_new_case_sharing_with_open_case_alerts_its_agencys_investigators(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    record_phone(investigator, cases["own_1"], "012 345 678")
    assert ConnectionAlert.objects.count() == 0
    record_phone(officer_sr, cases["sr"], "+855 12 345 678")
    alert = ConnectionAlert.objects.get()
    assert alert.recipient == investigator
    assert (alert.open_case, alert.new_case) == (cases["own_1"], cases["sr"])
    # Recording the number for a second person in the same case alerts no one again.
    record_phone(officer_sr, cases["sr"], "012 345 678", note="again")
    assert ConnectionAlert.objects.count() == 1
    # The investigator may not open the Siem Reap case: the alert names its agency only.
    alerts = list(selectors.alert_list(actor=investigator))
    assert selectors.alert_new_case_visible(actor=investigator, alerts=alerts) == set()
    services.alert_mark_read(actor=investigator, alert=alert)
    assert selectors.alert_list(actor=investigator, unread_only=True).count() == 0
    with pytest.raises(PermissionDenied):
        services.alert_mark_read(actor=officer_sr, alert=alert)


def test_alert_reaches_the_bell_without_the_value_and_only_once(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    from ctip.access.models import Notification

    record_phone(investigator, cases["own_1"], "012 345 678")
    record_phone(officer_sr, cases["sr"], "+855 12 345 678")
    note = Notification.objects.get()
    assert (note.recipient, note.kind) == (investigator, "alert")
    assert cases["own_1"].reference in note.message and "PAHT-17" in note.message
    assert note.url == f"/investigations/cases/{cases['own_1'].pk}/"
    # The notification's text is stored as written: never the number, in any typing.
    stored = f"{note.text} {note.params}"
    assert "345" not in stored and "855" not in stored
    # Removed and recorded again in the same case: the alert exists, no second notice.
    use = IdentifierUse.objects.get(case=cases["sr"])
    services.identifier_use_remove(actor=officer_sr, use=use)
    record_phone(officer_sr, cases["sr"], "012 345 678")
    assert Notification.objects.count() == 1
    # The officer who recorded it, and other agencies' staff, are not told.
    assert not Notification.objects.exclude(recipient=investigator).exists()


def test_opening_the_alerts_notification_marks_the_alert_read(
    investigator: Any, officer_sr: Any, cases: Any, client: Any
) -> None:
    from django.urls import reverse

    from ctip.access.models import Notification
    from ctip.access.testing import verified_login

    record_phone(investigator, cases["own_1"], "012 345 678")
    record_phone(officer_sr, cases["sr"], "+855 12 345 678")
    note = Notification.objects.get()
    assert selectors.alert_list(actor=investigator, unread_only=True).count() == 1
    verified_login(client, investigator)
    opened = client.get(reverse("access:notification-open", args=[note.pk]))
    assert opened.status_code == 302 and opened.url == note.url
    assert selectors.alert_list(actor=investigator, unread_only=True).count() == 0
    # An alert raised after the notice (another case, another notice) stays new.
    record_phone(investigator, cases["own_2"], "012 777 666")
    record_phone(officer_sr, cases["sr"], "012 777 666")
    assert selectors.alert_list(actor=investigator, unread_only=True).count() == 1
    client.get(reverse("access:notification-open", args=[note.pk]))
    assert selectors.alert_list(actor=investigator, unread_only=True).count() == 1


def test_a_referral_opens_none_of_a_cases_investigation_records(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    """Decision 0700: a case merely referred to the investigator's agency is not theirs to
    investigate; only a share opens it (the rule the pages for hits and ads already keep)."""
    from ctip.access.models import Agency
    from ctip.registry.models import CaseShare

    record_phone(investigator, cases["own_1"], "012 345 678")
    record_phone(officer_sr, cases["sr"], "012 345 678")
    ahtjp = Agency.objects.get(code="AHTJP")
    CaseShare.objects.create(case=cases["sr"], agency=ahtjp, reason="referral")
    assert not selectors.visible_cases(actor=investigator).filter(pk=cases["sr"].pk).exists()
    with pytest.raises(Http404):
        selectors.case_get(actor=investigator, pk=cases["sr"].pk)
    counts = selectors.identifier_counts(actor=investigator, case=cases["own_1"])
    assert [(c.visible, c.hidden) for c in counts.values()] == [(0, 1)]
    CaseShare.objects.filter(case=cases["sr"]).update(reason="shared")
    assert selectors.case_get(actor=investigator, pk=cases["sr"].pk) == cases["sr"]
    counts = selectors.identifier_counts(actor=investigator, case=cases["own_1"])
    assert [(c.visible, c.hidden) for c in counts.values()] == [(1, 0)]


def test_closed_case_raises_no_alert(investigator: Any, officer_sr: Any, cases: Any) -> None:
    record_phone(investigator, cases["own_1"], "012 345 678")
    cases["own_1"].status = "closed"
    cases["own_1"].closed_on = cases["own_1"].opened_on
    cases["own_1"].save()
    record_phone(officer_sr, cases["sr"], "012 345 678")
    assert ConnectionAlert.objects.count() == 0


def test_organisations_and_compounds_connect_cases(
    investigator: Any, officer_pp: Any, cases: Any
) -> None:
    company = services.organisation_create(
        actor=investigator, name="Golden Sky Recruitment Co., Ltd.", registration_number="00012345"
    )
    same = services.organisation_create(
        actor=officer_pp, name="Golden Sky Recruitment", registration_number="0001-2345"
    )
    assert same.pk == company.pk
    services.organisation_involve(
        actor=investigator, case=cases["own_1"], organisation=company, role="recruiter"
    )
    services.organisation_involve(
        actor=investigator, case=cases["own_2"], organisation=company, role="recruiter"
    )
    services.organisation_involve(
        actor=officer_pp, case=cases["pp"], organisation=company, role="employer"
    )
    compound = services.compound_create(actor=investigator, name="Blue Bay Compound")
    services.compound_operator_add(actor=investigator, compound=compound, organisation=company)
    services.compound_involve(actor=investigator, case=cases["own_1"], compound=compound)
    services.compound_involve(actor=officer_pp, case=cases["pp"], compound=compound)
    found = selectors.case_connections(actor=investigator, case=cases["own_1"])
    assert [s.case.pk for s in found.visible] == [cases["own_2"].pk]
    assert found.hidden == 1
    file = selectors.compound_file(actor=investigator, compound=compound)
    assert [i.case_id for i in file.involvements] == [cases["own_1"].pk]
    assert file.hidden == 1
    assert [op.organisation_id for op in file.operators] == [company.pk]


def test_relation_rules(investigator: Any, cases: Any, suspect: Any) -> None:
    company = services.organisation_create(actor=investigator, name="Blue Bay Co")
    relation = services.relation_create(
        actor=investigator,
        case=cases["own_1"],
        kind="directorship",
        subject=suspect,
        object=company,
        role="director",
    )
    assert relation.subject_person_id == suspect.pk
    with pytest.raises(ValidationError) as error:
        services.relation_create(
            actor=investigator, case=cases["own_1"], kind="ownership", subject=company,
            object=suspect,
        )  # fmt: skip
    assert "object" in error.value.message_dict


def test_network_around_a_case(investigator: Any, cases: Any, suspect: Any) -> None:
    record_phone(investigator, cases["own_1"], "012 345 678", person=suspect)
    record_phone(investigator, cases["own_2"], "012 345 678")
    graph = selectors.network(actor=investigator, case=cases["own_1"])
    assert f"case:{cases['own_2'].pk}" in graph.nodes
    assert f"person:{suspect.pk}" in graph.nodes
    identifier_key = next(k for k in graph.nodes if k.startswith("identifier:"))
    assert (f"case:{cases['own_1'].pk}", identifier_key) in graph.edges
    assert graph.nodes[identifier_key].label == "+855 12 345 678"
    overview = selectors.network(actor=investigator)
    assert {k for k in overview.nodes if k.startswith("case:")} == {
        f"case:{cases['own_1'].pk}",
        f"case:{cases['own_2'].pk}",
    }
    period = selectors.NetworkFilters(province=cases["own_2"].province_id)
    narrowed = selectors.network(actor=investigator, filters=period)
    assert not narrowed.nodes  # one case in that province: nothing shared within it


def test_compound_located_by_gazetteer_code(investigator: Any) -> None:
    compound = services.compound_create(
        actor=investigator, name="Golden Fortune", location_code="180102"
    )
    assert compound.province is not None and compound.province.code == "KH-18"
    assert "Lekh Pir" in compound.location_name
    with pytest.raises(ValidationError) as error:
        services.compound_create(actor=investigator, name="Nowhere", location_code="999999")
    assert "location_code" in error.value.message_dict


def test_job_ad_screenshot_goes_to_the_file_store(
    investigator: Any, officer_sr: Any, cases: Any
) -> None:
    import io

    from PIL import Image

    from ctip.registry.files.selectors import stored_file_open

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(buffer, format="PNG")
    ad = services.job_ad_record(
        actor=investigator,
        agency=cases["own_1"].owning_agency,
        case=cases["own_1"],
        text="Customer service, $1500, travel paid. Telegram @goldjob_hr",
        identifiers=[("account", "@goldjob_hr", "telegram")],
        screenshot=buffer.getvalue(),
        screenshot_name="post.png",
    )
    assert ad.screenshot is not None and ad.screenshot.content_type == "image/png"
    assert stored_file_open(actor=investigator, pk=ad.screenshot.pk).data.startswith(b"\x89PNG")
    with pytest.raises(Http404):
        stored_file_open(actor=officer_sr, pk=ad.screenshot.pk)
    with pytest.raises(ValidationError) as error:
        services.job_ad_record(
            actor=investigator, agency=cases["own_1"].owning_agency, case=cases["own_1"],
            text="x", screenshot=b"MZ\x90\x00 not an image",
        )  # fmt: skip
    assert "file" in error.value.message_dict
