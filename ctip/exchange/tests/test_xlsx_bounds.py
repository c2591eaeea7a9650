"""A small workbook that would cost gigabytes to read is refused before it is parsed, and no
upload's check runs past its time limit."""

import random
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from ctip.exchange.choices import BatchStatus
from ctip.exchange.readers import FileRefused, check_zip
from ctip.exchange.services import import_upload, import_validate

pytestmark = pytest.mark.django_db


def _hostile_workbook(path: Path, *, strings_mb: int) -> Path:
    """A real one-row workbook whose shared strings unpack to `strings_mb` MB.

    A 16 KB block of random text repeated: DEFLATE finds each repeat in its 32 KB window, so
    the part compresses about 80-fold — under the zip-bomb ratio limit (200), as in the file
    that took 3.8 GB to check — and the file stays around 1 MB on disk.
    """
    rng = random.Random(7)
    block = "".join(
        f"<si><t>{''.join(rng.choice('abcdefghijklmnop') for _ in range(30))}</t></si>"
        for _ in range(400)
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        )
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w") as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            for _ in range(strings_mb * 2**20 // len(block) + 1):
                part.write(block)
            part.write(b"</sst>")
    return path


def test_shared_strings_that_unpack_to_hundreds_of_mb_are_refused_before_parsing(
    officer, agency, tmp_path, settings
):
    # The default limits, as in production.
    path = _hostile_workbook(tmp_path / "cases.xlsx", strings_mb=120)
    size = path.stat().st_size
    info = zipfile.ZipFile(path).getinfo("xl/sharedStrings.xml")
    assert size < 3 * 2**20
    assert info.file_size / info.compress_size < settings.CTIP_IMPORT_MAX_RATIO
    assert info.file_size < settings.CTIP_IMPORT_MAX_UNCOMPRESSED
    with pytest.raises(ValidationError, match=r"shared strings.*120 MB; the limit is 100 MB"):
        import_upload(actor=officer, path=path, file_name="cases.xlsx", agency=agency)


def test_any_other_part_read_whole_is_bounded(tmp_path, settings):
    settings.CTIP_IMPORT_MAX_PART = 2**20
    path = tmp_path / "styles.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/styles.xml", "<styleSheet>" + "x" * 2 * 2**20 + "</styleSheet>")
    with pytest.raises(FileRefused, match=r"xl/styles\.xml would unpack to 2 MB"):
        check_zip(path)


def test_a_check_past_its_time_limit_is_stopped_and_refused(
    officer, agency, write_csv, sample_rows, settings
):
    settings.CTIP_IMPORT_MAX_SECONDS = 0
    path = write_csv(sample_rows(5))
    batch = import_upload(actor=officer, path=path, file_name="c.csv", agency=agency)
    batch = import_validate(actor=officer, batch=batch)
    assert batch.status == BatchStatus.FAILED
    assert "took longer than 0 minutes" in batch.refusal
