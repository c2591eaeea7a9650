"""Database-level protection of the audit table: triggers that refuse UPDATE, DELETE, TRUNCATE.

The application only ever inserts audit rows; these triggers make the database itself refuse
anything else, so that a bug, a bulk update or a raw SQL statement in the code cannot rewrite
history. Someone holding DDL rights can still drop the triggers; `ctip audit verify` then
finds what they changed. On PostgreSQL the application should also run as a role without
UPDATE, DELETE or TRUNCATE on the table (see `grant_statements`).
"""

from typing import Any

TABLE = "audit_auditevent"
MESSAGE = "audit events are append-only"

# Row-level triggers never see TRUNCATE, which empties the table in one statement (and then
# `verify` found an empty, "intact" trail); a statement-level trigger refuses it.
_POSTGRES_TRUNCATE_INSTALL = [
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    f"""
    CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION ctip_audit_append_only()
    """,
]
_POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION ctip_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION ctip_audit_append_only()
    """,
    *_POSTGRES_TRUNCATE_INSTALL,
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS ctip_audit_append_only()",
]
_SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
_SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_no_update",
    "DROP TRIGGER IF EXISTS audit_no_delete",
]


def install_statements(vendor: str) -> list[str]:
    """SQL that creates the append-only triggers on this database vendor."""
    return {"postgresql": _POSTGRES_INSTALL, "sqlite": _SQLITE_INSTALL}.get(vendor, [])


def truncate_install_statements(vendor: str) -> list[str]:
    """SQL that adds the TRUNCATE trigger alone (migration 0004, for databases migrated before)."""
    return list(_POSTGRES_TRUNCATE_INSTALL) if vendor == "postgresql" else []


def remove_statements(vendor: str) -> list[str]:
    """SQL that drops them again (migrating backwards, or test-database flushes)."""
    return {"postgresql": _POSTGRES_REMOVE, "sqlite": _SQLITE_REMOVE}.get(vendor, [])


def install(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in install_statements(connection.vendor):
            cursor.execute(statement)


def remove(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in remove_statements(connection.vendor):
            cursor.execute(statement)


def grant_statements(app_role: str, owner_role: str = "") -> list[str]:
    """PostgreSQL grants for an application role that can add audit rows but never change them.

    Migrations run as the owner; the web application and workers connect as `app_role`.
    """
    role = '"' + app_role.replace('"', '""') + '"'
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {TABLE} FROM {role}",
        f"REVOKE TRIGGER, REFERENCES ON {TABLE} FROM {role}",
    ]
    if owner_role:
        owner = '"' + owner_role.replace('"', '""') + '"'
        statements.append(f"ALTER TABLE {TABLE} OWNER TO {owner}")
    return statements


def allow_test_flush() -> None:
    """Let the test runner empty the database between transactional tests.

    Django empties SQLite tables with DELETE, which the triggers refuse, and PostgreSQL tables
    with TRUNCATE, which the statement trigger refuses; this wraps the flush SQL so the
    triggers are off for the flush and on again after it. Only the test suite calls this.
    """
    from django.db.backends.postgresql.operations import (
        DatabaseOperations as PostgresOperations,
    )
    from django.db.backends.sqlite3.base import DatabaseWrapper

    around = {
        DatabaseWrapper.ops_class: (_SQLITE_REMOVE, [s.strip() for s in _SQLITE_INSTALL]),
        PostgresOperations: (
            [f"ALTER TABLE {TABLE} DISABLE TRIGGER audit_no_truncate"],
            [f"ALTER TABLE {TABLE} ENABLE TRIGGER audit_no_truncate"],
        ),
    }
    for operations, (before, after) in around.items():
        _wrap_flush(operations, before, after)


def _wrap_flush(operations: Any, before: list[str], after: list[str]) -> None:
    if getattr(operations.sql_flush, "_ctip_wrapped", False):
        return
    original = operations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        if TABLE not in tables or not statements:
            return statements
        return [*before, *statements, *after]

    sql_flush._ctip_wrapped = True  # type: ignore[attr-defined]
    operations.sql_flush = sql_flush
