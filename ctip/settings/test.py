"""Settings for the test suite: fixed throw-away keys, fast hashing, SQLite unless DATABASE_URL."""

import os

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
# Fixed keys so that tests are repeatable; they protect nothing real.
CTIP_FIELD_KEYS = ["_Wi-QL7e1x0K3_-_leueZJ1XSoYJq8Md0BuGqeqROlI="]
CTIP_BLIND_INDEX_KEY = "test-blind-index-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
if not os.environ.get("DATABASE_URL"):
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
# Other apps' tests sign in with client.login()/force_login(), which the one-time-code step
# and django-axes would refuse; the security tests (ctip/access/tests) turn both back on.
CTIP_REQUIRE_OTP = False
AXES_ENABLED = False
# No audit witnesses unless a test asks for them (into its own tmp_path).
CTIP_AUDIT_WITNESS_DIR = ""
# Background jobs run at once, in the test's own transaction.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# Imports in other apps' tests would each train a linkage model; the linkage tests turn the
# job after an import back on where they test it.
CTIP_LINKAGE_AFTER_IMPORT = False
