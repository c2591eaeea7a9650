"""`ctip keys init|generate|rotate|check`: keys that encrypt identity fields, and rotation."""

import json
import secrets
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Manage the keys that encrypt identity fields."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="verb", required=True)
        init = sub.add_parser("init", help="write a key file for development if none exists")
        init.add_argument("--path", default="")
        sub.add_parser("generate", help="print a new field key for CTIP_FIELD_KEYS")
        rotate = sub.add_parser(
            "rotate",
            help="re-encrypt everything under the first key of CTIP_FIELD_KEYS (old keys after it)",
        )
        rotate.add_argument("--batch-size", type=int, default=500)
        sub.add_parser("check", help="count values the newest key alone cannot read yet")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "generate":
            self.stdout.write(Fernet.generate_key().decode())
            return
        if options["verb"] in ("rotate", "check"):
            self._rotate_or_check(options)
            return
        path = Path(options["path"] or settings.CTIP_KEY_FILE or "")
        if not str(path) or str(path) == ".":
            raise CommandError("--path: no key file configured (set CTIP_KEY_FILE).")
        if path.exists():
            self.stdout.write(f"Key file {path} already exists; left as it is.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = {
            "field_keys": [Fernet.generate_key().decode()],
            "blind_index_key": secrets.token_urlsafe(32),
        }
        path.write_text(json.dumps(keys, indent=2), encoding="utf-8")
        path.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {path} (keep it out of backups of the database).")
        )

    def _rotate_or_check(self, options: dict[str, Any]) -> None:
        from ctip.registry.services import keys_check, keys_rotate

        if options["verb"] == "rotate":
            if options["batch_size"] < 1:
                raise CommandError("--batch-size: must be at least 1.")
            counts = keys_rotate(batch_size=options["batch_size"])
            for column, count in counts.items():
                self.stdout.write(f"{column}: {count} re-encrypted")
        stale = keys_check()
        left = sum(stale.values())
        if left:
            for column, count in stale.items():
                if count:
                    self.stdout.write(f"{column}: {count} still need an older key")
            raise CommandError(f"{left} values still need an older key; run `ctip keys rotate`.")
        self.stdout.write(
            self.style.SUCCESS("Every encrypted value reads with the newest key alone.")
        )
