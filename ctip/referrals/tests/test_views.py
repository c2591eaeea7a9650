"""The referral pages, driven through Django's test client as a user would click through them."""

import datetime
import io
import re
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ctip.access.models import Agency
from ctip.referrals.models import Referral, Task

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_hand_over_police_to_social_affairs(police: Any, social: Any, victim: Any) -> None:
    """Police refer a victim to social affairs, who accept and complete; the timeline shows it."""
    police_client, social_client = signed_in(police), signed_in(social)
    page = police_client.get(reverse("referrals:send", args=[victim.pk]))
    assert page.status_code == 200
    stamps = re.search(r'name="deadline_stamps" value="([^"]*)"', page.content.decode())
    assert stamps is not None
    response = police_client.post(
        reverse("referrals:send", args=[victim.pk]),
        {
            "service": "shelter",
            "to_agency": Agency.objects.get(code="DOSVY-12").pk,
            "note": "Needs a place tonight",
            "deadline_stamps": stamps.group(1).replace("&quot;", '"'),
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])

    inbox = social_client.get(reverse("referrals:list") + "?box=inbox")
    assert victim.case.reference in inbox.content.decode()
    detail = social_client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert "Needs a place tonight" in detail and "Accept" in detail

    # The police cannot accept on social affairs' behalf: the page says why, nothing changes.
    refused = police_client.post(
        reverse("referrals:transition", args=[referral.pk, "accept"]), follow=True
    )
    assert "Only staff of DOSVY-12" in refused.content.decode()
    referral.refresh_from_db()
    assert referral.status == "sent"

    for step in ("accept", "start", "complete"):
        response = social_client.post(
            reverse("referrals:transition", args=[referral.pk, step]),
            {"outcome": "Sheltered, then returned to family"},
        )
        assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "completed"

    timeline = police_client.get(reverse("referrals:pathway", args=[victim.pk])).content.decode()
    for text in (
        "Identified in case",
        "Shelter: referred by PAHT-12 to DOSVY-12",
        "Shelter: accepted by DOSVY-12",
        "Shelter: completed by DOSVY-12",
    ):
        assert text in timeline
    sent = timeline.index("referred by PAHT-12")
    assert timeline.index("Identified in case") < sent < timeline.index("completed by DOSVY-12")


@pytest.mark.parametrize("shares_identity", [True, False])
def test_send_form_shows_refusal_for_missing_consent(
    police: Any, unconsented_victim: Any, shares_identity: bool
) -> None:
    client = signed_in(police)
    post = {"service": "shelter", "to_agency": Agency.objects.get(code="DOSVY-12").pk}
    if shares_identity:
        post["shares_identity"] = "on"
    response = client.post(reverse("referrals:send", args=[unconsented_victim.pk]), post)
    assert response.status_code == 200
    assert "has not consented" in response.content.decode()
    assert not Referral.objects.exists()


def test_overdue_work_on_owner_and_supervisor_dashboards_and_digest(
    police: Any, social: Any, victim: Any, make_member: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from ctip.referrals import services

    referral = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    Referral.objects.filter(pk=referral.pk).update(
        accept_due_on=datetime.date.today() - datetime.timedelta(days=2)
    )
    task = services.task_create(
        actor=police,
        case=victim.case,
        title="Collect medical report",
        owner_agency=Agency.objects.get(code="PAHT-12"),
        due_on=datetime.date.today() - datetime.timedelta(days=1),
    )
    supervisor = make_member("supervisor", "MOSVY", username="mosvy-boss")
    supervisor.email, social.email = "boss@example.org", "social@example.org"
    supervisor.save()
    social.save()

    own = signed_in(social).get(reverse("referrals:work")).content.decode()
    assert victim.case.reference in own and "Overdue referrals (1)" in own
    boss = signed_in(supervisor).get(reverse("referrals:work")).content.decode()
    assert "Agencies I supervise" in boss and "Overdue referrals (1)" in boss
    police_page = signed_in(police).get(reverse("referrals:work")).content.decode()
    assert task.title in police_page

    call_command("referrals", "digest", stdout=io.StringIO())
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"boss@example.org", "social@example.org"}  # police: no address
    assert victim.case.reference in by_address["social@example.org"].body
    assert "Sophea" not in by_address["social@example.org"].body  # no names leave by e-mail
    shown = signed_in(social).get(reverse("referrals:digest")).content.decode()
    assert victim.case.reference in shown


