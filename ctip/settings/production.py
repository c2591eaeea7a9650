"""Production settings: PostgreSQL, HTTPS only, secrets from the environment, no defaults."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def required(name: str) -> str:
    """Fail at start-up, naming the variable, rather than run with an insecure default."""
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"Environment variable {name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = required("CTIP_SECRET_KEY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("CTIP_SSL_REDIRECT", "1") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("CTIP_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Behind the HTTPS proxy, lockouts count the client's address from the one header that proxy
# sets (deploy/nginx/ctip.conf sets X-Real-IP), never from X-Forwarded-For.
CTIP_TRUSTED_PROXY_HEADER = os.environ.get("CTIP_TRUSTED_PROXY_HEADER", "X-Real-IP")
AXES_IPWARE_META_PRECEDENCE_ORDER = client_address_headers(CTIP_TRUSTED_PROXY_HEADER)  # noqa: F405
