"""`ctip linkage match`: the file-level command, its output shapes and its refusals."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ctip.linkage.engine import files, synthetic

HEADER = files.COLUMNS
ROWS = [
    ["1", "police", "Sok", "Sokha", "", "F", "1990-03-07", "KHM", "Siem Reap", "012 345 678", ""],
    ["2", "mosavy", "Sokhar", "Sok", "", "F", "1990", "KHM", "Siem Reap", "+855 12 345 678", ""],
    ["3", "ngo", "", "", "សុខ សុខា", "F", "1990-07-03", "KHM", "Battambang", "", ""],
    ["4", "police", "Chan", "Dara", "", "M", "1985", "KHM", "Kandal", "", ""],
    ["5", "ngo", "Chhay", "Samnang", "", "M", "1970-01-01", "KHM", "Takeo", "", "N123"],
    ["6", "police", "Chay", "Somnang", "", "M", "1970-01-01", "KHM", "Takeo", "", "n-123"],
]


def write(path: Path, rows, header=HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("linkage", *args, stdout=out)
    return out.getvalue()


def test_match_prints_pairs_and_clusters_as_json(tmp_path: Path) -> None:
    # Six records teach the model little (no EM): its starting parameters judge them.
    result = json.loads(run("match", str(write(tmp_path / "p.csv", ROWS)), "--threshold", "0.5"))
    assert set(result) == {"pairs", "clusters"}
    found = {(p["a"], p["b"]) for p in result["pairs"]}
    assert {("1", "2"), ("5", "6")} <= {tuple(sorted(pair)) for pair in found}
    assert all(0.5 <= p["probability"] <= 1 for p in result["pairs"])
    assert ["5", "6"] in result["clusters"]
    assert not any("4" in cluster for cluster in result["clusters"])


def test_match_as_csv_and_with_a_threshold(tmp_path: Path) -> None:
    path = str(write(tmp_path / "p.csv", ROWS))
    text = run("match", path, "--format", "csv", "--threshold", "0.5")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["a", "b", "probability", "cluster"]
    assert len(rows) > 2
    strict = json.loads(run("match", path, "--json", "--threshold", "0.999999"))
    assert len(strict["pairs"]) < len(rows) - 1


def test_match_against_reports_only_pairs_across_the_files(tmp_path: Path) -> None:
    ours = write(tmp_path / "a.csv", ROWS[:3] + ROWS[4:5])
    theirs = write(tmp_path / "b.csv", [["x" + r[0], *r[1:]] for r in ROWS[1:2] + ROWS[5:]])
    result = json.loads(run("match", str(ours), "--against", str(theirs), "--threshold", "0.5"))
    assert result["pairs"]
    assert all(not p["a"].startswith("x") and p["b"].startswith("x") for p in result["pairs"])
    assert {(p["a"], p["b"]) for p in result["pairs"]} >= {("5", "x6")}


def test_match_finds_synthetic_duplicates(tmp_path: Path) -> None:
    rows, truth = synthetic.records(300, seed=11)
    body = [
        [
            r["record_id"], r["source"], r["family_name"], r["given_name"], r["name_km"],
            r["sex"], r["birth_date"].isoformat() if r["birth_date"] else
            (str(r["birth_year"]) if r["birth_year"] else ""), r["nationality"],
            r["province"], r["phone"], "",
        ]
        for r in rows
    ]  # fmt: skip
    result = json.loads(run("match", str(write(tmp_path / "s.csv", body))))
    found = {tuple(sorted((p["a"], p["b"]))) for p in result["pairs"]}
    true = synthetic.true_pairs(truth)
    assert len(found & true) / len(found) >= 0.9
    assert len(found & true) / len(true) >= 0.6


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        (HEADER[:-1], [r[:-1] for r in ROWS], "missing column(s): document_number"),
        ((*HEADER, "passport"), [[*r, ""] for r in ROWS], "unknown column(s): passport"),
        (HEADER, [*ROWS[:2], ["7", *ROWS[2][1:6], "1990-02-30", *ROWS[2][7:]]], "row 4, "
         "birth_date: '1990-02-30'"),
        (HEADER, [*ROWS, ROWS[0]], "row 8, record_id: '1' already used in row 2"),
        (HEADER, [["", *ROWS[0][1:]]], "row 2, record_id: empty"),
        (HEADER, [], "no records after the header"),
        (HEADER, [[*ROWS[0][:2], "x" * 201, *ROWS[0][3:]]], "row 2, family_name: longer"),
        (HEADER, [ROWS[0][:5]], "row 2: 5 values for 11 columns"),
    ],
)  # fmt: skip
def test_bad_files_are_refused_naming_the_field(tmp_path: Path, header, rows, message) -> None:
    path = write(tmp_path / "bad.csv", rows, header)
    out = io.StringIO()
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("linkage", "match", str(path), stdout=out)
    assert out.getvalue() == ""


def test_empty_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="the file is empty"):
        run("match", str(empty))
    with pytest.raises(CommandError, match="cannot be read"):
        run("match", str(tmp_path / "absent.csv"))
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"record_id\n\xe9\n")
    with pytest.raises(CommandError, match="not UTF-8"):
        run("match", str(latin1))


@pytest.mark.parametrize("threshold", ["0", "1", "-0.1", "1.5", "nan", "abc"])
def test_threshold_outside_zero_one_is_refused(tmp_path: Path, threshold: str) -> None:
    path = str(write(tmp_path / "p.csv", ROWS))
    out = io.StringIO()
    with pytest.raises(CommandError, match="--threshold"):
        call_command("linkage", "match", path, "--threshold", threshold, stdout=out)
    assert out.getvalue() == ""


def test_ids_shared_by_both_files_are_refused(tmp_path: Path) -> None:
    path = str(write(tmp_path / "p.csv", ROWS))
    with pytest.raises(CommandError, match="record_id: '1' is in both files"):
        run("match", path, "--against", path)
