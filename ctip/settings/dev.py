"""Settings for a developer's machine and `make demo`: SQLite, debug pages, generated local keys."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = os.environ.get("CTIP_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("CTIP_SECRET_KEY", "dev-only-insecure-secret-key-change-me")
# A key file under var/ is created by `ctip keys init` (make demo runs it); never for production.
CTIP_KEY_FILE = os.environ.get("CTIP_KEY_FILE", str(VAR_DIR / "keys.json"))
# Mail is printed to the terminal on a developer's machine.
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
