"""The shipped systemd units start commands that exist, with the options they use."""

import configparser
import shlex
from pathlib import Path
from typing import Any

import pytest
from django.core.management import get_commands, load_command_class

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"


def _exec_start(unit: Path) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(unit)
    return shlex.split(parser["Service"]["ExecStart"])


@pytest.mark.parametrize("unit", sorted(UNITS.glob("*.service")), ids=lambda p: p.name)
def test_each_unit_starts_a_real_ctip_command(unit: Path, settings: Any) -> None:
    # Production's task backend (tests run tasks inline); db_worker checks it by name.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    argv = _exec_start(unit)
    program = Path(argv[0]).name
    if program == "gunicorn":
        assert argv[1] == "ctip.wsgi:application"
        return
    assert program == "ctip", argv
    # The ctip console script turns hyphens into the command's underscores (ctip/cli.py).
    name, options = argv[1].replace("-", "_"), argv[2:]
    commands = get_commands()
    assert name in commands, f"{unit.name}: no command {name!r}"
    command = load_command_class(commands[name], name)
    # The command's own parser must accept the options the unit passes.
    command.create_parser("ctip", name).parse_args(options)


@pytest.mark.parametrize("timer", sorted(UNITS.glob("*.timer")), ids=lambda p: p.name)
def test_each_timer_has_its_service_and_a_calendar(timer: Path) -> None:
    assert "OnCalendar=" in timer.read_text()
    assert timer.with_suffix(".service").exists()
