"""`ctip linkage encode/compare`: matching across borders with keyed encodings."""

import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ctip.audit.models import AuditEvent
from ctip.linkage.tests.test_match_command import ROWS, write

OURS = ROWS[:4]
# The partner's records: 1 and 5 again (spelled their way), and a stranger.
THEIRS = [
    ["p1", "police", "Sokhar", "Sok", "", "F", "1990-03-07", "KHM", "", "", ""],
    ["p2", "ngo", "Chay", "Somnang", "", "M", "1970-01-01", "KHM", "", "", "N 123"],
    ["p3", "ngo", "Meas", "Dara", "", "M", "1981-05-05", "KHM", "", "", ""],
]


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("linkage", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "partner.key"
    path.write_text("a secret agreed with the partner\n")
    return path


@pytest.mark.parametrize("method", ["keys", "bloom"])
def test_encode_and_compare_find_the_shared_persons(tmp_path: Path, key: Path, method) -> None:
    ours = write(tmp_path / "ours.csv", [*OURS, ROWS[4]])
    theirs = write(tmp_path / "theirs.csv", THEIRS)
    for name, source in (("ours.enc", ours), ("theirs.enc", theirs)):
        run("encode", "--partner", "TH", "--key-file", str(key), "--input", str(source),
            "--output", str(tmp_path / name), "--method", method)  # fmt: skip
    text = (tmp_path / "ours.enc").read_text()
    assert "Sok" not in text and "1990" not in text and "secret" not in text
    ours_enc, theirs_enc = str(tmp_path / "ours.enc"), str(tmp_path / "theirs.enc")
    result = json.loads(run("compare", ours_enc, theirs_enc, "--key-file", str(key)))
    pairs = {(p["ours"], p["theirs"]) for p in result["pairs"]}
    assert ("1", "p1") in pairs
    assert not any(theirs == "p3" for _ours, theirs in pairs)
    if method == "keys":
        assert ("5", "p2") in pairs  # the same document number, written differently


def test_encodings_with_another_key_or_method_are_refused(tmp_path: Path, key: Path) -> None:
    source = str(write(tmp_path / "ours.csv", OURS))
    other_key = tmp_path / "other.key"
    other_key.write_text("a different secret of some length")
    run("encode", "--partner", "TH", "--key-file", str(key), "--input", source,
        "--output", str(tmp_path / "a.enc"))  # fmt: skip
    run("encode", "--partner", "TH", "--key-file", str(other_key), "--input", source,
        "--output", str(tmp_path / "b.enc"))  # fmt: skip
    run("encode", "--partner", "TH", "--key-file", str(key), "--input", source,
        "--output", str(tmp_path / "c.enc"), "--method", "bloom")  # fmt: skip
    with pytest.raises(CommandError, match="THEIRS: key_fingerprint: encoded with another key"):
        run("compare", str(tmp_path / "a.enc"), str(tmp_path / "b.enc"), "--key-file", str(key))
    with pytest.raises(CommandError, match="method: OURS is 'keys', THEIRS is 'bloom'"):
        run("compare", str(tmp_path / "a.enc"), str(tmp_path / "c.enc"), "--key-file", str(key))
    (tmp_path / "d.enc").write_text(json.dumps({"schema": "other/9", "records": []}))
    with pytest.raises(CommandError, match="schema: not a ctip-linkage-blind/1 encoding"):
        run("compare", str(tmp_path / "a.enc"), str(tmp_path / "d.enc"), "--key-file", str(key))
    short = tmp_path / "short.key"
    short.write_text("short")
    with pytest.raises(CommandError, match="key: the shared secret must be at least 16 bytes"):
        run("encode", "--partner", "TH", "--key-file", str(short), "--input", source,
            "--output", str(tmp_path / "e.enc"))  # fmt: skip
    assert not (tmp_path / "e.enc").exists()


AGREEMENT = ("agreement", "--partner", "TH", "--roles", "victim", "--cases-from", "2018-01-01",
             "--in-force-until", "2099-12-31", "--reference", "MoU KH-TH 2024/7")  # fmt: skip


@pytest.mark.django_db
def test_encode_reads_only_the_persons_the_agreement_covers_and_audits_it(
    tmp_path: Path, key: Path
) -> None:
    from ctip.registry.choices import ParticipantRole
    from ctip.registry.models import Participant, Person
    from ctip.registry.synthetic import demo_data_generate

    demo_data_generate(actor=None, cases=40, seed=3, until=datetime.date(2025, 12, 31))
    run(*AGREEMENT)
    message = run("encode", "--partner", "TH", "--key-file", str(key),
                  "--output", str(tmp_path / "r.enc"))  # fmt: skip
    data = json.loads((tmp_path / "r.enc").read_text())
    victims = Person.objects.filter(
        pk__in=Participant.objects.filter(role=ParticipantRole.VICTIM).values("person")
    ).count()
    assert 0 < len(data["records"]) == victims < Person.objects.count()
    assert f"{victims} persons encoded" in message
    ids = {opaque for opaque, _keys in data["records"]}
    assert not ids & {str(pk) for pk in Person.objects.values_list("pk", flat=True)}
    event = AuditEvent.objects.filter(object_type="linkage.encoding", action="export")
    assert event.get().detail["partner"] == "TH"
    # Narrowed to a nationality no generated victim has: nobody is encoded.
    run(*AGREEMENT, "--nationalities", "FRA")
    run("encode", "--partner", "TH", "--key-file", str(key), "--output", str(tmp_path / "f.enc"))
    assert json.loads((tmp_path / "f.enc").read_text())["records"] == []


@pytest.mark.django_db
def test_encode_without_an_agreement_in_force_is_refused_and_writes_nothing(
    tmp_path: Path, key: Path
) -> None:
    out = tmp_path / "r.enc"
    with pytest.raises(CommandError, match="--partner: No matching agreement with TH is in force"):
        run("encode", "--partner", "TH", "--key-file", str(key), "--output", str(out))
    past = list(AGREEMENT)
    past[past.index("--in-force-until") + 1] = "2020-01-01"
    run(*past)
    with pytest.raises(CommandError, match="--partner: No matching agreement with TH"):
        run("encode", "--partner", "TH", "--key-file", str(key), "--output", str(out))
    assert not out.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("--roles", "boss"), "--roles"),
        (("--nationalities", "TH"), "--nationalities"),
        (("--cases-until", "2017-01-01"), "--cases-until"),
        (("--cases-from", "01/02/2024"), "--cases-from"),
    ],
)
def test_a_bad_agreement_is_refused_by_field_and_nothing_is_saved(change, field) -> None:
    from ctip.linkage.models import MatchingAgreement

    args = list(AGREEMENT)
    if change[0] in args:
        args[args.index(change[0]) + 1] = change[1]
    else:
        args.extend(change)
    with pytest.raises(CommandError, match=f"^{field}: "):
        run(*args)
    assert not MatchingAgreement.objects.exists()
