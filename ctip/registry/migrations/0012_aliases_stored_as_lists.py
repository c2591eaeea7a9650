"""Aliases that full_clean stored as the text of a Python list ("['Boss Dara']") are stored
again as the list. The field reads both forms (registry.fields.legacy_json_value); this
rewrites the old ones so that every reader of the column, the database's own included, finds
one form. Plaintext stays in memory only, as everywhere else."""

import json

from django.db import migrations, models
from django.db.models.functions import Cast

BATCH = 2000


def rewrite(apps, schema_editor):
    from ctip.registry.crypto import decrypt, encrypt
    from ctip.registry.fields import legacy_json_value

    person = apps.get_model("registry", "Person")
    # Cast to text: the raw token, past the field's own reading (which now repairs the value).
    raw = (
        person.objects.exclude(aliases="")
        .annotate(token=Cast("aliases", models.TextField()))
        .values_list("pk", "token")
        .order_by("pk")
    )
    repaired = []
    for pk, token in raw.iterator(chunk_size=BATCH):
        stored = json.loads(decrypt(token))
        if not isinstance(stored, str):
            continue
        value = legacy_json_value(stored)
        if not isinstance(value, list):
            value = [stored] if stored.strip() else []
        repaired.append((pk, value))
    for pk, value in repaired:
        token = encrypt(json.dumps(value, ensure_ascii=False)) if value else ""
        # Written as the raw token: update() would pass it through the field's encryption.
        person.objects.filter(pk=pk).update(aliases=models.Value(token))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_assessments_and_child_steps"),
    ]

    operations = [
        migrations.RunPython(rewrite, migrations.RunPython.noop, elidable=True),
    ]
