"""Duration tallies: one row per histogram (month, service, province, measure) holding the
bucket counts, instead of one row per bucket; existing counts are carried over."""

from django.db import migrations, models


def per_bucket_to_histograms(apps, schema_editor):
    stat = apps.get_model("referrals", "ReferralDurationStat")
    histograms: dict = {}
    keep: dict = {}
    rows = stat.objects.order_by("pk").values_list(
        "pk", "month", "service", "province_id", "measure", "bucket", "referrals"
    )
    for pk, month, service, province, measure, bucket, n in rows.iterator(chunk_size=20_000):
        key = (month, service, province, measure)
        counts = histograms.setdefault(key, [])
        if bucket >= len(counts):
            counts.extend([0] * (bucket + 1 - len(counts)))
        counts[bucket] += n
        keep.setdefault(key, pk)
    stat.objects.exclude(pk__in=list(keep.values())).delete()
    changed = []
    for key, pk in keep.items():
        changed.append(stat(pk=pk, counts=histograms[key]))
    stat.objects.bulk_update(changed, ["counts"], batch_size=2000)


def empty_before_going_back(apps, schema_editor):
    """Going back re-adds NOT NULL per-bucket columns, so the table is emptied first; run
    `ctip referrals tallies` afterwards to recount it in the old shape."""
    apps.get_model("referrals", "ReferralDurationStat").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reference", "0001_initial"),
        ("referrals", "0004_covering_open_referral_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="referraldurationstat",
            name="counts",
            field=models.JSONField(default=list, verbose_name="referrals per bucket"),
        ),
        migrations.RemoveConstraint(
            model_name="referraldurationstat",
            name="referraldurationstat_unique",
        ),
        migrations.RunPython(per_bucket_to_histograms, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="referraldurationstat",
            name="bucket",
        ),
        migrations.RemoveField(
            model_name="referraldurationstat",
            name="referrals",
        ),
        migrations.RunPython(migrations.RunPython.noop, empty_before_going_back),
        migrations.AddConstraint(
            model_name="referraldurationstat",
            constraint=models.UniqueConstraint(
                fields=("month", "service", "province", "measure"),
                name="referraldurationstat_unique_histogram",
            ),
        ),
        migrations.AlterModelOptions(
            name="referraldurationstat",
            options={
                "ordering": ["month", "service", "province", "measure"],
                "verbose_name": "referral duration histogram",
                "verbose_name_plural": "referral duration histograms",
            },
        ),
    ]
