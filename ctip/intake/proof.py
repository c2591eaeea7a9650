"""Proof-of-work for the public form, as GlobaLeaks does: the browser spends a moment of CPU
before it may submit, which costs a person nothing and a flood a great deal.

A challenge is random bytes, an expiry and a difficulty, signed with the secret key so that
the server keeps nothing until it is used. The solver (static/intake/pow.js) finds a nonce
such that SHA-256(challenge ":" nonce) starts with `difficulty` zero bits. A used challenge is
remembered until it expires (SpentChallenge) so that one solution is not replayed. Without
JavaScript there is no solution: the report is still accepted, marked lower-trust and counted
against a smaller global limit (docs/decisions/0750).
"""

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Challenge:
    token: str
    difficulty: int


def _sign(body: str) -> str:
    key = hashlib.sha256(b"ctip-intake-pow\x1f" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()[:32]


def issue_challenge(*, now: float | None = None) -> Challenge:
    """A fresh challenge, valid for CTIP_INTAKE_POW_SECONDS."""
    expires = int((now or time.time()) + settings.CTIP_INTAKE_POW_SECONDS)
    difficulty = settings.CTIP_INTAKE_POW_BITS
    nonce = base64.urlsafe_b64encode(secrets.token_bytes(12)).decode().rstrip("=")
    body = f"{nonce}.{expires}.{difficulty}"
    return Challenge(token=f"{body}.{_sign(body)}", difficulty=difficulty)


def leading_zero_bits(digest: bytes) -> int:
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        bits += 8 - byte.bit_length()
        break
    return bits


def check_solution(token: str, solution: str, *, now: float | None = None) -> tuple[bool, float]:
    """(valid, expiry) for a challenge token and the nonce a browser found. Valid means signed
    by us, not expired, and solved at the difficulty it was issued with."""
    token, solution = (token or "")[:200], (solution or "")[:40]
    parts = token.split(".")
    if len(parts) != 4 or not solution.isdigit():
        return False, 0.0
    nonce, expires_text, difficulty_text, signature = parts
    body = f"{nonce}.{expires_text}.{difficulty_text}"
    if not hmac.compare_digest(signature, _sign(body)):
        return False, 0.0
    try:
        expires, difficulty = int(expires_text), int(difficulty_text)
    except ValueError:
        return False, 0.0
    if expires < (now or time.time()):
        return False, 0.0
    digest = hashlib.sha256(f"{token}:{solution}".encode()).digest()
    return leading_zero_bits(digest) >= difficulty, float(expires)


def solve(token: str, difficulty: int) -> str:
    """Find a solution (what pow.js does), for tests, the benchmark and the demo."""
    counter = 0
    while True:
        digest = hashlib.sha256(f"{token}:{counter}".encode()).digest()
        if leading_zero_bits(digest) >= difficulty:
            return str(counter)
        counter += 1
