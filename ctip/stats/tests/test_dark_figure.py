"""The dark figure from the registry: the command's --period form and the analysts' page."""

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ctip.access.actors import COMMAND_LINE
from ctip.audit.models import AuditEvent
from ctip.stats.periods import parse_period
from ctip.stats.selectors import page_bootstrap_limit, registry_capture_table

from .builders import Registry
from .test_mse import as_csv, simulated_table

H1 = datetime.date(2024, 2, 1)


@pytest.fixture
def two_agencies(make_member):
    """Police hold 4 victims, the ministry 5, two of them the same people: Lincoln-Petersen
    gives 4 * 5 / 2 = 10 in all, 7 observed, 3 unknown."""
    police = Registry(make_member("case_officer", "AHTJP"))
    ministry = Registry(make_member("case_officer", "MOSVY"), "MOSVY")
    p_case, m_case = police.case(H1), ministry.case(H1)
    for n in range(2):
        shared = police.person(name=f"Shared{n}")
        police.victim(p_case, shared)
        ministry.victim(m_case, shared)
    for n in range(2):
        police.victim(p_case, police.person(name=f"Police{n}"))
    for n in range(3):
        ministry.victim(m_case, ministry.person(name=f"Ministry{n}"))
    return police, ministry


def mse_audit_events():
    return AuditEvent.objects.filter(object_type="stats.mse")


# --- the command -----------------------------------------------------------------------------


def test_command_estimates_from_the_registry(two_agencies, capsys):
    call_command("stats", "mse", "--period", "2024H1", "--json", "--bootstrap", "0")
    result = json.loads(capsys.readouterr().out)
    table = registry_capture_table(actor=COMMAND_LINE, period=parse_period("2024H1"))
    assert set(result) >= {"estimate", "lower", "upper", "terms", "method", "observed", "lists"}
    assert result["source"] == "registry" and result["period"] == "2024H1"
    assert result["lists"] == table.lists == ["ministry", "police_unit"]
    assert result["list_sizes"] == table.sizes == {"ministry": 5, "police_unit": 4}
    assert result["observed"] == table.observed == 7
    assert result["estimate"] == pytest.approx(10.0)
    assert result["unknown"] == pytest.approx(3.0)
    event = mse_audit_events().get()
    assert event.object_id == "registry:2024H1" and event.action == "export"
    assert event.actor_username == "command-line"


