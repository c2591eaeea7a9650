"""Every CTIP_* setting or variable the code reads is documented in docs/admin-guide.md."""

import re
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = re.compile(r"\bCTIP_[A-Z0-9_]*[A-Z0-9]\b")
# Where a CTIP_* name can be read: the package, the tests and benchmarks, make and CI, the
# deployment files.
SOURCES = ("ctip/**/*.py", "tests/**/*.py", "bench/**/*.py", "deploy/**/*", "Makefile", ".ci/*")


def names_in(paths: Iterable[Path]) -> dict[str, Path]:
    """Each CTIP_* name, with the first file that mentions it."""
    found: dict[str, Path] = {}
    for path in paths:
        if path.is_file() and "__pycache__" not in path.parts:
            for name in NAME.findall(path.read_text(errors="replace")):
                found.setdefault(name, path)
    return found


def undocumented(code: dict[str, Path], guide: str) -> dict[str, str]:
    documented = set(NAME.findall(guide))
    return {n: str(p.relative_to(ROOT)) for n, p in sorted(code.items()) if n not in documented}


def test_every_ctip_setting_is_in_the_admin_guide() -> None:
    paths = [path for pattern in SOURCES for path in sorted(ROOT.glob(pattern))]
    code = names_in(p for p in paths if p.name != Path(__file__).name)
    assert len(code) > 30  # the scan reads the code at all
    guide = (ROOT / "docs" / "admin-guide.md").read_text()
    assert undocumented(code, guide) == {}


def test_a_setting_missing_from_the_guide_is_named(tmp_path: Path) -> None:
    source = tmp_path / "settings.py"
    source.write_text('LIMIT = os.environ.get("CTIP_MADE_UP_LIMIT", "3")  # CTIP_DEBUG too\n')
    code = {n: ROOT / "ctip" / p.name for n, p in names_in([source]).items()}
    assert undocumented(code, "| `CTIP_DEBUG` | off |") == {
        "CTIP_MADE_UP_LIMIT": "ctip/settings.py"
    }
