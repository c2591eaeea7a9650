"""A referral now opens only the referred person's part of the case (registry 0008): give
every existing referral share the participants its referrals sent."""

from django.db import migrations


def fill(apps, schema_editor):
    case_share = apps.get_model("registry", "CaseShare")
    referral = apps.get_model("referrals", "Referral")
    through = case_share.participants.through
    shares = {
        (case_id, agency_id): pk
        for pk, case_id, agency_id in case_share.objects.filter(reason="referral").values_list(
            "pk", "case_id", "agency_id"
        )
    }
    rows = []
    for case_id, agency_id, participant_id in (
        referral.objects.values_list("case_id", "to_agency_id", "participant_id")
        .distinct()
        .iterator()
    ):
        share_id = shares.get((case_id, agency_id))
        if share_id is not None:
            rows.append(through(caseshare_id=share_id, participant_id=participant_id))
        if len(rows) >= 5000:
            through.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    through.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0008_drop_override_permission"),
        ("registry", "0008_caseshare_participants"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