def test_command_text_names_the_lists_and_their_sizes(two_agencies, capsys):
    call_command("stats", "mse", "--period", "2024H1", "--bootstrap", "0")
    out = capsys.readouterr().out
    assert "Estimated total: 10" in out and "ministry 5, police_unit 4" in out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--period", "2024H9"], "period"),
        (["lists.csv", "--period", "2024H1"], "file, period: give FILE or --period, not both"),
        ([], "file, period: give FILE"),
        (["--period", "2023H1"], "period: Fewer than two kinds of agency"),
    ],
)
def test_command_refuses_bad_input_naming_the_field(two_agencies, capsys, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("stats", "mse", *arguments, "--json")
    assert capsys.readouterr().out == ""
    assert not mse_audit_events().exists()


def test_command_refuses_a_registry_with_one_kind_of_agency(make_member, capsys):
    police = Registry(make_member("case_officer", "AHTJP"))
    police.victim(police.case(H1), police.person())
    with pytest.raises(CommandError, match=r"^period: Fewer than two"):
        call_command("stats", "mse", "--period", "2024H1")
    assert capsys.readouterr().out == ""


def test_command_from_a_file_also_gives_the_list_sizes(tmp_path, capsys):
    table = simulated_table(probs=(0.3, 0.2, 0.25))
    path = tmp_path / "lists.csv"
    path.write_text(as_csv(table))
    call_command("stats", "mse", str(path), "--json", "--bootstrap", "0")
    result = json.loads(capsys.readouterr().out)
    assert result["source"] == "file" and result["period"] is None
    assert result["list_sizes"] == table.sizes
    assert sum(result["list_sizes"].values()) >= result["observed"] == table.observed


# --- the page --------------------------------------------------------------------------------


URL = "/stats/dark-figure/"


def test_analyst_estimates_from_the_registry(client, make_member, two_agencies):
    analyst = make_member("analyst", "NCCT")
    client.force_login(analyst)
    assert client.get(URL).status_code == 200
    response = client.post(URL, {"period": "2024H1", "method": "stepwise", "bootstrap": 20})
    body = response.content.decode()
    assert response.status_code == 200
    result = response.context["result"]
    assert result["estimate"] == pytest.approx(10.0) and result["observed"] == 7
    assert response.context["lists"] == [("Ministry or institution", 5), ("Police unit", 4)]
    # Model terms by the lists' names, not their codes.
    assert response.context["terms"] and all("_" not in t for t in response.context["terms"])
    assert set(response.context["terms"]) <= {"Ministry or institution", "Police unit"}
    assert "An estimated 10 victims in all: 7 known to at least one list" in body
    assert "Closed population" in body and "Persons matched across agencies" in body
    event = mse_audit_events().get()
    assert event.actor_id == analyst.pk and event.detail["bootstrap"] == 20


def test_page_estimates_from_an_uploaded_file_without_auditing_the_registry(client, make_member):
    client.force_login(make_member("analyst", "NCCT"))
    table = simulated_table(probs=(0.3, 0.2, 0.25, 0.2))
    upload = SimpleUploadedFile("lists.csv", as_csv(table).encode(), content_type="text/csv")
    response = client.post(URL, {"file": upload, "method": "bic", "bootstrap": 30})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["source"] == "file" and result["observed"] == table.observed
    assert result["lower"] <= result["estimate"] <= result["upper"]
    assert [size for _name, size in response.context["lists"]] == list(table.sizes.values())
    assert not mse_audit_events().exists()


def test_a_bad_file_is_refused_next_to_the_file_field(client, make_member):
    client.force_login(make_member("analyst", "NCCT"))
    upload = SimpleUploadedFile("bad.csv", b"A,B,count\n1,7,3\n", content_type="text/csv")
    response = client.post(URL, {"file": upload, "method": "stepwise", "bootstrap": 0})
    assert response.status_code == 400 and response.context["result"] is None
    errors = response.context["form"].errors
    assert list(errors) == ["file"] and errors["file"][0].startswith("B: Row 2")
    assert 'id="id_file_error"' in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"period": "2024H9"}, "period"),
        ({}, "period"),
        ({"period": "2024H1", "bootstrap": 5000}, "bootstrap"),
        ({"period": "2024H1", "method": "guess"}, "method"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(client, make_member, data, field):
    client.force_login(make_member("analyst", "NCCT"))
    response = client.post(URL, {"method": "stepwise", "bootstrap": 0} | data)
    assert response.status_code == 400 and field in response.context["form"].errors
    assert not mse_audit_events().exists()


def test_period_and_file_together_are_refused(client, make_member):
    client.force_login(make_member("analyst", "NCCT"))
    upload = SimpleUploadedFile("lists.csv", b"A,B,count\n1,0,3\n1,1,2\n0,1,4\n")
    response = client.post(
        URL, {"period": "2024H1", "file": upload, "method": "stepwise", "bootstrap": 0}
    )
    assert response.status_code == 400
    assert "not both" in response.context["form"].errors["file"][0]


def test_a_registry_without_two_kinds_of_agency_is_refused_on_the_period(client, make_member):
    client.force_login(make_member("analyst", "NCCT"))
    response = client.post(URL, {"period": "2024H1", "method": "stepwise", "bootstrap": 0})
    assert response.status_code == 400
    assert "Fewer than two kinds" in response.context["form"].errors["period"][0]


def test_the_page_caps_the_replicates_and_says_so(client, make_member):
    client.force_login(make_member("analyst", "NCCT"))
    table = simulated_table(n=800, probs=(0.3, 0.25, 0.2, 0.3, 0.25, 0.3))
    upload = SimpleUploadedFile("six.csv", as_csv(table).encode())
    response = client.post(URL, {"file": upload, "method": "bic", "bootstrap": 1000})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["bootstrap"] == page_bootstrap_limit(6, "bic") == 50
    assert result["bootstrap_requested"] == 1000
    assert "draws at most 50 bootstrap replicates for 6 lists" in response.content.decode()


def test_case_officers_get_403_and_no_link(client, make_member):
    officer = make_member("case_officer", "AHTJP")
    client.force_login(officer)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"period": "2024H1", "bootstrap": 0}).status_code == 403
    assert "/stats/dark-figure/" not in client.get("/stats/").content.decode()
    assert not mse_audit_events().exists()


def test_the_dashboard_links_to_the_page_for_analysts(client, make_member):
    client.force_login(make_member("analyst", "NCCT"))
    assert "/stats/dark-figure/" in client.get("/stats/").content.decode()


def test_the_page_gives_the_bca_interval_and_says_how_in_khmer(client, make_member):
    from .test_mse_reference import NED_5, NED_LISTS

    client.force_login(make_member("analyst", "NCCT"))
    client.cookies["django_language"] = "km"
    lines = [",".join([*NED_LISTS, "count"])]
    lines += [",".join([*map(str, pattern), str(n)]) for pattern, n in NED_5]
    upload = SimpleUploadedFile("ned.csv", ("\n".join(lines) + "\n").encode())
    response = client.post(URL, {"file": upload, "method": "stepwise", "bootstrap": 100})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["interval_method"] == "bca" and result["bootstrap"] == 100
    assert round(result["estimate"]) == 121522 and result["structural_zeros"] == ["K:R"]
    page = response.content.decode()
    for khmer in (
        "ជាជំហានៗ (SparseMSE វិធីសាស្ត្រយោង)",  # the model selection
        "BCa (វិធីសាស្ត្រយោង)",  # the interval's method
        "ការគូរគំរូឡើងវិញ 100 ដង",  # how many replicates
        "គូបញ្ជីដែលគ្មានមនុស្សរួមគ្នា",  # the note on K and R
        "ចន្លោះនេះបានមកពីការគូរគំរូឡើងវិញ",  # how to read the interval
        "ភាពដូចគ្នា៖",  # the homogeneity assumption
    ):
        assert khmer in page, khmer
    assert "minus infinity" not in page


def test_the_page_offers_bic_averaging_with_the_parametric_interval(client, make_member):
    client.force_login(make_member("analyst", "NCCT"))
    upload = SimpleUploadedFile(
        "four.csv", as_csv(simulated_table(probs=(0.2, 0.25, 0.15, 0.3))).encode()
    )
    data = {"file": upload, "method": "bic-average", "interval": "parametric-percentile"}
    response = client.post(URL, {**data, "bootstrap": 40})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["selection"] == "bic-average"
    assert result["interval_method"] == "parametric-percentile"
    assert result["lower"] < result["estimate"] < result["upper"]
    assert "Parametric percentile" in response.content.decode()
