"""The import engine's own guarantees: rows kept from the check, ids in blocks, rollback."""

import marshal

import pytest
from django.core.exceptions import ValidationError

from ctip.exchange import checked, importer
from ctip.exchange.services import import_apply, import_upload, import_validate
from ctip.registry.models import Case, Participant, Person, VictimProfile
from ctip.registry.services import case_reference


def check(officer, agency, path):
    batch = import_upload(actor=officer, path=path, file_name=path.name, agency=agency)
    return import_validate(actor=officer, batch=batch)


def test_the_loader_writes_every_column_of_its_tables():
    """A field added to these models must be added to the loader (or given a default)."""
    for table in importer.LOADED_TABLES:
        columns = {f.column for f in table.model._meta.concrete_fields}
        assert set(table.columns) == columns, table.key


@pytest.mark.django_db
def test_apply_uses_the_kept_rows_only_while_their_fingerprint_holds(
    officer, agency, write_csv, sample_rows
):
    batch = check(officer, agency, write_csv(sample_rows(3)))
    kept = checked.path_for(batch.stored_path)
    assert kept.exists()
    with kept.open("rb") as handle:
        header = marshal.load(handle)
    # The chunks are sealed with the field key: read back through the module.
    read = checked.read(batch.stored_path, sha256=batch.sha256, fingerprint=header["fingerprint"])
    assert read is not None
    chunks = list(read)
    # Rewritten with another case id under the same header: the apply takes the kept rows.
    first = chunks[0][0]
    chunks[0][0] = (first[0], first[1], "KEPT-1", *first[3:])
    store = checked.Store(batch.stored_path, sha256=batch.sha256, fingerprint="another day")
    for records in chunks:
        store.add(records)
    store.finish()
    import_apply(actor=officer, batch=batch)
    assert not Case.objects.filter(external_id="KEPT-1").exists()  # stale: the file was read
    assert Case.objects.count() == 3
    assert not kept.exists()

    batch = check(officer, agency, write_csv(sample_rows(3, seed=99, prefix="T"), "second.csv"))
    with checked.path_for(batch.stored_path).open("rb") as handle:
        header = marshal.load(handle)
    store = checked.Store(batch.stored_path, sha256=batch.sha256, fingerprint=header["fingerprint"])
    for records in chunks:
        store.add(records)
    store.finish()
    import_apply(actor=officer, batch=batch)
    assert Case.objects.filter(external_id="KEPT-1").exists()  # fresh: the kept rows were used


@pytest.mark.django_db
def test_without_kept_rows_the_file_is_read_again_with_the_same_result(
    officer, agency, write_csv, sample_rows
):
    batch = check(officer, agency, write_csv(sample_rows(12)))
    checked.path_for(batch.stored_path).unlink()
    import_apply(actor=officer, batch=batch)
    assert batch.result["cases"] == batch.result["persons"] == 12
    assert VictimProfile.objects.count() == 12
    for case in Case.objects.all():
        assert case.reference == case_reference(case.pk, case.opened_on)
    assert {p.family_name_latin for p in Person.objects.all()} <= set(
        ["Chan", "Sok", "Keo", "Lim", "Heng", "Chea", "Meas", "Pich", "Ouk"]
    )


@pytest.mark.django_db
def test_rows_of_one_case_across_chunks_make_one_case_with_each_victim(
    officer, agency, write_csv, sample_rows, monkeypatch
):
    monkeypatch.setattr(importer.matching, "CHUNK", 2)  # read where the chunks are cut
    rows = sample_rows(5)
    for row in rows[1:]:
        row[0] = "FAMILY-1"  # five victims of one case, in three chunks
    path = write_csv(rows)
    batch = check(officer, agency, path)
    assert batch.problem_count == 0
    import_apply(actor=officer, batch=batch)
    assert batch.result["cases"] == 1 and batch.result["participants"] == 5
    case = Case.objects.get()
    assert Participant.objects.filter(case=case).count() == 5
    again = check(officer, agency, path)
    import_apply(actor=officer, batch=again)
    assert again.result["participants"] == 0 and again.result["unchanged_rows"] == 5


@pytest.mark.django_db
def test_a_duplicate_registered_between_check_and_apply_rolls_everything_back(
    officer, agency, write_csv, sample_rows
):
    rows = sample_rows(4)
    first = check(officer, agency, write_csv(rows, "first.csv"))
    others = [list(r) for r in rows]
    for row in others[1:]:
        row[0], row[6] = "other-" + row[0], "other-" + row[6]
    second = check(officer, agency, write_csv(others, "second.csv"))
    assert first.problem_count == second.problem_count == 0  # nobody registered yet
    import_apply(actor=officer, batch=first)
    with pytest.raises(ValidationError, match="changed since the check"):
        import_apply(actor=officer, batch=second)
    assert Case.objects.count() == 4
    second.refresh_from_db()
    assert second.status == "validated"
