"""The public report pages through Django's test client: every language, the step-by-step
place choice without JavaScript, the receipt and follow-up, uniform refusals, no cookies, and
the page weight a cheap phone downloads."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from ctip.intake.models import Report, ReportMessage
from ctip.reference import gazetteer

pytestmark = pytest.mark.django_db
LANGS = [code for code, _name in settings.INTAKE_PUBLIC_LANGUAGES]
BUDGET = 100 * 1024


def page_weight(html: str) -> int:
    """The page and every file it loads from ctip (style sheets, scripts, images), and the
    fonts its style sheets name (a device without a Khmer font fetches the shipped one: every
    page names its languages, Khmer among them)."""
    total = len(html.encode())
    for url in re.findall(r'(?:href|src)="(/static/[^"]+)"', html):
        if url.endswith(".css") or url.endswith(".js") or "/img/" in url:
            path = finders.find(url.removeprefix(settings.STATIC_URL))
            assert path, url
            total += Path(path).stat().st_size
            if url.endswith(".css"):
                for font in re.findall(r'url\("([^"]+\.woff2)"\)', Path(path).read_text()):
                    total += (Path(path).parent / font).stat().st_size
    return total


@pytest.mark.parametrize("lang", LANGS)
def test_the_form_in_each_language_is_light_and_sets_no_cookie(client, lang):
    response = client.get(f"/report/{lang}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert response.cookies == {}  # no session, no CSRF cookie, no language cookie
    assert response["Cache-Control"] == "no-store"
    weight = page_weight(html)
    assert weight <= BUDGET, weight
    # Every other language is one link away, on the same page.
    for other in LANGS:
        if other != lang:
            assert f'href="/report/{other}/"' in html


def test_the_form_speaks_each_language():
    from django.test import Client

    english = Client().get("/report/en/").content.decode()
    assert "What is happening?" in english
    for lang in ("km", "zh-hans", "vi", "th", "id"):
        html = Client().get(f"/report/{lang}/").content.decode()
        assert "What is happening?" not in html, lang
        assert "Send the report" not in html, lang
        assert "Province or capital" not in html, lang


def test_unknown_language_is_not_found(client):
    for path in ("/report/xx/", "/report/xx/follow-up/", "/report/xx/about/"):
        response = client.get(path)
        # The public pages' own 404, without the site's layout and its CSRF cookie.
        assert response.status_code == 404 and response.cookies == {}, path
        assert 'href="/report/km/"' in response.content.decode()
    assert client.post("/report/xx/", {"what": "x"}).cookies == {}
    assert client.get("/report/").status_code == 302


def report_through_the_form(client) -> str:
    """Choose a village step by step (as without JavaScript), send, and return the receipt."""
    district = gazetteer.children("18")[0]
    response = client.post(
        "/report/en/", {"what": "Typed before choosing", "province": "18", "step": "place"}
    )
    html = response.content.decode()
    assert "Typed before choosing" in html  # nothing lost
    assert f'value="{district.code}"' in html  # the province's districts are offered
    assert Report.objects.count() == 0
    commune = gazetteer.children(district.code)[0]
    village = gazetteer.children(commune.code)[0]
    response = client.post(
        "/report/en/",
        {
            "what": "Forty people locked in a building",
            "province": "18",
            "district": district.code,
            "commune": commune.code,
            "village": village.code,
            "child_involved": "unknown",
            "danger_now": "yes",
            "send": "1",
        },
    )
    assert response.status_code == 200
    found = re.search(r'id="receipt-code">([\d ]+)<', response.content.decode())
    assert found, "no receipt code on the page"
    code = found.group(1)
    report = Report.objects.get()
    assert report.place_code == village.code and report.language == "en"
    assert response.cookies == {}
    return code


def test_place_steps_without_javascript_keep_what_was_typed(client):
    assert len(report_through_the_form(client).replace(" ", "")) == 16


def test_an_empty_report_names_the_field_and_keeps_the_rest(client):
    response = client.post(
        "/report/km/", {"what": "", "when": "ម្សិលមិញ", "child_involved": "yes", "danger_now": "no"}
    )
    html = response.content.decode()
    assert "ម្សិលមិញ" in html
    assert 'id="id_what_error"' in html
    assert Report.objects.count() == 0


def test_follow_up_reads_answers_and_writes_again(client):
    code = report_through_the_form(client)
    response = client.post("/report/en/follow-up/", {"code": code})
    html = response.content.decode()
    assert "Forty people locked in a building" in html
    response = client.post("/report/en/follow-up/", {"code": code, "body": "Third floor."})
    assert "Your message was sent." in response.content.decode()
    assert ReportMessage.objects.get().body == "Third floor."


def test_wrong_and_malformed_codes_get_the_same_answer(client):
    report_through_the_form(client)
    wrong = client.post("/report/en/follow-up/", {"code": "1234 5678 9012 3456"})
    malformed = client.post("/report/en/follow-up/", {"code": "12ab"})
    strip = lambda r: re.sub(r'value="[^"]*"', "", r.content.decode())  # noqa: E731
    assert wrong.status_code == malformed.status_code == 200
    assert strip(wrong) == strip(malformed)
    assert "No report opens with this code" in strip(wrong)


def test_about_page_says_what_is_and_is_not_stored(client):
    html = client.get("/report/en/about/").content.decode()
    assert "What is not stored" in html and "IP address" in html
