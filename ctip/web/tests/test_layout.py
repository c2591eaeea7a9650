"""The layout, sign-in page, language switch and the Khmer font that ships with the project."""

from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_in_page_has_labelled_fields(client: Any):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html and '<label for="id_password">' in html
    assert "Skip to content" in html


def test_sign_in_then_land_on_the_cases(client: Any, make_member: Any):
    make_member("case_officer", "PAHT-12", username="dara")
    response = client.post(
        reverse("login"), {"username": "dara", "password": "a-long-test-password"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")


def test_wrong_password_is_refused(client: Any, make_member: Any):
    make_member("case_officer", "PAHT-12", username="dara")
    response = client.post(reverse("login"), {"username": "dara", "password": "wrong"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()


def test_language_switch_gives_khmer_pages(client: Any, make_member: Any):
    client.force_login(make_member("case_officer", "PAHT-12"))
    response = client.post(
        "/i18n/setlang/", {"language": "km", "next": reverse("registry:case-list")}
    )
    assert response.status_code == 302
    html = client.get(reverse("registry:case-list")).content.decode()
    assert '<html lang="km">' in html
    assert "ករណី" in html  # "Cases"
    assert "ចុះឈ្មោះករណី" in html  # "Register a case"
    for english in ("Apply filters", "Find a person", "Sign out", "Owning agency"):
        assert english not in html


def test_every_page_offers_the_language_switch(client: Any):
    html = client.get(reverse("login")).content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'lang="km">ខ្មែរ</option>' in html


def test_khmer_font_ships_with_the_project():
    css = Path(finders.find("web/ctip.css")).read_text(encoding="utf-8")
    assert "@font-face" in css and "Noto Sans Khmer" in css
    assert "http" not in css  # no CDN
    for weight in (400, 700):
        font = finders.find(f"web/fonts/noto-sans-khmer-khmer-{weight}-normal.woff2")
        assert font and Path(font).read_bytes()[:4] == b"wOF2"
    assert finders.find("web/fonts/OFL.txt")


def test_pages_load_nothing_from_elsewhere(client: Any, make_member: Any):
    client.force_login(make_member("case_officer", "PAHT-12"))
    html = client.get(reverse("registry:case-list")).content.decode()
    assert "https://" not in html and "//cdn" not in html


def test_unknown_page_uses_the_layout(client: Any, make_member: Any):
    client.force_login(make_member("case_officer", "PAHT-12"))
    response = client.get("/cases/999999/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_pages_extend_the_layout_blocks(rf: Any, make_member: Any):
    """Other apps' templates fill title, content, extra_head and nav_extra."""
    from django.template import engines

    template = engines["django"].from_string(
        '{% extends "web/base.html" %}{% block title %}Referrals{% endblock %}'
        '{% block extra_head %}<meta name="x-app" content="referrals">{% endblock %}'
        '{% block nav_extra %}<li><a href="/referrals/">Referrals</a></li>{% endblock %}'
        "{% block content %}<p>Inbox</p>{% endblock %}"
    )
    request = rf.get("/referrals/")
    request.user = make_member("case_officer", "PAHT-12")
    html = template.render({}, request)
    assert "<title>Referrals · ctip</title>" in html
    assert '<meta name="x-app" content="referrals">' in html
    assert '<li><a href="/referrals/">Referrals</a></li></ul>' in html
    assert "<p>Inbox</p>" in html


@pytest.mark.parametrize("role", ["auditor", "case_officer", "supervisor", "analyst"])
def test_only_auditors_see_the_audit_trail_in_the_menu(client: Any, make_member: Any, role: str):
    client.force_login(make_member(role, "PAHT-12"))
    html = client.get(reverse("registry:case-list")).content.decode()
    link = f'href="{reverse("audit:event-list")}"'
    assert (link in html) == (role == "auditor")
    if role == "auditor":
        assert client.get(reverse("audit:event-list")).status_code == 200
