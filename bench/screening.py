"""Benchmark of mass screening: registering and screening 500 persons found in one operation.

Two measurements, each beside a baseline taken in the same run, medians and p95 printed:

1. The import step: a 500-row spreadsheet of persons found, uploaded through the operation's
   page path (`screening.importing.found_persons_import`: exchange's upload and reader, every
   row checked, then each person registered through the registry's services, encrypted, with
   their document and their place in the operation's case). Baseline: the same 500 persons as
   an HTCDS file through the exchange import (`import_upload`, `import_validate`,
   `import_apply`: checked, then written with COPY), the bulk path with no per-person service.
   Target: the import step within 60 s.
2. The screening form: for every person, the interview page (GET) and its submission (POST,
   14 indicators, a decision; a victim profile written), through Django's test client signed
   in as the officer. Baseline: the registry's person page (GET) of the same persons.
   Target: p95 of the form within 200 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ctip_screen_bench \\
        .venv/bin/python bench/screening.py --persons 500

The database must be migrated with reference data loaded (`ctip migrate`, `ctip
load-reference`); the bench adds its own officer, operation and persons (seeded, generated).
"""

import argparse
import csv
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ctip.settings.test")

import django

django.setup()

import openpyxl  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from ctip.access.models import Agency, Membership, User  # noqa: E402
from ctip.access.testing import verified_login  # noqa: E402
from ctip.exchange.services import import_apply, import_upload, import_validate  # noqa: E402
from ctip.reference.models import Province  # noqa: E402
from ctip.screening import services  # noqa: E402
from ctip.screening.choices import INDICATOR_CODES  # noqa: E402
from ctip.screening.demo import found_rows, interview  # noqa: E402
from ctip.screening.importing import found_persons_import  # noqa: E402
from ctip.screening.models import FoundPerson  # noqa: E402

COLUMNS = ("number", "family_name", "given_name", "name_km", "sex", "age", "age_is_apparent",
           "nationality", "language", "document_held", "document_number")  # fmt: skip


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} / {p95(values) * 1000:.0f}"


def officer(run: str) -> Any:
    user = User.objects.create_user(username=f"bench-screen-{run}", password="bench-only-x1!")
    Membership.objects.create(
        user=user, agency=Agency.objects.get(code="PAHT-18"), role="case_officer"
    )
    return user


