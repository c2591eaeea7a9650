"""Settings shared by every environment; each value that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("CTIP_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable."""
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("CTIP_SECRET_KEY", "")
DEBUG = env_bool("CTIP_DEBUG")
ALLOWED_HOSTS = env_list("CTIP_ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ctip.reference",
    "ctip.access",
    "ctip.audit",
    "ctip.registry",
    "ctip.linkage",
    "ctip.stats",
    "ctip.referrals",
    "ctip.exchange",
    "ctip.intake",
    "ctip.screening",
    "ctip.verification",
    "ctip.investigations",
    "ctip.web",
    "ctip.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ctip.access.middleware.IdleTimeoutMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "ctip.access.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "ctip.audit.middleware.RequestIdMiddleware",
    "ctip.api.middleware.RefuseNulQueryMiddleware",
    # After authentication and sessions: a retried API POST replays its first answer.
    "ctip.api.idempotency.IdempotencyMiddleware",
    # Last, as django-axes asks: it turns a flagged failed sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTH_USER_MODEL = "access.User"
# django-axes first: it refuses locked-out usernames before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
ROOT_URLCONF = "ctip.urls"
WSGI_APPLICATION = "ctip.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ctip.web.context_processors.navigation",
            ],
        },
    },
]


def sqlite_options() -> dict[str, object]:
    """SQLite for a small office's concurrent users (the embedded default, decision 0007).

    Every request writes (reads are audited), so two users at once once met "database is
    locked": a deferred transaction that reads and then writes cannot wait for the write lock
    and fails at once. IMMEDIATE transactions take the write lock up front, so writers queue
    for up to `timeout` seconds instead; WAL lets readers go on while one writes.
    """
    return {
        "transaction_mode": "IMMEDIATE",
        "timeout": int(os.environ.get("CTIP_SQLITE_BUSY_SECONDS", "20")),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }


DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'ctip.sqlite3'}"),
        conn_max_age=int(os.environ.get("CTIP_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        **sqlite_options(),
        **DATABASES["default"].get("OPTIONS", {}),
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: PostgreSQL compiles any plan it costs high, and the scoped case count is costed
    # high at a million cases; compiling it took 0.5-2.9 s on top of a 1.5 s query
    # (docs/benchmarks.md, "Load"). Short web queries never repay the compilation.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2 first: the brief asks for memory-hard hashing of staff passwords.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("km", _("Khmer"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("CTIP_TIME_ZONE", "Asia/Phnom_Penh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("CTIP_STATIC_ROOT", VAR_DIR / "static"))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sign-in security (issue #3): a one-time code after the password for every account, and a
# lockout after repeated failures, counted per username (known or not: both behave the same)
# and, separately, per client address (so one address cannot spray many usernames).
CTIP_REQUIRE_OTP = env_bool("CTIP_REQUIRE_OTP", True)
OTP_TOTP_ISSUER = "ctip"
AXES_ENABLED = env_bool("CTIP_LOCKOUT_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("CTIP_LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("CTIP_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success forgets only that account's failures from that address (ctip.access.lockout):
# never another account's, and never what the address has against other accounts.
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "ctip.access.lockout.AccountAddressHandler"
# The client's address comes from the one header the trusted proxy sets (the shipped
# deploy/nginx/ctip.conf sets X-Real-IP from the connection, replacing what a client sent),
# else from the connection itself; nothing else a client sends (X-Forwarded-For) is read.
# Empty (the default outside production): no proxy, the connection's own address.
CTIP_TRUSTED_PROXY_HEADER = os.environ.get("CTIP_TRUSTED_PROXY_HEADER", "")


def client_address_headers(header: str) -> list[str]:
    """request.META keys django-ipware reads the client's address from, in order."""
    if not header.strip():
        return ["REMOTE_ADDR"]
    return ["HTTP_" + header.strip().upper().replace("-", "_"), "REMOTE_ADDR"]


AXES_IPWARE_META_PRECEDENCE_ORDER = client_address_headers(CTIP_TRUSTED_PROXY_HEADER)
# One header holding one address, set by the proxy: no chain of proxies to count.
AXES_IPWARE_PROXY_COUNT = None
AXES_LOCKOUT_TEMPLATE = "access/locked.html"
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("CTIP_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
# Activity pushes the expiry forward (ctip.access.middleware.IdleTimeoutMiddleware, at most
# once a minute), so SESSION_COOKIE_AGE acts as the idle timeout.
SESSION_SAVE_EVERY_REQUEST = False
CTIP_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Person searches one user may run per minute (registry.search_limits); 0 turns the limit off.
CTIP_SEARCH_RATE_PER_MINUTE = int(os.environ.get("CTIP_SEARCH_RATE_PER_MINUTE", "30"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested too deeply, and NUL characters, are a 400, not a 500 (ctip.api.parsers).
    "DEFAULT_PARSER_CLASSES": [
        "ctip.api.parsers.BoundedJSONParser",
        "ctip.api.parsers.SafeFormParser",
        "ctip.api.parsers.SafeMultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "ctip.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Services raise Django's ValidationError; this answers it as a 400 keyed by field.
    "EXCEPTION_HANDLER": "ctip.api.exceptions.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "ctip API",
    "DESCRIPTION": "Case registry of the counter-trafficking committee and its agencies.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Tag operations by resource (cases, persons...) rather than by the version prefix.
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # The schema and its docs pages are for signed-in staff, like the API itself.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and ReDoc assets come from drf-spectacular-sidecar: no CDN at run time.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents the 400/401/403/404 answers it can give (ctip.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ctip.api.schema.document_error_answers",
    ],
    # Several models have a `kind` or `status`; give each value list its own schema name.
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "ctip.registry.choices.CaseKind",
        "CaseStatusEnum": "ctip.registry.choices.CaseStatus",
        "ClosingStatusEnum": "ctip.registry.api.CLOSING_STATUS_CHOICES",
        "EventKindEnum": "ctip.registry.choices.EventKind",
        "DocumentKindEnum": "ctip.registry.choices.DocumentKind",
        "AgencyKindEnum": "ctip.access.choices.AgencyKind",
        "OperationKindEnum": "ctip.screening.choices.OperationKind",
        "ScreeningDecisionEnum": "ctip.screening.choices.DECIDED_VALUES",
        "ScreeningStateEnum": "ctip.screening.choices.Decision",
        "RepatriationStatusEnum": "ctip.screening.choices.Repatriation",
        "IdentifierKindEnum": "ctip.investigations.choices.IdentifierKind",
        "OrganisationKindEnum": "ctip.investigations.choices.OrganisationKind",
    },
}

# Keys for the encrypted identity fields and their blind indexes. Never stored in the database.
# CTIP_FIELD_KEYS: comma-separated Fernet keys, newest first (the first encrypts; all decrypt).
# CTIP_BLIND_INDEX_KEY: a separate secret for the keyed (HMAC) exact-match indexes.
# CTIP_KEY_FILE: a JSON file {"field_keys": [...], "blind_index_key": "..."} used when the
# variables are absent.
CTIP_FIELD_KEYS = env_list("CTIP_FIELD_KEYS")
CTIP_BLIND_INDEX_KEY = os.environ.get("CTIP_BLIND_INDEX_KEY", "")
CTIP_KEY_FILE = os.environ.get("CTIP_KEY_FILE", "")

# Background jobs (imports, exports): a database-backed queue, so no extra server is needed.
# Run `ctip db_worker` beside the web server to work through the queue.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("CTIP_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# Imports: where uploaded files wait between checking and applying, and what is refused.
CTIP_IMPORT_DIR = os.environ.get("CTIP_IMPORT_DIR", "")
CTIP_IMPORT_MAX_BYTES = int(os.environ.get("CTIP_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))
CTIP_IMPORT_MAX_UNCOMPRESSED = int(
    os.environ.get("CTIP_IMPORT_MAX_UNCOMPRESSED", str(2 * 1024 * 1024 * 1024))
)
CTIP_IMPORT_MAX_RATIO = int(os.environ.get("CTIP_IMPORT_MAX_RATIO", "200"))
# What openpyxl reads whole into memory: the shared strings, and any part but a worksheet.
CTIP_IMPORT_MAX_SHARED_STRINGS = int(
    os.environ.get("CTIP_IMPORT_MAX_SHARED_STRINGS", str(100 * 1024 * 1024))
)
CTIP_IMPORT_MAX_PART = int(os.environ.get("CTIP_IMPORT_MAX_PART", str(32 * 1024 * 1024)))
# A check or apply whose heartbeat is silent this long died; its batch is released.
CTIP_IMPORT_STALE_SECONDS = int(os.environ.get("CTIP_IMPORT_STALE_SECONDS", "600"))
# The longest one upload's check may take before it is stopped and refused.
CTIP_IMPORT_MAX_SECONDS = int(os.environ.get("CTIP_IMPORT_MAX_SECONDS", "3600"))
# Files larger than this are checked and applied as background jobs; smaller ones at once.
CTIP_IMPORT_INLINE_BYTES = int(os.environ.get("CTIP_IMPORT_INLINE_BYTES", str(512 * 1024)))
# The file store (attachments, evidence): the largest file accepted, the largest picture in
# pixels (a decompression bomb is refused from its header), the most pages of a PDF.
CTIP_FILE_MAX_BYTES = int(os.environ.get("CTIP_FILE_MAX_BYTES", str(10 * 1024 * 1024)))
CTIP_FILE_MAX_PIXELS = int(os.environ.get("CTIP_FILE_MAX_PIXELS", str(40_000_000)))
CTIP_FILE_MAX_PAGES = int(os.environ.get("CTIP_FILE_MAX_PAGES", "300"))
# An attachment up to the limit stays in memory while it is checked and sealed: Django would
# otherwise spill uploads over 2.5 MB to a temporary file on disk, readable (decision 0130).
FILE_UPLOAD_MAX_MEMORY_SIZE = CTIP_FILE_MAX_BYTES + 64 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CTIP_LOG_LEVEL", "INFO")},
}

# The audit trail's witness (ctip.audit.witness): signed checkpoints in a directory the
# database owner cannot rewrite (another owner, append-only, or synced off the machine),
# taken every N events and at least every S seconds while events are written. The key signs
# them (HMAC-SHA256); without one, a key derived from CTIP_SECRET_KEY. An empty directory
# setting turns witnesses off.
CTIP_AUDIT_WITNESS_DIR = os.environ.get("CTIP_AUDIT_WITNESS_DIR", str(VAR_DIR / "audit-witness"))
CTIP_AUDIT_WITNESS_KEY = os.environ.get("CTIP_AUDIT_WITNESS_KEY", "")
CTIP_AUDIT_WITNESS_EVERY = int(os.environ.get("CTIP_AUDIT_WITNESS_EVERY", "100"))
CTIP_AUDIT_WITNESS_SECONDS = int(os.environ.get("CTIP_AUDIT_WITNESS_SECONDS", "300"))

# How long an API POST's Idempotency-Key is remembered (ctip.api.idempotency).
CTIP_IDEMPOTENCY_HOURS = int(os.environ.get("CTIP_IDEMPOTENCY_HOURS", "24"))

# Total privacy-loss budget (epsilon) that all differentially private releases may spend.
CTIP_DP_TOTAL_EPSILON = float(os.environ.get("CTIP_DP_TOTAL_EPSILON", "4"))

# Covering indexes (INCLUDE columns) serve PostgreSQL; SQLite ignores the extra columns,
# which is harmless for the embedded default.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# E-mail (the daily referral digest): any SMTP server.
EMAIL_HOST = os.environ.get("CTIP_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("CTIP_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("CTIP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("CTIP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CTIP_EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("CTIP_EMAIL_FROM", "ctip@localhost")
# Linkage (identity resolution): pairs at or above the upper probability are linked by a run,
# those between the thresholds go to the review queue; the registration check shows matches
# from the lower one. See docs/linkage.md for tuning.
CTIP_LINKAGE_LOWER = float(os.environ.get("CTIP_LINKAGE_LOWER", "0.5"))
CTIP_LINKAGE_UPPER = float(os.environ.get("CTIP_LINKAGE_UPPER", "0.95"))
CTIP_LINKAGE_BACKEND = os.environ.get("CTIP_LINKAGE_BACKEND", "duckdb")
# Run the linkage as a background job after every applied import.
CTIP_LINKAGE_AFTER_IMPORT = env_bool("CTIP_LINKAGE_AFTER_IMPORT", True)
# At most this many stored persons are scored against a person being registered.
CTIP_LINKAGE_CHECK_CANDIDATES = int(os.environ.get("CTIP_LINKAGE_CHECK_CANDIDATES", "50"))
# The registration check lists visible persons from this probability (at most _SHOWN of
# them), lower than CTIP_LINKAGE_LOWER: for an officer, a missed duplicate is the costly error.
CTIP_LINKAGE_CHECK_THRESHOLD = float(os.environ.get("CTIP_LINKAGE_CHECK_THRESHOLD", "0.005"))
CTIP_LINKAGE_CHECK_SHOWN = int(os.environ.get("CTIP_LINKAGE_CHECK_SHOWN", "5"))

# Content-Security-Policy (django-csp) on every response: scripts, styles, fonts and images
# come only from ctip itself (they ship in the package), never inline, never from elsewhere.
# The one exception is the ReDoc page (ctip/api/urls.py), whose renderer injects its styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Intake (issue #15): the public report form, its receipt codes and its abuse limits
# (docs/intake.md, docs/decisions/0750). The public pages speak more languages than the staff
# pages: staff choose among LANGUAGES; a reporter among these, by a link in the page (no cookie).
INTAKE_PUBLIC_LANGUAGES = [
    ("km", "ខ្មែរ"),
    ("en", "English"),
    ("zh-hans", "中文"),
    ("vi", "Tiếng Việt"),
    ("th", "ไทย"),
    ("id", "Bahasa Indonesia"),
]
# Receipt codes are kept as Argon2id hashes whose salt derives from this secret (else from
# CTIP_SECRET_KEY); changing it makes every receipt code unreadable.
CTIP_INTAKE_RECEIPT_PEPPER = os.environ.get("CTIP_INTAKE_RECEIPT_PEPPER", "")
CTIP_INTAKE_RECEIPT_ARGON2_TIME = int(os.environ.get("CTIP_INTAKE_RECEIPT_ARGON2_TIME", "2"))
CTIP_INTAKE_RECEIPT_ARGON2_MEMORY_KIB = int(
    os.environ.get("CTIP_INTAKE_RECEIPT_ARGON2_MEMORY_KIB", "19456")
)
# Proof of work: leading zero bits of SHA-256 a browser must find, and how long a challenge lasts.
CTIP_INTAKE_POW_BITS = int(os.environ.get("CTIP_INTAKE_POW_BITS", "16"))
CTIP_INTAKE_POW_SECONDS = int(os.environ.get("CTIP_INTAKE_POW_SECONDS", "3600"))
# Global limits per minute, for everyone together (nothing identifies who is submitting):
# reports with a solved proof of work, reports sent without JavaScript, receipt look-ups.
CTIP_INTAKE_SUBMIT_PER_MINUTE = int(os.environ.get("CTIP_INTAKE_SUBMIT_PER_MINUTE", "120"))
CTIP_INTAKE_NOSCRIPT_PER_MINUTE = int(os.environ.get("CTIP_INTAKE_NOSCRIPT_PER_MINUTE", "20"))
CTIP_INTAKE_LOOKUP_PER_MINUTE = int(os.environ.get("CTIP_INTAKE_LOOKUP_PER_MINUTE", "120"))
# Files a reporter may send: per message (the report or a later one), per report in all, and
# for everyone together per minute (each file costs a decode and re-encode to strip it).
CTIP_INTAKE_FILES_PER_MESSAGE = int(os.environ.get("CTIP_INTAKE_FILES_PER_MESSAGE", "3"))
CTIP_INTAKE_FILES_PER_REPORT = int(os.environ.get("CTIP_INTAKE_FILES_PER_REPORT", "20"))
CTIP_INTAKE_FILES_PER_MINUTE = int(os.environ.get("CTIP_INTAKE_FILES_PER_MINUTE", "60"))
# A report naming at least this many people held is given high priority.
CTIP_INTAKE_MANY_PEOPLE = int(os.environ.get("CTIP_INTAKE_MANY_PEOPLE", "10"))

# This installation's name as partner countries record it in their agreements: the sender of
# the investigations app's network packages, and the addressee a received one must name.
CTIP_EXCHANGE_NAME = os.environ.get("CTIP_EXCHANGE_NAME", "KH")
