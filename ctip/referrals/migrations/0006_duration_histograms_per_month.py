"""Each month's duration histograms summed over services and provinces, for the dashboard
when it is not narrowed to one; filled from the per-(month, service, province) histograms."""

import itertools

from django.db import migrations, models


def fill_months(apps, schema_editor):
    detail = apps.get_model("referrals", "ReferralDurationStat")
    month_stat = apps.get_model("referrals", "ReferralDurationMonthStat")
    by_month: dict = {}
    for month, measure, counts in detail.objects.values_list("month", "measure", "counts"):
        by_month.setdefault((month, measure), []).append(counts)
    month_stat.objects.bulk_create(
        [
            month_stat(
                month=month,
                measure=measure,
                counts=[sum(c) for c in itertools.zip_longest(*lists, fillvalue=0)],
            )
            for (month, measure), lists in by_month.items()
        ]
    )


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0005_duration_histogram_per_row'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReferralDurationMonthStat',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month sent')),
                ('measure', models.CharField(max_length=10, verbose_name='measure')),
                ('counts', models.JSONField(default=list, verbose_name='referrals per bucket')),
            ],
            options={
                'verbose_name': 'referral duration histogram of a month',
                'verbose_name_plural': 'referral duration histograms of a month',
                'ordering': ['month', 'measure'],
                'constraints': [models.UniqueConstraint(fields=('month', 'measure'), name='referraldurationmonthstat_unique')],
            },
        ),
        migrations.RunPython(fill_months, migrations.RunPython.noop),
    ]
