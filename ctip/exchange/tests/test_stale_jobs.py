"""A killed check or import does not leave its batch running for ever, and an import cannot
be applied twice at once."""

import os
import time

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ctip.audit.models import AuditEvent
from ctip.exchange.choices import BatchStatus
from ctip.exchange.models import ImportBatch
from ctip.exchange.services import (
    _heartbeat_path,
    import_apply,
    import_recover_stale,
    import_upload,
    import_validate,
)
from ctip.registry.models import Case

pytestmark = pytest.mark.django_db


def _checked(officer, agency, write_csv, sample_rows, count=4):
    path = write_csv(sample_rows(count))
    batch = import_upload(actor=officer, path=path, file_name=path.name, agency=agency)
    return import_validate(actor=officer, batch=batch)


def _killed_while(batch, status, seconds_ago):
    """What kill -9 leaves: the status set outside the (rolled back) transaction, and a
    heartbeat that stopped when the process died."""
    ImportBatch.objects.filter(pk=batch.pk).update(status=status)
    beat = _heartbeat_path(batch.pk)
    beat.touch()
    past = time.time() - seconds_ago
    os.utime(beat, (past, past))


def test_a_killed_import_is_released_by_the_page_and_can_be_applied_again(
    client, officer, agency, write_csv, sample_rows
):
    batch = _checked(officer, agency, write_csv, sample_rows)
    _killed_while(batch, BatchStatus.APPLYING, seconds_ago=3600)
    client.force_login(officer)
    page = client.get(reverse("exchange:import-detail", args=[batch.pk]))
    assert page.status_code == 200
    batch.refresh_from_db()
    assert batch.status == BatchStatus.VALIDATED
    assert "nothing was written" in batch.refusal
    assert AuditEvent.objects.filter(detail__stale_import=BatchStatus.APPLYING).exists()
    import_apply(actor=officer, batch=batch)
    assert Case.objects.count() == 4


def test_a_killed_check_is_refused_not_left_checking(officer, agency, write_csv, sample_rows):
    batch = _checked(officer, agency, write_csv, sample_rows)
    _killed_while(batch, BatchStatus.VALIDATING, seconds_ago=3600)
    assert import_recover_stale() == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.FAILED and "upload it again" in batch.refusal


def test_a_running_import_with_a_live_heartbeat_is_left_alone(
    officer, agency, write_csv, sample_rows
):
    batch = _checked(officer, agency, write_csv, sample_rows)
    _killed_while(batch, BatchStatus.APPLYING, seconds_ago=5)
    assert import_recover_stale() == []
    batch.refresh_from_db()
    assert batch.status == BatchStatus.APPLYING
    # And it cannot be applied a second time while it runs.
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.VALIDATED)
    batch.refresh_from_db()
    ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.APPLYING)
    with pytest.raises(ValidationError, match="already being imported"):
        import_apply(actor=officer, batch=batch)
    assert Case.objects.count() == 0


def test_the_checked_rows_kept_on_disk_are_not_in_clear(officer, agency, write_csv, sample_rows):
    """The rows a check keeps for the apply are sealed with the field key (issue #11)."""
    from ctip.exchange import checked

    rows = sample_rows(6)
    header = rows[0]
    batch = import_validate(
        actor=officer,
        batch=import_upload(actor=officer, path=write_csv(rows), file_name="c.csv", agency=agency),
    )
    kept = checked.path_for(batch.stored_path).read_bytes()
    for column in ("cas_CaseId", "ctip_OpenedOn"):
        value = str(rows[1][header.index(column)]).encode()
        assert value and value not in kept, column
    assert b"AHTJP" not in kept  # the owning agency's code, part of every external id
    import_apply(actor=officer, batch=batch)  # and the apply reads them back
    assert Case.objects.count() == 6
