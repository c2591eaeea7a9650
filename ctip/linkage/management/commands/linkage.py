"""`ctip linkage match|encode|compare`: match person files, and match across borders blind;
`ctip linkage run`: resolve identities over the registry."""

import csv
import io
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ctip.linkage.engine import blind, files, model
from ctip.linkage.engine.records import document_key, normalise
from ctip.linkage.management.run import add_run_parser, handle_run


def _threshold(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"--threshold: {text!r} is not a number") from None
    if not 0 < value < 1:
        raise CommandError(f"--threshold: {text} must lie strictly between 0 and 1")
    return value


class Command(BaseCommand):
    help = (
        "Identity resolution: match person files; encode and compare them across borders; "
        "run: resolve identities over the registry."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        match = sub.add_parser(
            "match", help="deduplicate a person CSV (or link it to another) and print the pairs"
        )
        match.add_argument("file", help="CSV with the columns of docs/linkage.md")
        match.add_argument("--against", default="", help="a second CSV to link the first to")
        output = match.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help="JSON output (the default)")
        output.add_argument("--format", choices=("json", "csv"), default="json")
        match.add_argument(
            "--threshold",
            default=str(model.DEFAULT_THRESHOLD),
            help=f"probability at which a pair is the same person (default "
            f"{model.DEFAULT_THRESHOLD})",
        )
        self.add_blind_arguments(sub)
        add_run_parser(sub)

    def add_blind_arguments(self, sub: Any) -> None:
        """encode/compare: privacy-preserving encodings (ctip/linkage/engine/blind.py)."""
        encode = sub.add_parser(
            "encode", help="write keyed encodings of persons for matching with a partner"
        )
        encode.add_argument("--partner", required=True, help="the partner country or agency")
        encode.add_argument(
            "--key-file", required=True, help="the secret agreed with the partner (not copied)"
        )
        encode.add_argument("--output", required=True, help="where to write the encodings")
        encode.add_argument(
            "--input", default="", help="encode this person CSV instead of the registry"
        )
        encode.add_argument("--method", choices=("keys", "bloom"), default="keys")
        compare = sub.add_parser("compare", help="match our encodings against a partner's")
        compare.add_argument("ours")
        compare.add_argument("theirs")
        compare.add_argument("--key-file", required=True, help="the secret agreed with them")

    def handle(self, *args: Any, **options: Any) -> None:
        verb = options["verb"]
        if verb == "match":
            self.stdout.write(self.match(options), ending="")
            return
        if verb == "run":
            handle_run(options, self.stdout)
            return
        try:
            if verb == "encode":
                self.stdout.write(self.encode(options))
                return
            if verb == "compare":
                self.stdout.write(self.compare(options), ending="")
                return
        except (blind.BlindError, files.FileError) as error:
            raise CommandError(str(error)) from None
        raise CommandError(f"unknown action {verb!r}")  # argparse refuses it first

    def match(self, options: dict[str, Any]) -> str:
        """The whole output, built before anything is printed: a refusal prints nothing else."""
        threshold = _threshold(options["threshold"])
        try:
            rows = files.read_persons(options["file"])
            against = files.read_persons(options["against"]) if options["against"] else []
            result = files.match(rows, against, threshold=threshold)
        except files.FileError as error:
            raise CommandError(str(error)) from None
        if options["format"] == "csv":
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(["a", "b", "probability", "cluster"])
            cluster_of = {
                member: number
                for number, cluster in enumerate(result["clusters"], start=1)
                for member in cluster
            }
            for pair in result["pairs"]:
                writer.writerow([pair["a"], pair["b"], pair["probability"], cluster_of[pair["a"]]])
            return out.getvalue()
        return json.dumps(result, ensure_ascii=False, indent=2) + "\n"

    @staticmethod
    def secret(path: str) -> bytes:
        try:
            return Path(path).read_bytes().strip()
        except OSError as error:
            raise CommandError(f"--key-file: cannot be read ({error.strerror})") from None

    def encode(self, options: dict[str, Any]) -> str:
        secret = self.secret(options["key_file"])
        partner = options["partner"].strip()
        if not partner:
            raise CommandError("--partner: empty")
        if options["input"]:
            rows = files.read_persons(options["input"])
            records = [
                (str(row["record_id"]), {**normalise(row), "document": row["document_index"]})
                for row in rows
            ]
        else:
            records = registry_records(partner)
        encoding = blind.encode(records, secret=secret, partner=partner, method=options["method"])
        Path(options["output"]).write_text(json.dumps(encoding), encoding="utf-8")
        if not options["input"]:
            from ctip.audit.choices import AuditAction
            from ctip.audit.services import audit_record

            audit_record(
                actor=None,  # the command line's operator, as other commands record it
                action=AuditAction.EXPORT,
                object_type="linkage.encoding",
                detail={"partner": partner, "method": options["method"], "persons": len(records)},
            )
        return f"{len(records)} persons encoded for {partner} ({options['method']})."

    def compare(self, options: dict[str, Any]) -> str:
        secret = self.secret(options["key_file"])
        loaded = []
        for label in ("ours", "theirs"):
            try:
                text = Path(options[label]).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{options[label]}: cannot be read ({error})") from None
            loaded.append(blind.load(text, name=options[label]))
        pairs = blind.compare(loaded[0], loaded[1], secret=secret)
        return json.dumps({"pairs": pairs}, indent=2) + "\n"


def registry_records(partner: str) -> list[tuple[str, dict[str, Any]]]:
    """Every person the registry holds, decrypted in memory only, with an opaque id that only
    this installation can map back (a keyed hash of the person id, per partner)."""
    from ctip.access.actors import COMMAND_LINE
    from ctip.registry.crypto import blind_index
    from ctip.registry.models import IdentityDocument
    from ctip.registry.selectors import person_queryset

    persons = person_queryset(actor=COMMAND_LINE)
    numbers = dict(
        IdentityDocument.objects.filter(person__in=persons).values_list("person", "number")
    )
    records = []
    for person in persons.iterator(chunk_size=2000):
        row = {
            "record_id": person.pk,
            "family_name": person.family_name_latin,
            "given_name": person.given_name_latin,
            "name_km": f"{person.family_name_km} {person.given_name_km}".strip(),
            "sex": {"female": "F", "male": "M"}.get(person.sex, ""),
            "birth_date": person.date_of_birth,
            "birth_year": person.birth_year,
            "birth_estimated": person.estimated_age is not None,
        }
        opaque = blind_index(str(person.pk), purpose=f"linkage-opaque:{partner}")
        document = document_key(numbers.get(person.pk, ""))
        records.append((opaque, {**normalise(row), "document": document or None}))
    return records