def test_task_pages(police: Any, victim: Any) -> None:
    client = signed_in(police)
    response = client.post(
        reverse("referrals:task-create", args=[victim.case_id]),
        {
            "title": "Interview witness",
            "owner_agency": Agency.objects.get(code="PAHT-12").pk,
            "service": "investigation",
        },
    )
    assert response.status_code == 302
    task = Task.objects.get()
    assert "Interview witness" in client.get(reverse("referrals:tasks")).content.decode()
    client.post(reverse("referrals:task-done", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == "done"


def test_coordination_dashboard_is_for_the_secretariat(
    police: Any, social: Any, victim: Any, make_member: Any
) -> None:
    from ctip.referrals import services

    referral = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    services.referral_accept(actor=social, referral=referral)
    services.referral_send(
        actor=police, participant=victim, to_agency="MOH", service="medical_care"
    )
    assert signed_in(police).get(reverse("referrals:coordination")).status_code == 403
    analyst = make_member("analyst", "NCCT")
    page = signed_in(analyst).get(reverse("referrals:coordination"))
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'id="total">2<', html)
    assert re.search(r'id="acceptance">100%<', html)
    assert "DOSVY-12" in html and "Phnom Penh" in html
    assert "Sophea" not in html


def test_tallies_match_a_recount(police: Any, social: Any, victim: Any, make_member: Any) -> None:
    """The running tallies the dashboard reads agree with a recount from the referrals."""
    from ctip.referrals import services
    from ctip.referrals.models import (
        ReferralDurationMonthStat,
        ReferralDurationStat,
        ReferralMonthStat,
    )
    from ctip.referrals.tallies import tallies_rebuild

    first = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    for step in (services.referral_accept, services.referral_start, services.referral_complete):
        step(actor=social, referral=first)
    second = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="psychosocial_support"
    )
    services.referral_decline(actor=social, referral=second, reason="No counsellor free")
    third = services.referral_send(
        actor=police, participant=victim, to_agency="MOH", service="medical_care"
    )
    services.referral_close(actor=police, referral=third, reason="Treated by the police doctor")

    def snapshot() -> tuple[set[tuple[Any, ...]], ...]:
        months = set(
            ReferralMonthStat.objects.filter(referrals__gt=0).values_list(
                "month", "to_agency_id", "service", "province_id", "status", "referrals", "accepted"
            )
        )
        histograms = ReferralDurationStat.objects.values_list(
            "month", "service", "province_id", "measure", "counts"
        )
        durations = {
            (month, service, province, measure, bucket, n)
            for month, service, province, measure, counts in histograms
            for bucket, n in enumerate(counts)
            if n
        }
        month_durations = {
            (month, measure, bucket, n)
            for month, measure, counts in ReferralDurationMonthStat.objects.values_list(
                "month", "measure", "counts"
            )
            for bucket, n in enumerate(counts)
            if n
        }
        return months, durations, month_durations

    running = snapshot()
    tallies_rebuild()
    assert snapshot() == running
    analyst = make_member("analyst", "NCCT")
    from ctip.referrals.selectors import CoordinationFilters, coordination_figures

    figures = coordination_figures(actor=analyst)
    assert figures.total == 3
    assert figures.by_status == {"completed": 1, "declined": 1, "closed": 1}
    assert figures.acceptance_rate == 0.5
    assert figures.median_hours_to_accept == 0.5  # accepted within the hour
    # Unfiltered, the medians come from the month totals; narrowed, from the detailed rows.
    narrowed = coordination_figures(
        actor=analyst, filters=CoordinationFilters(province=victim.case.province_id)
    )
    assert narrowed.median_hours_to_accept == figures.median_hours_to_accept
    assert narrowed.median_hours_to_complete == figures.median_hours_to_complete is not None


