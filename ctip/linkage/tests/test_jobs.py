"""The linkage run as a command and as the job after an import."""

import csv
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from ctip.exchange import sample
from ctip.exchange.services import import_upload, import_validate
from ctip.exchange.tasks import apply_import
from ctip.linkage.models import LinkageRun

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("trained")]


def _import(tmp_path: Path, officer: Any, agency: Any) -> Any:
    path = tmp_path / "cases.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([sample.HEADERS, *sample.rows(4, seed=3)])
    batch = import_upload(actor=officer, path=path, file_name=path.name, agency=agency)
    return import_validate(actor=officer, batch=batch)


@pytest.mark.parametrize("after_import", [True, False])
def test_an_applied_import_queues_a_run(
    after_import: bool, settings: Any, tmp_path: Path, make_member: Any
) -> None:
    from ctip.access.models import Agency

    settings.CTIP_IMPORT_DIR = str(tmp_path / "imports")
    settings.CTIP_LINKAGE_AFTER_IMPORT = after_import
    officer = make_member("case_officer", "AHTJP")
    batch = _import(tmp_path, officer, Agency.objects.get(code="AHTJP"))
    apply_import.enqueue(batch.pk)  # the test settings run jobs at once
    runs = LinkageRun.objects.filter(reason=f"import {batch.pk}")
    assert runs.exists() is after_import
    if after_import:
        assert runs.get().records == 4


def test_command_prints_counts_only(three: Any) -> None:
    out = StringIO()
    call_command("linkage", "run", "--json", stdout=out)
    counts = json.loads(out.getvalue())
    assert counts["status"] == "done"
    assert counts["records"] == 3 and counts["accepted"] == 1
    assert "Sokha" not in out.getvalue()
