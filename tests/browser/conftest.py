"""Fixtures of the browser tests: where the user guide's screenshots go."""

import os
from pathlib import Path

import pytest


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """A temporary folder, or CTIP_SCREENSHOT_DIR (`make screenshots` points it at docs/img)."""
    folder = Path(os.environ.get("CTIP_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
