"""`ctip import FILE`: check a spreadsheet row by row, show the report, and apply it if clean."""

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from tqdm import tqdm

from ctip.access.models import Agency, User
from ctip.exchange.choices import BatchStatus, Layout
from ctip.exchange.selectors import column_mapping_get, import_problems, write_report_csv
from ctip.exchange.services import import_apply, import_upload, import_validate
from ctip.exchange.tasks import recount_imported_cases


class Command(BaseCommand):
    help = "Import an HTCDS or agency spreadsheet (XLSX/CSV) or an ODK/Kobo export."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", default="", help="name of a saved column mapping")
        parser.add_argument("--agency", default="", help="code of the agency owning the cases")
        parser.add_argument("--user", required=True, help="username the import is done as")
        parser.add_argument("--sheet", default="")
        parser.add_argument("--month-first", action="store_true", help="dates are MM/DD/YYYY")
        parser.add_argument("--kobo", action="store_true", help="an ODK/KoboToolbox export")
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")
        parser.add_argument("--skip-rejected", action="store_true")
        parser.add_argument("--report", type=Path, help="write the report to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            actor = User.objects.get(username=options["user"], is_active=True)
        except User.DoesNotExist as error:
            raise CommandError(f"No active user {options['user']!r}.") from error
        mapping = None
        try:
            if options["mapping"]:
                mapping = column_mapping_get(actor=actor, name=options["mapping"])
        except Http404 as error:
            raise CommandError(str(error)) from error
        code = options["agency"] or (mapping.agency.code if mapping else "")
        if not code:
            raise CommandError("Give --agency CODE (or a --mapping, which names its agency).")
        agency = Agency.objects.filter(code=code).first()
        if agency is None:
            raise CommandError(f"No agency with code {code!r}.")
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"No such file: {path}")
        try:
            batch = import_upload(
                actor=actor,
                path=path,
                file_name=path.name,
                agency=agency,
                mapping=mapping,
                layout=Layout.KOBO if options["kobo"] else "",
                sheet=options["sheet"],
                day_first=False if options["month_first"] else None,
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError("; ".join(getattr(error, "messages", [str(error)]))) from error
        bar = tqdm(total=0, unit="row", desc="checking", file=sys.stderr)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        batch = import_validate(
            actor=actor, batch=batch, on_progress=progress, keep_rows=not options["dry_run"]
        )
        bar.close()
        if batch.status == BatchStatus.FAILED:
            raise CommandError(f"Refused: {batch.refusal}")
        shown = 0
        for problem in import_problems(actor=actor, batch=batch)[:50]:
            self.stdout.write(
                f"row {problem.row:>7}  {problem.column:<32} {problem.code:<14} {problem.message}"
            )
            shown += 1
        if batch.problem_count > shown:
            self.stdout.write(f"... and {batch.problem_count - shown} more (see --report)")
        if options["report"]:
            with options["report"].open("w", encoding="utf-8", newline="") as handle:
                write_report_csv(actor=actor, batch=batch, handle=handle)
        self.stdout.write(
            f"{batch.total_rows} rows checked, {batch.rejected_rows} with problems "
            f"({batch.problem_count} problems)."
        )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing written.")
            return
        bar = tqdm(total=batch.total_rows, unit="row", desc="importing", file=sys.stderr)
        try:
            batch = import_apply(
                actor=actor,
                batch=batch,
                skip_rejected=options["skip_rejected"],
                on_progress=progress,
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages) + " Nothing was written.") from error
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(f"Imported: {batch.result}"))
        recount_imported_cases()