def test_duration_histogram_is_one_row_per_month_service_province_and_measure(
    police: Any, social: Any, victim: Any, make_member: Any
) -> None:
    from ctip.referrals import services
    from ctip.referrals.models import ReferralDurationMonthStat, ReferralDurationStat
    from ctip.referrals.tallies import add_to_histogram, sum_histograms

    assert add_to_histogram([], 3) == [0, 0, 0, 1]
    assert add_to_histogram([2, 1], 0, 5) == [7, 1]
    assert sum_histograms([[1, 2], [0, 0, 3], []]) == [1, 2, 3]
    ministry = make_member("case_officer", "MOSVY")
    for agency, staff in (("DOSVY-12", social), ("MOSVY", ministry)):
        referral = services.referral_send(
            actor=police, participant=victim, to_agency=agency, service="shelter"
        )
        services.referral_accept(actor=staff, referral=referral)
    histogram = ReferralDurationStat.objects.get()  # both shelter acceptances, one row
    assert histogram.measure == "accept" and histogram.counts == [2]
    assert histogram.referrals == 2
    month = ReferralDurationMonthStat.objects.get()
    assert (month.month, month.measure, month.counts) == (histogram.month, "accept", [2])


def test_work_list_orders_by_the_deadline_owed_and_limits_each_list(
    police: Any, social: Any, victim: Any, django_assert_num_queries: Any
) -> None:
    """Overdue work comes most overdue first, by the date owed (accept by while sent, complete
    by while served); a full overdue list does not crowd out what is due soon."""
    from django.utils import timezone

    from ctip.referrals import services
    from ctip.referrals.selectors import work_dashboard

    today = timezone.localdate()

    def days(n: int) -> datetime.date:
        return today + datetime.timedelta(days=n)

    late_to_accept, late_to_serve, due_soon = (
        services.referral_send(actor=police, participant=victim, to_agency="DOSVY-12", service=s)
        for s in ("shelter", "psychosocial_support", "family_tracing")
    )
    services.referral_accept(actor=social, referral=late_to_serve)
    Referral.objects.filter(pk=late_to_accept.pk).update(accept_due_on=days(-15), due_on=days(20))
    Referral.objects.filter(pk=late_to_serve.pk).update(accept_due_on=days(-30), due_on=days(-10))
    Referral.objects.filter(pk=due_soon.pk).update(accept_due_on=days(2), due_on=days(40))

    work = work_dashboard(actor=social, today=today).own
    assert [r.pk for r in work.overdue_referrals] == [late_to_accept.pk, late_to_serve.pk]
    assert [r.pk for r in work.due_soon_referrals] == [due_soon.pk]
    # The lists load only some columns; showing them must not fetch the rest row by row.
    from django.template.loader import render_to_string

    with django_assert_num_queries(0):
        html = render_to_string("referrals/_worklist.html", {"work": work})
        text = render_to_string("referrals/_digest_section.txt", {"work": work})
    assert victim.case.reference in html and "DOSVY-12" in text
    squeezed = work_dashboard(actor=social, today=today, limit=1).own
    assert [r.pk for r in squeezed.overdue_referrals] == [late_to_accept.pk]
    assert [r.pk for r in squeezed.due_soon_referrals] == [due_soon.pk]


def test_referral_deadline_is_the_one_it_waits_on_in_list_and_digest(
    police: Any, social: Any, victim: Any
) -> None:
    from ctip.referrals import services

    referral = services.referral_send(
        actor=police, participant=victim, to_agency="DOSVY-12", service="shelter"
    )
    accept_by = datetime.date.today() - datetime.timedelta(days=2)
    complete_by = datetime.date.today() + datetime.timedelta(days=40)
    Referral.objects.filter(pk=referral.pk).update(accept_due_on=accept_by, due_on=complete_by)
    referral.refresh_from_db()
    assert (referral.deadline, referral.deadline_label) == (accept_by, "accept by")
    listed = signed_in(social).get(reverse("referrals:list")).content.decode()
    assert accept_by.isoformat() in listed and complete_by.isoformat() not in listed
    digest = signed_in(social).get(reverse("referrals:digest")).content.decode()
    assert f"accept by {accept_by.isoformat()}" in digest

    services.referral_accept(actor=social, referral=referral)
    referral.refresh_from_db()
    assert (referral.deadline, referral.deadline_label) == (complete_by, "complete by")
    listed = signed_in(social).get(reverse("referrals:list")).content.decode()
    assert complete_by.isoformat() in listed
