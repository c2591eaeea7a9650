"""A statement-level trigger that refuses TRUNCATE of the audit table (PostgreSQL only)."""

from django.db import migrations


def install(apps, schema_editor):
    from ctip.audit.guard import truncate_install_statements

    for statement in truncate_install_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_alter_auditevent_action")]

    operations = [migrations.RunPython(install, remove)]
