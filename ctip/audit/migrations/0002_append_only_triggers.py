"""Database triggers that refuse UPDATE and DELETE on audit events (PostgreSQL and SQLite)."""

from django.db import migrations


def install(apps, schema_editor):
    from ctip.audit.guard import install_statements

    for statement in install_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


def remove(apps, schema_editor):
    from ctip.audit.guard import remove_statements

    for statement in remove_statements(schema_editor.connection.vendor):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
