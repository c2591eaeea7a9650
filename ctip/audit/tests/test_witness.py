"""The trail witnesses itself: signed checkpoints outside the database catch a trail cut
short or truncated, which a valid-looking hash chain alone does not; TRUNCATE is refused."""

import json
import os

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from ctip.audit import guard
from ctip.audit.models import AuditEvent
from ctip.audit.services import audit_record, chain_verify
from ctip.audit.witness import witness_latest

pytestmark = pytest.mark.django_db


@pytest.fixture
def witness_dir(settings, tmp_path):
    settings.CTIP_AUDIT_WITNESS_DIR = str(tmp_path / "witness")
    settings.CTIP_AUDIT_WITNESS_EVERY = 5
    settings.CTIP_AUDIT_WITNESS_SECONDS = 0
    return tmp_path / "witness"


def _trail(n: int) -> None:
    for i in range(n):
        audit_record(actor=None, action="view", object_type="registry.case", object_id=i)


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def _verify() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def test_witnesses_are_taken_every_n_events_after_commit(
    witness_dir, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _trail(11)
    names = sorted(p.name for p in witness_dir.iterdir())
    assert [n.split("-")[1] for n in names] == ["000000000005", "000000000010"]
    latest = witness_latest()
    assert latest is not None and latest["sequence"] == 10
    assert latest["hash"] == AuditEvent.objects.get(sequence=10).hash
    # Read-only, and never replaced.
    assert not os.access(witness_dir / names[-1], os.W_OK) or os.geteuid() == 0
    assert "extends signed witness #10" in _verify()


def test_deleting_the_last_events_is_detected_against_the_witness(
    witness_dir, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _trail(10)
    guard.remove(connection)  # an attacker with DDL rights
    _sql("DELETE FROM audit_auditevent WHERE sequence >= 9")
    assert chain_verify().ok  # the chain alone still looks whole
    with pytest.raises(CommandError, match=r"#9.*deleted"):
        _verify()


def test_an_emptied_trail_is_never_intact(witness_dir, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _trail(5)
    guard.remove(connection)
    if connection.vendor == "postgresql":
        _sql("TRUNCATE audit_auditevent")
    else:
        _sql("DELETE FROM audit_auditevent")
    with pytest.raises(CommandError, match="empty"):
        _verify()
    # Even with no witness at all, an empty trail is not "intact".
    with pytest.raises(CommandError, match="empty"):
        call_command("audit", "verify", "--no-witness")


def test_an_altered_witness_is_refused(witness_dir, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _trail(5)
    path = next(witness_dir.iterdir())
    body = json.loads(path.read_text())
    body["sequence"] = 3  # pretend the trail was shorter
    path.chmod(0o644)
    path.write_text(json.dumps(body))
    with pytest.raises(CommandError, match="bad signature"):
        _verify()


def test_checkpoint_command_writes_a_witness(witness_dir) -> None:
    _trail(3)
    call_command("audit", "checkpoint")
    head = AuditEvent.objects.order_by("-sequence").first()
    latest = witness_latest()
    assert head is not None and latest is not None
    assert (latest["sequence"], latest["hash"]) == (head.sequence, head.hash)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE trigger: PostgreSQL")
def test_truncate_of_the_audit_table_is_refused() -> None:
    _trail(2)
    before = AuditEvent.objects.count()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.count() == before >= 2
