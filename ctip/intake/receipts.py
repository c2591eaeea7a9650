"""Receipt codes of reports: 16 random digits for the reporter, only an Argon2 hash for us.

The hash is peppered rather than salted per report: its salt comes from a secret outside the
database (CTIP_INTAKE_RECEIPT_PEPPER, else derived from CTIP_SECRET_KEY), the same for every
code, so that a code can be found by its hash with one index lookup instead of trying every
report's salt. Argon2id's memory-hard cost is what slows guessing of a stolen table; the
secret salt means the table alone is not enough to start (docs/decisions/0750).
"""

import hashlib
import hmac
import secrets

from argon2.low_level import Type, hash_secret_raw
from django.conf import settings

RECEIPT_DIGITS = 16


def new_receipt_code() -> str:
    """16 random decimal digits (about 53 bits), from the operating system's generator."""
    return "".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS))


def normalise_receipt_code(text: str) -> str | None:
    """The 16 digits of what a reporter typed (spaces and dashes allowed), or None."""
    digits = "".join(ch for ch in (text or "")[:64] if ch not in " -\u00a0")
    # Khmer, Thai and other digits a phone keyboard may type count as the same digits.
    try:
        digits = "".join(str(int(ch)) for ch in digits)
    except ValueError:
        return None
    return digits if len(digits) == RECEIPT_DIGITS else None


def format_receipt_code(code: str) -> str:
    """'1234 5678 9012 3456': easier to copy by hand."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _salt() -> bytes:
    pepper = settings.CTIP_INTAKE_RECEIPT_PEPPER or settings.SECRET_KEY
    return hmac.new(pepper.encode(), b"ctip-intake-receipt-salt", hashlib.sha256).digest()[:16]


def receipt_hash(code: str) -> str:
    """The stored form of a receipt code: Argon2id (RFC 9106), hex encoded."""
    raw = hash_secret_raw(
        secret=code.encode(),
        salt=_salt(),
        time_cost=settings.CTIP_INTAKE_RECEIPT_ARGON2_TIME,
        memory_cost=settings.CTIP_INTAKE_RECEIPT_ARGON2_MEMORY_KIB,
        parallelism=1,
        hash_len=32,
        type=Type.ID,
    )
    return "argon2id$" + raw.hex()
