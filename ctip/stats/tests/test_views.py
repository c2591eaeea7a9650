"""Staff pages: dashboard with filters and charts, report pages and downloads."""

import datetime

import pytest

from .builders import Registry


@pytest.fixture
def analyst(make_member):
    officer = make_member("case_officer", "AHTJP")
    reg = Registry(officer)
    case = reg.case(datetime.date(2024, 2, 1))
    victim = reg.person("female", 2009)
    reg.victim(case, victim)
    reg.rescue(case, datetime.date(2024, 2, 3), victim)
    return make_member("analyst", "NCCT")


def test_dashboard_shows_chart_trend_and_table(client, analyst):
    client.force_login(analyst)
    response = client.get(
        "/stats/", {"indicator": "victims_rescued", "period": "2024H1", "breakdown": "age_group"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count("<svg") == 2 and "Minors (under 18)" in body
    assert "<script" not in body
    assert response.context["total"] == 1
    # The trend: eight half-years up to the chosen one, the one rescue in 2024H1.
    trend = response.context["trend_points"]
    assert [label for label, _n in trend] == [
        "2020H2", "2021H1", "2021H2", "2022H1", "2022H2", "2023H1", "2023H2", "2024H1"
    ]  # fmt: skip
    assert [n for _label, n in trend] == [0, 0, 0, 0, 0, 0, 0, 1]


def test_dashboard_for_a_year_trends_its_two_halves_and_before(client, analyst):
    client.force_login(analyst)
    response = client.get("/stats/", {"indicator": "victims_rescued", "period": "2024"})
    assert response.status_code == 200 and response.context["total"] == 1
    trend = dict(response.context["trend_points"])
    assert trend["2024H1"] == 1 and trend["2024H2"] == 0 and len(trend) == 8


def test_dashboard_rejects_bad_filters(client, analyst):
    client.force_login(analyst)
    response = client.get("/stats/", {"indicator": "cases", "period": "2024H9"})
    assert response.status_code == 400 and "period" in response.content.decode().lower()
    response = client.get("/stats/", {"indicator": "cases", "period": "2024", "breakdown": "sex"})
    assert response.status_code == 400


def test_report_page_and_downloads(client, analyst):
    client.force_login(analyst)
    page = client.get("/stats/reports/half-year/2024H1/")
    assert page.status_code == 200
    assert "1 victim rescued, of whom 1 woman and 1 minor" in page.content.decode()
    csv = client.get("/stats/reports/half-year/2024H1/", {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv") and b"victims_rescued" in csv.content
    xlsx = client.get("/stats/reports/glotip/2024/", {"format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert client.get("/stats/reports/half-year/2024H7/").status_code == 400
    assert client.get("/stats/reports/nonsense/2024H1/").status_code == 404


def test_staff_pages_need_a_statistics_role(client, make_member):
    assert client.get("/stats/").status_code == 302  # to sign-in
    client.force_login(make_member("auditor", "NCCT"))
    # Secretariat members aggregate over all cases (decision 0300), auditors elsewhere do not.
    assert client.get("/stats/").status_code == 200
    outsider = make_member("auditor", "MOH")
    client.force_login(outsider)
    assert client.get("/stats/reports/half-year/2024H1/").status_code == 403


def test_opening_a_report_page_is_a_view_a_download_an_export(client, analyst):
    from ctip.audit.models import AuditEvent

    client.force_login(analyst)
    client.get("/stats/reports/half-year/2024H1/")
    page = AuditEvent.objects.filter(object_type="stats.report").last()
    assert page.action == "view" and page.object_id == "half-year:2024H1"
    client.get("/stats/reports/half-year/2024H1/", {"format": "pdf"})
    download = AuditEvent.objects.filter(object_type="stats.report").last()
    assert download.action == "export" and download.sequence > page.sequence
