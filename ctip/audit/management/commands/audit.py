"""`ctip audit verify|checkpoint|grants`: check the hash chain against its signed witness,
take a witness, print the PostgreSQL grants that lock the table down."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.audit.guard import grant_statements
from ctip.audit.services import chain_checkpoint, chain_verify
from ctip.audit.witness import WitnessError, witness_latest, witness_write


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain, print a checkpoint, or print PostgreSQL grants."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        verify = sub.add_parser("verify", help="walk the chain; exit 1 at the first broken link")
        verify.add_argument(
            "--checkpoint",
            default="",
            help="a file written by `ctip audit checkpoint --output` (instead of the newest "
            "signed witness in CTIP_AUDIT_WITNESS_DIR)",
        )
        verify.add_argument(
            "--no-witness", action="store_true", help="walk the chain alone, without a witness"
        )
        checkpoint = sub.add_parser(
            "checkpoint",
            help="print the head (count, hash) as JSON and keep it as a signed witness",
        )
        checkpoint.add_argument("--output", default="", help="also write it to this file")
        grants = sub.add_parser("grants", help="print SQL for an app role that cannot edit audit")
        grants.add_argument("--role", required=True, help="the application's database role")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "checkpoint":
            head = chain_checkpoint()
            text = json.dumps(head, indent=2)
            if head["sequence"]:
                written = witness_write(head)
                if written:
                    self.stderr.write(f"Witness written to {written}")
            if options["output"]:
                Path(options["output"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(text)
            return
        if verb == "grants":
            for statement in grant_statements(options["role"]):
                self.stdout.write(statement + ";")
            return
        checkpoint = None
        source = "checkpoint"
        if not options["checkpoint"] and not options["no_witness"]:
            try:
                checkpoint = witness_latest()
            except WitnessError as error:
                raise CommandError(f"Audit witness refused: {error}.") from error
            source = "signed witness"
        if options["checkpoint"]:
            try:
                checkpoint = json.loads(Path(options["checkpoint"]).read_text(encoding="utf-8"))
                int(checkpoint["sequence"]), str(checkpoint["hash"])
            except (OSError, ValueError, KeyError, TypeError) as error:
                raise CommandError(f"--checkpoint: cannot read a checkpoint: {error}") from error
        report = chain_verify(checkpoint=checkpoint)
        if report.broken:
            raise CommandError(
                f"Audit trail broken at event #{report.broken.sequence} "
                f"({report.broken.kind}): {report.broken.message}. "
                f"The {report.count} events before it are intact."
            )
        extends = (
            f"; it extends {source} #{checkpoint['sequence']}"
            if checkpoint
            else "; no witness to compare with (see CTIP_AUDIT_WITNESS_DIR)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {report.count} events, head #{report.head_sequence} "
                f"{report.head_hash}{extends}."
            )
        )
