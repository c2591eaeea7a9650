"""`ctip linkage match|encode|compare`: match person files, and match across borders blind;
`ctip linkage run`: resolve identities over the registry."""

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ctip.access.actors import COMMAND_LINE
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.linkage.engine import blind, files, model
from ctip.linkage.engine.records import document_key, normalise
from ctip.linkage.management.run import add_run_parser, handle_run
from ctip.linkage.selectors import agreement_in_force, agreement_persons, covers_nationality
from ctip.linkage.services import agreement_record
from ctip.registry.crypto import blind_index
from ctip.registry.models import IdentityDocument


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
        agreement = sub.add_parser(
            "agreement", help="record the agreement with a partner that encode obeys"
        )
        agreement.add_argument("--partner", required=True)
        agreement.add_argument(
            "--roles", nargs="+", default=["victim"], help="roles covered (default: victim)"
        )
        agreement.add_argument(
            "--nationalities", nargs="*", default=[], help="three-letter codes (none: any)"
        )
        agreement.add_argument("--cases-from", required=True, help="YYYY-MM-DD")
        agreement.add_argument("--cases-until", default="", help="YYYY-MM-DD (none: open)")
        agreement.add_argument("--in-force-until", required=True, help="YYYY-MM-DD")
        agreement.add_argument(
            "--reference", required=True, help="the signed agreement's reference"
        )
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
            if verb == "agreement":
                self.stdout.write(self.agreement(options))
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
            records, agreement = registry_records(partner)
        encoding = blind.encode(records, secret=secret, partner=partner, method=options["method"])
        Path(options["output"]).write_text(json.dumps(encoding), encoding="utf-8")
        if not options["input"]:
            audit_record(
                actor=None,  # the command line's operator, as other commands record it
                action=AuditAction.EXPORT,
                object_type="linkage.encoding",
                obj=agreement,
                detail={"partner": partner, "method": options["method"], "persons": len(records)},
            )
        return f"{len(records)} persons encoded for {partner} ({options['method']})."

    def agreement(self, options: dict[str, Any]) -> str:
        dates = {}
        for name in ("cases_from", "cases_until", "in_force_until"):
            text = options[name]
            try:
                dates[name] = datetime.date.fromisoformat(text) if text else None
            except ValueError:
                raise CommandError(
                    f"--{name.replace('_', '-')}: {text!r} is not YYYY-MM-DD"
                ) from None
        try:
            agreement = agreement_record(
                actor=COMMAND_LINE,
                partner=options["partner"],
                roles=options["roles"],
                nationalities=options["nationalities"],
                reference=options["reference"],
                **dates,
            )
        except ValidationError as error:
            field, messages = next(iter(error.message_dict.items()))
            raise CommandError(f"--{field.replace('_', '-')}: {messages[0]}") from None
        until = agreement.in_force_until
        return f"Agreement with {agreement.partner} recorded (in force until {until})."

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


def registry_records(partner: str) -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    """The persons the agreement with `partner` covers (ctip.linkage.selectors), decrypted in
    memory only, with an opaque id that only this installation can map back (a keyed hash of
    the person id, per partner); and the agreement. No agreement in force: a refusal."""
    try:
        agreement = agreement_in_force(partner=partner, on=timezone.localdate())
    except ValidationError as error:
        raise CommandError(f"--partner: {error.message_dict['partner'][0]}") from None
    persons = agreement_persons(actor=COMMAND_LINE, agreement=agreement)
    numbers = dict(
        IdentityDocument.objects.filter(person__in=persons).values_list("person", "number")
    )
    records = []
    for person in persons.iterator(chunk_size=2000):
        if not covers_nationality(agreement, person.citizenships):
            continue
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
    return records, agreement
