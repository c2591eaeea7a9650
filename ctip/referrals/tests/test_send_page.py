"""The send page: names the person, preselects a one-agency sender, lists agencies by name
with the services each offers, and shows refusals as the layout's error summary."""

import re
from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_send_page_names_the_person_and_preselects_the_sender(
    client: Any, police: Any, victim: Any
):
    client.force_login(police)
    html = client.get(reverse("referrals:send", args=[victim.pk])).content.decode()
    assert "Refer Sophea Chan (Victim)" in html or "Refer Chan Sophea (Victim)" in html
    sender = police.memberships.get().agency
    assert re.search(rf'<option value="{sender.pk}" selected>', html)
    assert 'class="card"' in html and "form.as_p" not in html
    # Agencies by name, each saying what it offers; the court offers prosecution, not shelter.
    court = re.search(r'<option value="\d+" data-services="([^"]*)">([^<]*)\(COURT-12\)', html)
    assert court and "prosecution" in court.group(1) and "shelter" not in court.group(1)
    social = re.search(r'data-services="([^"]*)">([^<]*)\(DOSVY-12\)', html)
    assert social and "shelter" in social.group(1)


def test_a_refusal_is_shown_in_the_error_summary(client: Any, police: Any, victim: Any):
    from ctip.access.models import Agency

    client.force_login(police)
    court = Agency.objects.get(code="COURT-12")
    response = client.post(
        reverse("referrals:send", args=[victim.pk]),
        {"service": "shelter", "to_agency": court.pk, "deadline_stamps": "{}"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'class="error-summary"' in html
    assert "does not offer" in html
