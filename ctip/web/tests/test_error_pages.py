"""Error pages wear the layout, say what went wrong in the user's language, and link home."""

from typing import Any

import pytest
from django.test import RequestFactory
from django.urls import reverse


def _in_layout(html: str) -> bool:
    return 'class="site-header"' in html and 'class="site-footer"' in html and "ctip.css" in html


@pytest.mark.django_db
def test_bad_report_period_is_a_styled_400_naming_the_period(client: Any, make_member: Any):
    client.force_login(make_member("analyst", "NCCT"))
    response = client.get("/stats/reports/half-year/2026H3/")
    html = response.content.decode()
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert _in_layout(html)
    assert "Unknown period &#x27;2026H3&#x27;" in html and "2024H1, 2024H2 or 2024" in html


@pytest.mark.django_db
def test_unknown_download_format_is_a_styled_400(client: Any, make_member: Any):
    client.force_login(make_member("analyst", "NCCT"))
    response = client.get("/stats/reports/half-year/2024H1/", {"format": "docx"})
    assert response.status_code == 400 and _in_layout(response.content.decode())
    assert "Unknown format" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_says_what_is_wrong_with_the_period(client: Any, make_member: Any):
    client.force_login(make_member("analyst", "NCCT"))
    response = client.get(reverse("stats:dashboard"), {"period": "abc"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Unknown period" in html and "This field is required" not in html


@pytest.mark.django_db
def test_not_found_and_not_allowed_pages_in_khmer(client: Any, make_member: Any):
    client.force_login(make_member("analyst", "NCCT"))
    client.cookies.load({"django_language": "km"})
    missing = client.get("/cases/999999/")
    assert missing.status_code == 404 and _in_layout(missing.content.decode())
    assert "រកមិនឃើញ" in missing.content.decode()  # "Not found"
    refused = client.get(reverse("audit:event-list"))
    assert refused.status_code == 403 and _in_layout(refused.content.decode())
    assert "មិនអនុញ្ញាត" in refused.content.decode()  # "Not allowed"
    assert "Back to the home page" not in refused.content.decode()


def test_server_error_page_wears_the_layout():
    from django.utils import translation
    from django.views.defaults import server_error

    with translation.override("en"):
        response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and _in_layout(html)
    assert "Something went wrong" in html


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/no-such-page/", "/report/km/no-such-page/", "/cases/x/"])
def test_a_visitors_404_sets_no_cookie(client: Any, path: str):
    """A visitor who is not signed in (a reporter who mistyped an address, a scanner) gets the
    404 without the language form, and with it no CSRF cookie: nothing is kept of them."""
    response = client.get(path)
    assert response.status_code == 404 and _in_layout(response.content.decode())
    assert not response.cookies, dict(response.cookies)
    assert "lang-switch" not in response.content.decode()


@pytest.mark.django_db
def test_a_signed_in_users_404_keeps_the_language_form(client: Any, make_member: Any):
    client.force_login(make_member("analyst", "NCCT"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "lang-switch" in response.content.decode()
