"""The audit trail: append-only in the database, and `ctip audit verify` finds any tampering."""

import json
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from ctip.audit import guard
from ctip.audit.models import AuditEvent
from ctip.audit.services import audit_record, chain_verify, event_digest, event_payload

pytestmark = pytest.mark.django_db


def _trail(n: int = 8) -> None:
    for i in range(1, n + 1):
        audit_record(
            actor=None,
            action="view",
            object_type="registry.case",
            object_id=i,
            detail={"note": f"event {i}", "khmer": "ករណី"},
        )


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _verify_fails() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("audit", "verify")
    return str(caught.value)


def test_an_untouched_trail_verifies() -> None:
    _trail()
    report = chain_verify()
    assert report.ok and report.count == AuditEvent.objects.count()
    out = _capture("verify")
    assert "Audit trail intact" in out


def _capture(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit", *args, stdout=out)
    return out.getvalue()


def test_database_refuses_update_and_delete_of_audit_rows() -> None:
    _trail(3)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=2).update(actor_username="mallory")
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql("DELETE FROM audit_auditevent WHERE sequence = 2")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.filter(actor_username="mallory").count() == 0
    assert chain_verify().ok


def test_edited_row_is_named() -> None:
    _trail()
    guard.remove(connection)  # an attacker with DDL rights drops the trigger first
    _sql("UPDATE audit_auditevent SET actor_username = 'mallory' WHERE sequence = 5")
    message = _verify_fails()
    assert "#5" in message and "altered" in message


def test_edited_detail_is_named() -> None:
    _trail()
    guard.remove(connection)
    _sql("UPDATE audit_auditevent SET object_id = '999' WHERE sequence = 2")
    report = chain_verify()
    assert report.broken and report.broken.sequence == 2 and report.broken.kind == "altered"


def test_deleted_row_is_named() -> None:
    _trail()
    guard.remove(connection)
    _sql("DELETE FROM audit_auditevent WHERE sequence = 4")
    message = _verify_fails()
    assert "#4" in message and "deleted" in message


def test_reordered_rows_are_named() -> None:
    _trail()
    guard.remove(connection)
    _sql("UPDATE audit_auditevent SET sequence = 1000000 WHERE sequence = 3")
    _sql("UPDATE audit_auditevent SET sequence = 3 WHERE sequence = 4")
    _sql("UPDATE audit_auditevent SET sequence = 4 WHERE sequence = 1000000")
    message = _verify_fails()
    assert "#3" in message and "out of order" in message


def test_inserted_row_is_named_even_with_a_valid_hash() -> None:
    _trail()
    guard.remove(connection)
    # Make room at #4, then insert a forged event correctly chained to #3.
    _sql("UPDATE audit_auditevent SET sequence = sequence + 1000 WHERE sequence >= 4")
    _sql("UPDATE audit_auditevent SET sequence = sequence - 999 WHERE sequence >= 1004")
    third = AuditEvent.objects.get(sequence=3)
    forged = AuditEvent(
        sequence=4,
        occurred_at=datetime.now(UTC),
        action="view",
        object_type="registry.case",
        object_id="42",
        prev_hash=third.hash,
    )
    forged.hash = event_digest(third.hash, event_payload(forged))
    forged.save(force_insert=True)
    message = _verify_fails()
    assert "#4" in message and "inserted" in message


def test_checkpoint_proves_the_trail_still_extends_it(tmp_path) -> None:
    _trail(5)
    path = tmp_path / "head.json"
    printed = json.loads(_capture("checkpoint", "--output", str(path)))
    head = AuditEvent.objects.order_by("-sequence").first()
    assert head is not None
    assert printed["count"] == AuditEvent.objects.count() and printed["hash"] == head.hash
    assert printed["sequence"] == head.sequence >= 5
    _trail(3)
    assert f"extends checkpoint #{head.sequence}" in _capture("verify", "--checkpoint", str(path))

    # Cutting the tail (events 4..8) leaves a valid chain; only the checkpoint shows it.
    guard.remove(connection)
    _sql("DELETE FROM audit_auditevent WHERE sequence >= 4")
    assert chain_verify().ok
    with pytest.raises(CommandError, match=r"#4.*deleted"):
        call_command("audit", "verify", "--checkpoint", str(path))


def test_checkpoint_catches_a_trail_rewritten_from_scratch(tmp_path) -> None:
    _trail(4)
    path = tmp_path / "head.json"
    _capture("checkpoint", "--output", str(path))
    guard.remove(connection)
    # Rewrite event 2 and re-hash everything after it: the chain alone looks valid again.
    _sql("UPDATE audit_auditevent SET actor_username = 'mallory' WHERE sequence = 2")
    prev = AuditEvent.objects.get(sequence=1).hash
    for event in AuditEvent.objects.order_by("sequence")[1:]:
        event.prev_hash = prev
        event.hash = event_digest(prev, event_payload(event))
        _sql(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE sequence = %s",
            [event.prev_hash, event.hash, event.sequence],
        )
        prev = event.hash
    assert chain_verify().ok
    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    with pytest.raises(CommandError, match=rf"#{last}.*checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(path))


def test_unreadable_checkpoint_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "bad.json"
    path.write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="--checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(path))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles exist on PostgreSQL only")
def test_postgres_app_role_cannot_update_or_delete_audit_rows() -> None:
    _trail(2)
    guard.remove(connection)  # the role's grants must hold even without the trigger
    _sql("DROP ROLE IF EXISTS ctip_app_test")
    _sql("CREATE ROLE ctip_app_test")
    for statement in guard.grant_statements("ctip_app_test"):
        _sql(statement)
    _sql("SET ROLE ctip_app_test")
    try:
        audit_record(actor=None, action="view", object_type="t")  # inserting still works
        with pytest.raises(DatabaseError), transaction.atomic():
            _sql("UPDATE audit_auditevent SET actor_username = 'x'")
        with pytest.raises(DatabaseError), transaction.atomic():
            _sql("DELETE FROM audit_auditevent")
        with pytest.raises(DatabaseError), transaction.atomic():
            _sql("TRUNCATE audit_auditevent")
    finally:
        _sql("RESET ROLE")
    assert chain_verify().ok
