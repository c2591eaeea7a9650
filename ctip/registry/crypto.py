"""Keys for identity fields: authenticated encryption (Fernet) and keyed blind indexes (HMAC).

Keys come from the environment or a key file, never from the database. The first field key
encrypts; every listed key decrypts, which is what lets `ctip keys rotate` re-encrypt
everything under a new key while the old one still reads.
"""

import hashlib
import hmac
import json
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = ["InvalidToken", "blind_index", "decrypt", "encrypt", "keyring", "reset_keyring"]


def _key_file() -> dict[str, object]:
    path = getattr(settings, "CTIP_KEY_FILE", "")
    if not path or not Path(path).exists():
        return {}
    return json.loads(Path(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _keys() -> tuple[list[bytes], bytes]:
    from_file = _key_file()
    field_keys = list(settings.CTIP_FIELD_KEYS) or list(from_file.get("field_keys", []))  # type: ignore[call-overload]
    index_key = settings.CTIP_BLIND_INDEX_KEY or str(from_file.get("blind_index_key", ""))
    if not field_keys or not index_key:
        raise ImproperlyConfigured(
            "No encryption keys: set CTIP_FIELD_KEYS and CTIP_BLIND_INDEX_KEY, or CTIP_KEY_FILE "
            "(`ctip keys init` writes one for development)."
        )
    return [key.encode() if isinstance(key, str) else key for key in field_keys], index_key.encode()


@lru_cache(maxsize=1)
def keyring() -> MultiFernet:
    """The field keys, newest first."""
    return MultiFernet([Fernet(key) for key in _keys()[0]])


def reset_keyring() -> None:
    """Forget cached keys (after rotation, or when tests change settings)."""
    _keys.cache_clear()
    keyring.cache_clear()


def encrypt(plaintext: str) -> str:
    """Encrypt text under the newest key; the token carries its own integrity tag."""
    return keyring().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    """Decrypt a token; a token altered in the database raises InvalidToken, never garbage."""
    return keyring().decrypt(token.encode("ascii")).decode("utf-8")


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash for exact-match lookups; `purpose` keeps indexes of different fields apart."""
    if not value:
        return ""
    digest = hmac.new(_keys()[1], f"{purpose}\x1f{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
