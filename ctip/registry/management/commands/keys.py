"""`ctip keys init|generate`: make encryption keys for identity fields (rotation: issue #3)."""

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

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verb"] == "generate":
            self.stdout.write(Fernet.generate_key().decode())
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
