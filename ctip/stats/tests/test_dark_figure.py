"""The dark figure from the registry: the command's --period form."""

import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from ctip.audit.models import AuditEvent
from ctip.stats.periods import parse_period
from ctip.stats.selectors import COMMAND_LINE, registry_capture_table

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
