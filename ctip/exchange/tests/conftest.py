"""Fixtures for import and export tests: an officer, and files written into tmp_path."""

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from ctip.exchange import sample


@pytest.fixture(autouse=True)
def _import_dir(settings: Any, tmp_path: Path) -> None:
    settings.CTIP_IMPORT_DIR = str(tmp_path / "imports")


@pytest.fixture
def officer(make_member: Any) -> Any:
    return make_member("case_officer", "AHTJP")


@pytest.fixture
def agency(db: Any) -> Any:
    from ctip.access.models import Agency

    return Agency.objects.get(code="AHTJP")


@pytest.fixture
def write_xlsx(tmp_path: Path) -> Callable[..., Path]:
    def write(
        rows: list[list[Any]], name: str = "cases.xlsx", sheet: str = "Cases", merge: str = ""
    ) -> Path:
        workbook = openpyxl.Workbook()
        ws = workbook.active
        ws.title = sheet
        for row in rows:
            ws.append(row)
        if merge:
            ws.merge_cells(merge)
        path = tmp_path / name
        workbook.save(path)
        return path

    return write


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(rows: list[list[Any]], name: str = "cases.csv") -> Path:
        path = tmp_path / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        return path

    return write


@pytest.fixture
def sample_rows() -> Callable[..., list[list[Any]]]:
    def make(count: int = 20, seed: int = 7, prefix: str = "S") -> list[list[Any]]:
        return [sample.HEADERS, *sample.rows(count, seed=seed, prefix=prefix)]

    return make
