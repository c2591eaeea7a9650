"""PostgreSQL only: indexes that keep person search fast at millions of persons.

- person_name_words_gin: each stored name key as an array element, so that a whole-key match
  (the usual search: the skeletons already absorb romanisation variants) is one GIN lookup
  instead of a trigram comparison against every similar key.
- participant_person_case_idx and case_scope_idx: let the access check of a found person
  (is this person in a case the actor may see?) read indexes only.
SQLite keeps its simpler path and skips these.
"""

from django.db import migrations

INDEXES = {
    "person_name_words_gin": "CREATE INDEX IF NOT EXISTS person_name_words_gin ON registry_person "
    "USING gin (string_to_array(btrim(name_keys), ' '))",
    "participant_person_case_idx": "CREATE INDEX IF NOT EXISTS participant_person_case_idx "
    "ON registry_participant (person_id, case_id)",
    "case_scope_idx": "CREATE INDEX IF NOT EXISTS case_scope_idx ON registry_case (id) "
    "INCLUDE (owning_agency_id, province_id)",
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
    dependencies = [("registry", "0002_person_name_trigram")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