def write_xlsx(path: Path, rows: list[dict[str, Any]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    for number, row in enumerate(rows, start=1):
        sheet.append([number if c == "number" else row.get(c, "") for c in COLUMNS])
    book.save(path)


def write_htcds(path: Path, rows: list[dict[str, Any]], run: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["cas_CaseId", "cas_CaseOwner", "ctip_Province", "ctip_OpenedOn",
                      "ctip_CaseKind", "prs_PersonId", "prs_FirstName", "prs_SecondName",
                      "ctip_Sex", "ctip_EstimatedAge", "prs_Citizenship"])  # fmt: skip
        for i, row in enumerate(rows):
            opened = timezone.localdate().isoformat()
            out.writerow([f"bench-{run}", "PAHT-18", "KH-18", opened, "forced_criminality",
                          f"bench-{run}-{i}", row["given_name"], row["family_name"], row["sex"],
                          row["age"], row["nationality"]])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument(
        "--screen",
        type=int,
        default=0,
        help="time the form on the first N persons only (default: all); the rest stay pending",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        help="after the timed run, profile the form (GET and POST) on N more persons and print "
        "the functions that cost the most CPU",
    )
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    run = timezone.now().strftime("%H%M%S")
    rng = random.Random(args.seed)
    rows = found_rows(rng, args.persons)
    user = officer(run)
    load_before = os.getloadavg()[0]
    day = timezone.localdate() - datetime.timedelta(days=2)
    operation = services.operation_create(
        actor=user,
        kind="raid",
        name=f"Bench raid {run}",
        conducted_on=day,
        province=Province.objects.get(code="KH-18"),
        place="Bench compound",
        lead_agency=Agency.objects.get(code="PAHT-18"),
    )
    with tempfile.TemporaryDirectory() as folder:
        htcds = Path(folder) / "baseline.csv"
        write_htcds(htcds, rows, run)
        start = time.perf_counter()
        batch = import_upload(actor=user, path=htcds, file_name="baseline.csv",
                              agency=Agency.objects.get(code="PAHT-18"))  # fmt: skip
        import_validate(actor=user, batch=batch)
        batch = import_apply(actor=user, batch=batch, skip_rejected=True)
        baseline_import = time.perf_counter() - start
        sheet = Path(folder) / "raid.xlsx"
        write_xlsx(sheet, rows)
        start = time.perf_counter()
        screened_batch = found_persons_import(
            actor=user, operation=operation, path=sheet, file_name="raid.xlsx"
        )
        import_seconds = time.perf_counter() - start
    if not screened_batch.result:
        raise SystemExit(f"import refused: {screened_batch.refusal}")
    found = list(FoundPerson.objects.filter(operation=operation).order_by("number"))
    client = Client()
    verified_login(client, user)
    person_pages: list[float] = []
    form_gets: list[float] = []
    form_posts: list[float] = []
    # This process's CPU per request (the database server's own CPU is not in it): what a
    # request costs whatever the load on the machine.
    cpu_gets: list[float] = []
    cpu_posts: list[float] = []

    def submission(person: Any) -> dict[str, Any]:
        answers = interview(rng, day, person.language)
        data = {f"a_{code}": answers["answers"][code] for code in INDICATOR_CODES}
        data.update(
            interviewed_on=day.isoformat(),
            language=answers["language"],
            decision=answers["decision"],
            reasons=answers["reasons"],
        )
        if answers["consent_to_embassy"]:
            data["consent_to_embassy"] = "on"
        return data

    timed = found[: args.screen or None]
    for person in timed:
        url = reverse("registry:person-detail", args=[person.person_id])
        start = time.perf_counter()
        response = client.get(url)
        person_pages.append(time.perf_counter() - start)
        assert response.status_code == 200, response.status_code
        url = reverse("screening:found-detail", args=[person.pk])
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        form_gets.append(time.perf_counter() - start)
        cpu_gets.append(time.process_time() - cpu)
        assert response.status_code == 200, response.status_code
        data = submission(person)
        start, cpu = time.perf_counter(), time.process_time()
        response = client.post(url, data)
        form_posts.append(time.perf_counter() - start)
        cpu_posts.append(time.process_time() - cpu)
        assert response.status_code == 302, response.content[:500]
    both = [g + p for g, p in zip(form_gets, form_posts, strict=True)]
    decided = FoundPerson.objects.filter(operation=operation).exclude(decision="pending").count()
    print(f"database: {connection.vendor}; persons: {len(found)} (screened {decided}); "
          f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")  # fmt: skip
    print()
    print("| step | baseline | ctip | ratio |")
    print("|---|---:|---:|---:|")
    ratio = import_seconds / baseline_import
    print(f"| import of {len(found)} persons, s (baseline: HTCDS bulk import) | "
          f"{baseline_import:.1f} | {import_seconds:.1f} | {ratio:.1f} |")  # fmt: skip
    print()
    print("| page (median / p95 ms) | baseline: person page | screening form |")
    print("|---|---:|---:|")
    print(f"| GET | {ms(person_pages)} | {ms(form_gets)} |")
    print(f"| POST (interview recorded) | — | {ms(form_posts)} |")
    print(f"| GET + POST | — | {ms(both)} |")
    print(f"| CPU of this process, GET / POST | — | {ms(cpu_gets)} / {ms(cpu_posts)} |")
    print(f"ratio GET p95 form / person page: {p95(form_gets) / p95(person_pages):.2f}")
    if args.profile:
        import cProfile
        import pstats

        rest = found[len(timed) : len(timed) + args.profile]
        profiler = cProfile.Profile()
        profiler.enable()
        for person in rest:
            url = reverse("screening:found-detail", args=[person.pk])
            client.get(url)
            client.post(url, submission(person))
        profiler.disable()
        print(f"\nprofile of {len(rest)} GET + POST of the form (cProfile, by own time):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
