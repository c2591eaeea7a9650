"""A real `kill -9` of `ctip import` in the middle of its apply: nothing is written, and the
batch is released and can be imported again (issue #11; the heartbeat tests in
test_stale_jobs.py only simulate the kill).

The import runs as a separate process (`ctip import`) against this test's database: on
PostgreSQL the test database itself, on SQLite (in memory for the suite) a file copy that is
read back into the test's database after the kill.
"""

import os
import re
import selectors
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from ctip.audit.choices import AuditAction
from ctip.audit.models import AuditEvent
from ctip.exchange.choices import BatchStatus
from ctip.exchange.importer import CHUNK
from ctip.exchange.models import ImportBatch
from ctip.exchange.services import _heartbeat_path, import_apply
from ctip.registry.models import Case, Participant, Person

pytestmark = pytest.mark.django_db(transaction=True)

# More than one chunk of rows, so that the apply reports progress before it has finished.
ROWS = CHUNK + 2000
PROGRESS = re.compile(rb"importing:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")


def _database_url(tmp_path: Path) -> str:
    """A URL for the child process that reaches the data this test sees."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host = settings["USER"] or "postgres", settings["HOST"] or "127.0.0.1"
        password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
        port = settings["PORT"] or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    copy = tmp_path / "child.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(copy)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{copy}"


def _read_back(url: str) -> None:
    """SQLite: the file the child wrote becomes this test's database again."""
    if connection.vendor != "sqlite":
        return
    source = sqlite3.connect(url.removeprefix("sqlite:///"))
    assert source.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    connection.ensure_connection()
    source.backup(connection.connection)
    source.close()


def _kill_during_apply(command: list[str], env: dict[str, str], timeout: float = 300) -> int:
    """Start the import and SIGKILL it as soon as it reports rows applied but not all of
    them (its progress bar on stderr); returns how many rows it had reported."""
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watch = selectors.DefaultSelector()
    assert child.stderr is not None
    watch.register(child.stderr, selectors.EVENT_READ)
    seen, deadline = b"", time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not watch.select(timeout=1):
                continue
            data = os.read(child.stderr.fileno(), 65536)
            if not data:
                break  # the child ended before we could kill it mid-apply
            seen = (seen + data)[-4096:]
            for done, total in PROGRESS.findall(seen):
                if 0 < int(done) < int(total):
                    os.kill(child.pid, signal.SIGKILL)
                    child.wait(timeout=30)
                    return int(done)
        raise AssertionError(f"never caught the apply half-way: {seen[-500:]!r}")
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)


# A transactional test starts from whatever the one before left: an earlier one may have
# flushed the reference data (agencies) that the fixtures below need.
@pytest.mark.usefixtures("live_reference")
def test_kill_9_in_the_middle_of_an_import_writes_nothing_and_the_batch_can_be_applied_again(
    client: Any,
    settings: Any,
    tmp_path: Path,
    officer: Any,
    agency: Any,
    write_csv: Any,
    sample_rows: Any,
) -> None:
    path = write_csv(sample_rows(ROWS, prefix="K"))
    persons_before, participants_before = Person.objects.count(), Participant.objects.count()
    url = _database_url(tmp_path)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ctip.settings.test",
        "DATABASE_URL": url,
        "CTIP_IMPORT_DIR": settings.CTIP_IMPORT_DIR,
    }
    ctip = str(Path(sys.executable).with_name("ctip"))
    command = [ctip, "import", str(path), "--user", officer.username, "--agency", agency.code]

    applied_when_killed = _kill_during_apply(command, env)
    _read_back(url)

    assert 0 < applied_when_killed < ROWS
    batch = ImportBatch.objects.get()
    # What the dead process left: its claim on the batch, outside the transaction it lost.
    assert batch.status == BatchStatus.APPLYING
    assert batch.total_rows == ROWS and batch.rejected_rows == 0
    # Nothing of the rows it had loaded survived: no case, person or participant.
    assert Case.objects.count() == 0
    assert (Person.objects.count(), Participant.objects.count()) == (
        persons_before,
        participants_before,
    )
    assert not AuditEvent.objects.filter(action=AuditAction.IMPORT).exists()
    assert _heartbeat_path(batch.pk).exists()

    # As the admin guide says: once the heartbeat has been silent CTIP_IMPORT_STALE_SECONDS,
    # the import pages release the batch, audited, back to "Checked".
    settings.CTIP_IMPORT_STALE_SECONDS = 3600
    client.force_login(officer)
    assert client.get(reverse("exchange:import-detail", args=[batch.pk])).status_code == 200
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLYING  # a heartbeat this fresh may be a live job
    settings.CTIP_IMPORT_STALE_SECONDS = 0
    assert client.get(reverse("exchange:import-detail", args=[batch.pk])).status_code == 200
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert "nothing was written" in batch.refusal
    assert AuditEvent.objects.filter(detail__stale_import=BatchStatus.APPLYING).exists()

    # And it imports whole, once.
    import_apply(actor=officer, batch=batch)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLIED
    assert Case.objects.count() == batch.result["cases"] > 0
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 1
