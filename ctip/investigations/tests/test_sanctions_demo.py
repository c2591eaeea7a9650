"""The demo's sanctions list and job ads: shipped, synthetic, loaded with a hit to decide."""

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from ctip.investigations.ftm.reader import read_lines
from ctip.investigations.models import JobAd
from ctip.investigations.sanctions.models import ScreeningHit, WatchList
from ctip.investigations.sanctions.synthetic import demo_list

DEMO_FILE = Path(__file__).resolve().parents[1] / "data" / "demo-sanctions.ftm.json"


def test_the_shipped_list_is_the_generators_and_valid() -> None:
    shipped = [json.loads(line) for line in DEMO_FILE.read_text().splitlines()]
    assert shipped == [json.loads(json.dumps(row, sort_keys=True)) for row in demo_list()]
    assert read_lines(DEMO_FILE.read_bytes().splitlines()).ok
    persons = [row for row in shipped if row["schema"] == "Person"]
    assert all("not a real person" in row["properties"]["notes"][0] for row in persons)


@pytest.mark.django_db
def test_the_demo_loads_once_with_a_hit_awaiting_decision(officer_ahtjp: Any, suspect: Any) -> None:
    from ctip.registry.services import participant_add, person_create

    li_wei = person_create(
        actor=officer_ahtjp, given_name_latin="Wei", family_name_latin="Li", sex="male",
        estimated_age=45, citizenships=["CHN"], aliases=["Lee Wei", "Ah Wei"],
    )  # fmt: skip
    participant_add(actor=officer_ahtjp, case=suspect.participations.first().case,
                    person=li_wei, role="suspect")  # fmt: skip
    out = io.StringIO()
    call_command("sanctions", "demo", stdout=out)
    call_command("sanctions", "demo", stdout=out)
    assert WatchList.objects.get().version == 1
    hit = ScreeningHit.objects.get(person=li_wei)
    assert hit.entity.ftm_id == "demo-wei-li" and hit.status == "pending"
    assert JobAd.objects.count() == 5
