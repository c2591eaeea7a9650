"""PostgreSQL only: covering indexes for the statistics (ctip/stats, decision 0304).

The half-year report looks up hundreds of thousands of persons and victim profiles at a
million cases, for a few narrow columns each. The person and victim-profile rows are wide
(encrypted identity fields, testimony), so each lookup read a heap page of a table several
times larger than the shared buffers; these indexes hold just the columns the statistics read,
so the lookups are index-only scans; victims identified in a period are read the same way
by date.
SQLite keeps its simpler path and skips these.
"""

from django.db import migrations

INDEXES = {
    "person_stats_idx": "CREATE INDEX IF NOT EXISTS person_stats_idx ON registry_person (id) "
    "INCLUDE (sex, birth_year, citizenships)",
    "victimprofile_stats_idx": "CREATE INDEX IF NOT EXISTS victimprofile_stats_idx "
    "ON registry_victimprofile (participant_id) "
    "INCLUDE (trafficking_status, age_when_trafficked, exploitation_types, identified_on)",
    "victimprofile_identified_stats_idx": "CREATE INDEX IF NOT EXISTS "
    "victimprofile_identified_stats_idx ON registry_victimprofile (identified_on) "
    "INCLUDE (participant_id, trafficking_status, age_when_trafficked, exploitation_types)",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in INDEXES.values():
            schema_editor.execute(sql)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_stats_date_indexes")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
