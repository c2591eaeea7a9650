"""Keys for identity fields: authenticated encryption (AES-256-GCM) and keyed blind indexes.

Keys come from the environment or a key file, never from the database. Each field key is 32
random bytes in URL-safe base64 (`ctip keys generate`). The first key encrypts; every listed
key decrypts, found by the key id each token carries, which is what lets `ctip keys rotate`
re-encrypt everything under a new key while the old one still reads.

A token is URL-safe base64 of: version byte 0x01, a 4-byte key id (the start of the key's
SHA-256), a 12-byte random nonce, then the ciphertext with its 16-byte GCM tag. Any change
to a token fails the tag check and raises InvalidToken. Tokens written by the first
releases (Fernet, which start with "gAAAAA") still decrypt with the same keys; rotation
rewrites them. Why AES-GCM over Fernet: docs/decisions/0008-aes-gcm-field-tokens.md.
"""

import base64
import binascii
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

__all__ = [
    "InvalidToken",
    "blind_index",
    "decrypt",
    "encrypt",
    "is_current",
    "reset_keyring",
    "rotate_token",
]

VERSION = b"\x01"
NONCE_SIZE = 12
KEY_ID_SIZE = 4
HEADER_SIZE = 1 + KEY_ID_SIZE + NONCE_SIZE
FERNET_PREFIX = "gAAAAA"


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
    keys = [key.encode() if isinstance(key, str) else key for key in field_keys]
    return keys, index_key.encode()


@dataclass(frozen=True)
class Keyring:
    """The field keys, newest first, each with its AES-GCM cipher and key id."""

    current_id: bytes
    ciphers: dict[bytes, AESGCM]
    legacy: MultiFernet


def _raw_key(encoded: bytes) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(encoded)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured("A field key is not URL-safe base64.") from error
    if len(raw) != 32:
        raise ImproperlyConfigured("A field key must be 32 bytes (`ctip keys generate`).")
    return raw


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    encoded = _keys()[0]
    ciphers: dict[bytes, AESGCM] = {}
    for key in encoded:
        raw = _raw_key(key)
        ciphers.setdefault(hashlib.sha256(raw).digest()[:KEY_ID_SIZE], AESGCM(raw))
    current_id = hashlib.sha256(_raw_key(encoded[0])).digest()[:KEY_ID_SIZE]
    return Keyring(current_id, ciphers, MultiFernet([Fernet(key) for key in encoded]))


def reset_keyring() -> None:
    """Forget cached keys (after rotation, or when tests change settings)."""
    _keys.cache_clear()
    keyring.cache_clear()


def encrypt(plaintext: str) -> str:
    """Encrypt text under the newest key; the token carries its own integrity tag."""
    ring = keyring()
    nonce = os.urandom(NONCE_SIZE)
    sealed = ring.ciphers[ring.current_id].encrypt(nonce, plaintext.encode("utf-8"), None)
    return base64.urlsafe_b64encode(VERSION + ring.current_id + nonce + sealed).decode("ascii")


def seal(data: bytes) -> bytes:
    """Encrypt bytes under the newest key (binary form of `encrypt`, for files)."""
    ring = keyring()
    nonce = os.urandom(NONCE_SIZE)
    return (
        VERSION + ring.current_id + nonce + ring.ciphers[ring.current_id].encrypt(nonce, data, None)
    )


def unseal(raw: bytes) -> bytes:
    """Decrypt what `seal` wrote; InvalidToken for anything altered or under an unknown key."""
    return _open_raw(raw)[1]


def _open(token: str) -> tuple[bytes, bytes]:
    """(key id, plaintext bytes) of a token; InvalidToken for anything altered or unknown."""
    ring = keyring()
    if token.startswith(FERNET_PREFIX):
        return b"", ring.legacy.decrypt(token.encode("ascii"))
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
    except (binascii.Error, ValueError, UnicodeEncodeError) as error:
        raise InvalidToken from error
    return _open_raw(raw)


def _open_raw(raw: bytes) -> tuple[bytes, bytes]:
    ring = keyring()
    if len(raw) <= HEADER_SIZE or raw[:1] != VERSION:
        raise InvalidToken
    key_id, nonce, sealed = (
        raw[1 : 1 + KEY_ID_SIZE],
        raw[1 + KEY_ID_SIZE : HEADER_SIZE],
        raw[HEADER_SIZE:],
    )
    cipher = ring.ciphers.get(key_id)
    if cipher is None:
        raise InvalidToken
    try:
        return key_id, cipher.decrypt(nonce, sealed, None)
    except InvalidTag as error:
        raise InvalidToken from error


def decrypt(token: str) -> str:
    """Decrypt a token; a token altered in the database raises InvalidToken, never garbage."""
    return _open(token)[1].decode("utf-8")


def is_current(token: str) -> bool:
    """Whether the newest key alone reads this token (so older keys may be retired)."""
    try:
        key_id, _plaintext = _open(token)
    except InvalidToken:
        return False
    return key_id == keyring().current_id


def rotate_token(token: str) -> str:
    """The same plaintext under the newest key (unchanged if already current)."""
    key_id, plaintext = _open(token)
    if key_id == keyring().current_id:
        return token
    return encrypt(plaintext.decode("utf-8"))


def is_current_sealed(raw: bytes) -> bool:
    """Whether `seal`ed bytes are under the newest key (read from the header, no decryption)."""
    return raw[1 : 1 + KEY_ID_SIZE] == keyring().current_id


def rotate_sealed(raw: bytes) -> bytes:
    """The same bytes sealed under the newest key (unchanged if already current)."""
    if is_current_sealed(raw):
        return raw
    return seal(unseal(raw))


def blind_index(value: str, *, purpose: str) -> str:
    """A keyed hash for exact-match lookups; `purpose` keeps indexes of different fields apart."""
    if not value:
        return ""
    digest = hmac.new(_keys()[1], f"{purpose}\x1f{value}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]
