"""Times show in the installation's time zone, a setting (TIME_ZONE, from CTIP_TIME_ZONE;
Asia/Phnom_Penh by default): no template names a zone of its own (#14 Done means)."""

import datetime
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.template.loader import get_template
from django.utils import timezone

import ctip

NAMED_ZONE = re.compile(r"\|\s*timezone\s*:\s*[\"'][A-Za-z_]+/[A-Za-z_]+[\"']")


def test_no_template_fixes_a_time_zone_of_its_own() -> None:
    root = Path(ctip.__file__).parent
    fixed = [
        str(path.relative_to(root))
        for path in root.glob("**/templates/**/*.html")
        if NAMED_ZONE.search(path.read_text(encoding="utf-8"))
    ]
    assert fixed == []


def test_a_verification_shows_its_times_in_the_configured_zone(settings: Any) -> None:
    settings.TIME_ZONE = "Asia/Tokyo"  # two hours ahead of Phnom Penh
    moment = datetime.datetime(2026, 3, 1, 22, 30, tzinfo=datetime.UTC)
    v = SimpleNamespace(submitted_at=moment)
    with timezone.override("Asia/Tokyo"):
        html = get_template("verification/_facts.html").render({"v": v})
    assert "2026-03-02 07:30" in html  # not 05:30, Phnom Penh's
