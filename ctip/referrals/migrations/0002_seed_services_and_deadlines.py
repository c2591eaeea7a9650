"""Seed the services each kind of agency offers and the default deadline of each service."""

from django.db import migrations

from ctip.referrals.choices import DEFAULT_DEADLINES, DEFAULT_SERVICES_BY_KIND


def seed(apps, schema_editor):
    KindService = apps.get_model("referrals", "KindService")
    ServiceDeadline = apps.get_model("referrals", "ServiceDeadline")
    for kind, services in DEFAULT_SERVICES_BY_KIND.items():
        for service in services:
            KindService.objects.get_or_create(kind=str(kind), service=str(service))
    for service, (accept, complete) in DEFAULT_DEADLINES.items():
        ServiceDeadline.objects.get_or_create(
            service=str(service),
            defaults={"days_to_accept": accept, "days_to_complete": complete},
        )


def unseed(apps, schema_editor):
    apps.get_model("referrals", "KindService").objects.all().delete()
    apps.get_model("referrals", "ServiceDeadline").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
