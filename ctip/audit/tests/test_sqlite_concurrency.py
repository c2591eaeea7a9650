"""Two users at once on the SQLite default: real threads, each with its own connection to
one database file, each writing the audit trail as every request does. None may meet
"database is locked"."""

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

from ctip.settings.base import sqlite_options

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite default's locking"
)


def _wrapper(path: Path, options: dict[str, Any]) -> DatabaseWrapper:
    settings = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": options,
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    return DatabaseWrapper(settings, alias=f"concurrency-{threading.get_ident()}")


def _hammer(path: Path, options: dict[str, Any], threads: int = 6, rounds: int = 40) -> list:
    """Each thread: transactions that read the chain's head and then append after it, as
    audit_record does (the read-then-write shape that fails under deferred transactions)."""
    setup = _wrapper(path, options)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE trail (sequence INTEGER PRIMARY KEY, note TEXT)")
    setup.close()
    errors: list[Exception] = []
    start = threading.Barrier(threads)

    def work() -> None:
        db = _wrapper(path, options)
        # Registered for this thread only (the handler is thread-local), so that atomic()
        # opens transactions the way every service does.
        connections[db.alias] = db
        try:
            start.wait()
            for _ in range(rounds):
                try:
                    with transaction.atomic(using=db.alias), db.cursor() as cursor:
                        cursor.execute("SELECT COALESCE(MAX(sequence), 0) FROM trail")
                        (head,) = cursor.fetchone()
                        cursor.execute("INSERT INTO trail VALUES (%s, %s)", [head + 1, "x" * 200])
                except Exception as error:
                    errors.append(error)
        finally:
            db.close()

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


@pytest.fixture(autouse=True)
def _own_database_files(django_db_blocker: Any) -> Any:
    """These connections go to the test's own files, not the test database."""
    with django_db_blocker.unblock():
        yield


def test_concurrent_writers_queue_instead_of_failing(tmp_path: Path) -> None:
    errors = _hammer(tmp_path / "office.sqlite3", sqlite_options())
    assert errors == []
    check = _wrapper(tmp_path / "office.sqlite3", sqlite_options())
    with check.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), MAX(sequence) FROM trail")
        assert cursor.fetchone() == (240, 240)
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    check.close()


def test_without_immediate_transactions_a_read_then_write_fails_at_once(tmp_path: Path) -> None:
    """The control, made deterministic: what two users met before the fix. A deferred
    transaction that has read cannot write after another user's write committed, and no busy
    timeout helps ("database is locked" at once); IMMEDIATE transactions take the write lock
    before the read, so the second user waits instead."""
    deferred = {"timeout": 1, "init_command": "PRAGMA journal_mode=WAL;"}
    path = tmp_path / "default.sqlite3"
    first, second = _wrapper(path, deferred), _wrapper(path, deferred)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE trail (sequence INTEGER PRIMARY KEY, note TEXT)")
    a, b = first.connection.cursor(), second.cursor()
    a.execute("BEGIN")
    a.execute("SELECT COUNT(*) FROM trail")
    b.execute("BEGIN")
    b.execute("INSERT INTO trail VALUES (1, 'b')")
    b.execute("COMMIT")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        a.execute("INSERT INTO trail VALUES (2, 'a')")
    a.execute("ROLLBACK")
    first.close()
    second.close()
