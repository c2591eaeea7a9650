"""In-app notifications: sent by services of any app, read by their recipient only, each in
the reader's language."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy

from ctip.access.models import Notification
from ctip.access.selectors import agency_staff, notification_unread_count
from ctip.access.services import notification_send

pytestmark = pytest.mark.django_db


def test_send_count_open_and_read_all(client: Any, make_member: Any) -> None:
    officer = make_member("case_officer", "PAHT-12")
    other = make_member("case_officer", "PAHT-12")
    sent = notification_send(
        recipients=[officer, officer.pk, other],
        kind="assignment",
        text=gettext_lazy("Case %(ref)s was assigned to you."),
        params={"ref": "CT-2024-0000001"},
        url="/cases/",
    )
    assert len(sent) == 2  # the repeat is told once
    assert notification_unread_count(actor=officer) == 1
    client.force_login(officer)
    home = client.get(reverse("home")).content.decode()
    assert reverse("access:notifications") in home and 'class="count">1' in home
    page = client.get(reverse("access:notifications")).content.decode()
    assert "Case CT-2024-0000001 was assigned to you." in page
    mine = Notification.objects.get(recipient=officer)
    opened = client.get(reverse("access:notification-open", args=[mine.pk]))
    assert opened.status_code == 302 and opened["Location"] == "/cases/"
    assert notification_unread_count(actor=officer) == 0
    # Another's notification answers like an unknown one.
    theirs = Notification.objects.get(recipient=other)
    assert client.get(reverse("access:notification-open", args=[theirs.pk])).status_code == 404
    client.post(reverse("access:notifications"))
    assert notification_unread_count(actor=other) == 1


def test_the_reader_sees_it_in_their_language(client: Any, make_member: Any) -> None:
    officer = make_member("case_officer", "PAHT-12")
    notification_send(
        recipients=[officer], kind="other", text=gettext_lazy("Notifications"), url=""
    )
    client.force_login(officer)
    page = client.get(reverse("access:notifications"), HTTP_ACCEPT_LANGUAGE="km")
    assert "ការជូនដំណឹង" in page.content.decode()


def test_bad_input_is_refused_naming_the_field(make_member: Any) -> None:
    officer = make_member("case_officer", "PAHT-12")
    for bad, field in (
        ({"kind": "party"}, "kind"),
        ({"text": ""}, "text"),
        ({"text": "x" * 301}, "text"),
        ({"url": "https://evil.example/"}, "url"),
        ({"url": "//evil.example/"}, "url"),
    ):
        arguments: dict[str, Any] = {"kind": "other", "text": "Hi", "url": "/", **bad}
        with pytest.raises(ValidationError) as refused:
            notification_send(recipients=[officer], **arguments)
        assert field in refused.value.message_dict
    assert not Notification.objects.exists()


def test_inactive_users_are_not_told_and_staff_are_found(make_member: Any) -> None:
    officer = make_member("case_officer", "DOSVY-12")
    analyst = make_member("analyst", "DOSVY-12")
    gone = make_member("case_officer", "DOSVY-12")
    gone.is_active = False
    gone.save()
    from ctip.access.models import Agency

    staff = agency_staff(agency_ids=[Agency.objects.get(code="DOSVY-12").pk])
    assert staff == [officer]
    assert analyst not in staff
    assert notification_send(recipients=[gone], kind="other", text="Hi") == []


def test_referral_steps_notify_the_other_side(make_member: Any, client: Any) -> None:
    import datetime

    from ctip.access.models import Agency
    from ctip.reference.models import Province
    from ctip.referrals.services import referral_accept, referral_send
    from ctip.registry.services import (
        case_create,
        participant_add,
        person_create,
        victim_profile_save,
    )

    police = make_member("case_officer", "PAHT-12")
    social = make_member("case_officer", "DOSVY-12")
    case = case_create(
        actor=police,
        kind="trafficking",
        source="operation",
        owning_agency=Agency.objects.get(code="PAHT-12"),
        province=Province.objects.get(code="KH-12"),
        opened_on=datetime.date.today(),
    )
    person = person_create(actor=police, given_name_latin="Sophea", sex="female")
    victim = participant_add(actor=police, case=case, person=person, role="victim")
    victim_profile_save(
        actor=police,
        participant=victim,
        trafficking_status="ActualVictimOfTrafficking",
        consent_to_share=True,
        consent_recorded_on=datetime.date.today(),
    )
    referral = referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    told = Notification.objects.get(recipient=social)
    assert told.message == f"New referral for Shelter in case {case.reference}."
    assert "Sophea" not in told.message
    referral_accept(actor=social, referral=referral)
    back = Notification.objects.get(recipient=police)
    assert back.message == f"DOSVY-12 accepted the referral in case {case.reference}."
    client.force_login(social)
    page = client.get(reverse("access:notifications"), HTTP_ACCEPT_LANGUAGE="km").content.decode()
    assert case.reference in page and "New referral" not in page
