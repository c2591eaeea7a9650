"""CTDC layout with k-anonymity, and the import/export pages a user clicks through."""

import csv
import io
from collections import Counter

import pytest
from django.urls import reverse

from ctip.exchange.choices import BatchStatus
from ctip.exchange.ctdc import CTDC_COLUMNS, QUASI_IDENTIFIERS, ctdc_write, k_anonymise
from ctip.exchange.models import ImportBatch
from ctip.registry.models import Case


def test_k_anonymise_leaves_no_group_smaller_than_k():
    rows = [
        {
            "yearOfRegistration": "2024",
            "gender": "Woman",
            "ageBroad": "18\u201320",
            "citizenship": "KHM" if i < 28 else f"C{i}",
            "CountryOfExploitation": "THA",
        }
        for i in range(40)
    ]
    kept, dropped = k_anonymise(rows, 11)
    sizes = Counter(tuple(r[q] for q in QUASI_IDENTIFIERS) for r in kept)
    assert min(sizes.values()) >= 11
    assert dropped == 0  # the twelve rare citizenships were blanked, not dropped
    assert sum(1 for r in kept if r["citizenship"] == "") == 12
    kept, dropped = k_anonymise([dict(r) for r in rows[:38]], 11)
    assert dropped == 10  # ten rare ones cannot hide even when blanked: left out


@pytest.mark.django_db
def test_ctdc_publication_export_is_k_anonymous(
    client, officer, agency, write_csv, sample_rows, settings
):
    settings.CTIP_IMPORT_INLINE_BYTES = 0  # through the background queue (run at once in tests)
    client.force_login(officer)
    path = write_csv(sample_rows(60, seed=3))
    with path.open("rb") as handle:
        response = client.post(
            reverse("exchange:import-new"), {"file": handle, "agency": agency.pk, "mapping": ""}
        )
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.VALIDATED
    page = client.get(reverse("exchange:import-detail", args=[batch.pk]))
    assert b"60 rows checked" in page.content
    client.post(reverse("exchange:import-apply", args=[batch.pk]))
    assert Case.objects.count() == 60
    handle = io.StringIO()
    ctdc_write(actor=officer, handle=handle, publication=True)
    rows = list(csv.DictReader(io.StringIO(handle.getvalue())))
    assert list(rows[0]) == CTDC_COLUMNS
    sizes = Counter(tuple(r[q] for q in QUASI_IDENTIFIERS) for r in rows)
    assert rows and min(sizes.values()) >= 11
    response = client.get(reverse("exchange:export"), {"layout": "htcds", "file_format": "csv"})
    assert response.status_code == 200 and b"prs_FirstName" in response.content


@pytest.mark.django_db
def test_report_page_lists_problems_and_offers_the_csv(
    client, officer, agency, write_csv, sample_rows
):
    client.force_login(officer)
    rows = sample_rows(3)
    rows[2][rows[0].index("prs_Gender")] = "Robot"
    path = write_csv(rows)
    with path.open("rb") as handle:
        client.post(reverse("exchange:import-new"), {"file": handle, "agency": agency.pk})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("exchange:import-detail", args=[batch.pk]))
    assert b"Robot" in page.content
    report = client.get(reverse("exchange:import-report", args=[batch.pk]))
    lines = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert lines[1][:3] == ["3", "prs_Gender", "unknown_code"]
    progress = client.get(reverse("exchange:import-progress", args=[batch.pk])).json()
    assert progress["status"] == "validated" and not progress["running"]
    client.post(reverse("exchange:import-apply", args=[batch.pk]))
    assert Case.objects.count() == 0
    client.post(reverse("exchange:import-apply", args=[batch.pk]), {"skip_rejected": "on"})
    assert Case.objects.count() == 2


@pytest.mark.django_db
def test_mapping_page_saves_a_layout_for_reuse(client, officer, agency):
    client.force_login(officer)
    response = client.post(
        reverse("exchange:mapping-new"),
        {
            "name": "NGO sheet",
            "agency": agency.pk,
            "day_first": "on",
            "col_prs_FirstName": "Name",
            "col_ctip_OpenedOn": "Date",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("exchange:mapping-edit", args=["NGO sheet"]))
    assert b'value="Name"' in page.content


@pytest.mark.django_db
def test_import_page_offers_import_only_when_the_service_would_apply(
    client, officer, agency, write_csv, sample_rows, django_user_model
):
    from pathlib import Path

    from ctip.exchange import selectors

    client.force_login(officer)
    with write_csv(sample_rows(3)).open("rb") as handle:
        client.post(reverse("exchange:import-new"), {"file": handle, "agency": agency.pk})
    batch = ImportBatch.objects.get()
    page = client.get(reverse("exchange:import-detail", args=[batch.pk]))
    assert b">Import</button>" in page.content
    assert selectors.import_apply_refusal(actor=officer, batch=batch) is None

    # A superuser sees the upload but may not import another person's file.
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 20)
    client.force_login(admin)
    page = client.get(reverse("exchange:import-detail", args=[batch.pk]))
    assert b">Import</button>" not in page.content
    assert b"Only the person who uploaded the file may import it." in page.content
    client.post(reverse("exchange:import-apply", args=[batch.pk]))
    assert Case.objects.count() == 0

    # A pruned upload cannot be imported either: no button for its own uploader.
    Path(batch.stored_path).unlink()
    client.force_login(officer)
    page = client.get(reverse("exchange:import-detail", args=[batch.pk]))
    assert b">Import</button>" not in page.content and b"pruned" in page.content
    client.post(reverse("exchange:import-apply", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED and Case.objects.count() == 0


@pytest.mark.django_db
def test_someone_elses_import_looks_unknown_and_the_attempt_is_audited(
    client, officer, agency, write_csv, sample_rows, make_member
):
    """Issue #11 item 10: the batch pages refuse another user's upload as if it did not exist,
    and leave a denial in the audit trail."""
    from ctip.audit.models import AuditEvent

    client.force_login(officer)
    with write_csv(sample_rows(2)).open("rb") as handle:
        client.post(reverse("exchange:import-new"), {"file": handle, "agency": agency.pk})
    batch = ImportBatch.objects.get()
    client.force_login(make_member("case_officer", agency.code, username="colleague"))
    denied = AuditEvent.objects.filter(
        action="denied", actor_username="colleague", object_type="exchange.importbatch"
    )
    for name in ("import-detail", "import-progress", "import-report"):
        assert client.get(reverse(f"exchange:{name}", args=[batch.pk])).status_code == 404
        assert client.get(reverse(f"exchange:{name}", args=[batch.pk + 99])).status_code == 404
    assert client.post(reverse("exchange:import-apply", args=[batch.pk])).status_code == 404
    assert [e.detail["wanted"] for e in denied.order_by("sequence")] == ["view"] * 3 + [
        "import_apply"
    ]
    assert {e.object_id for e in denied} == {str(batch.pk)}
