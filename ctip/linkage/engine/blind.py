"""Matching across borders without sharing identities: keyed encodings of person records.

Both sides agree a secret out of band (the key file never travels with an encoding). Each
side encodes its persons; either side compares the two files and learns which opaque ids
match. Two methods, measured against each other in bench/linkage.py (`blind`):

- `keys` (the default): keyed hashes (HMAC-SHA256 with the shared secret) of several match
  keys per person, strongest first — the approach national statistics offices use. Two
  persons match when they share a key; the strongest shared key is the evidence.
- `bloom`: a cryptographic long-term key (CLK) Bloom filter of name and birth bigrams, keyed
  with the same secret; pairs are scored by the Dice coefficient. Written by hand because
  clkhash pins cryptography < 41 (decision 0650); vulnerable to frequency attacks on
  multi-field filters (anonlink issue #40), see docs/security.md.

A file names its schema and carries a fingerprint of the key (an HMAC of a fixed text, which
reveals nothing of the key): files made with another key, method or schema are refused.
"""

import base64
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

SCHEMA = "ctip-linkage-blind/1"
BLOOM_BITS = 1024
BLOOM_HASHES = 20
BLOOM_THRESHOLD = 0.85
MIN_SECRET_BYTES = 16
# Match keys, strongest first: (name, the normalised columns joined into the key).
MATCH_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("document", ("document",)),
    ("names + date of birth", ("family_sk", "given_sk", "birth_date")),
    ("swapped names + date of birth", ("given_sk", "family_sk", "birth_date")),
    ("sounds-alike names + date of birth", ("family_cons", "given_cons", "birth_date")),
    ("names + birth year + sex", ("family_sk", "given_sk", "birth_year", "sex")),
    ("swapped names + birth year + sex", ("given_sk", "family_sk", "birth_year", "sex")),
)


class BlindError(ValueError):
    """An encoding that cannot be compared; the message says why."""


def fingerprint(secret: bytes, method: str) -> str:
    return hmac.new(secret, f"{SCHEMA}\x1f{method}\x1ffingerprint".encode(), "sha256").hexdigest()[
        :16
    ]


def _hmac(secret: bytes, label: str, value: str) -> str:
    digest = hmac.new(secret, f"{label}\x1f{value}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest[:16]).decode()


def _value(record: Mapping[str, Any], column: str) -> str | None:
    value = record.get(column)
    return None if value is None or value == "" else str(value)


def match_keys(secret: bytes, record: Mapping[str, Any]) -> list[str | None]:
    """One keyed hash per match key (None where a part is missing)."""
    out: list[str | None] = []
    for name, columns in MATCH_KEYS:
        parts = [_value(record, column) for column in columns]
        out.append(None if None in parts else _hmac(secret, name, "\x1f".join(parts)))  # type: ignore[arg-type]
    return out


def _bigrams(text: str) -> list[str]:
    padded = f"_{text}_"
    return [padded[i : i + 2] for i in range(len(padded) - 1)]


def bloom(secret: bytes, record: Mapping[str, Any]) -> str:
    """A CLK: the bigrams of the name skeletons and the birth date set BLOOM_HASHES bits each."""
    tokens = []
    for column in ("family_sk", "given_sk"):
        value = _value(record, column)
        if value:
            tokens += [f"n:{gram}" for gram in _bigrams(value)]
    if _value(record, "birth_date"):
        tokens += [f"d:{gram}" for gram in _bigrams(str(record["birth_date"]))]
    elif _value(record, "birth_year"):
        tokens.append(f"y:{record['birth_year']}")
    if _value(record, "sex"):
        tokens.append(f"s:{record['sex']}")
    bits = bytearray(BLOOM_BITS // 8)
    for token in tokens:
        # Double hashing keyed with the secret (Schnell et al.); h1 and h2 from one HMAC.
        digest = hmac.new(secret, token.encode(), hashlib.sha256).digest()
        h1, h2 = int.from_bytes(digest[:8], "big"), int.from_bytes(digest[8:16], "big")
        for i in range(BLOOM_HASHES):
            position = (h1 + i * h2) % BLOOM_BITS
            bits[position // 8] |= 1 << (position % 8)
    return base64.b64encode(bytes(bits)).decode()


def encode(
    records: Iterable[tuple[str, Mapping[str, Any]]],
    *,
    secret: bytes,
    partner: str,
    method: str = "keys",
) -> dict[str, Any]:
    """The encoding file of (opaque id, normalised record) pairs; no key inside it."""
    if len(secret) < MIN_SECRET_BYTES:
        raise BlindError(f"key: the shared secret must be at least {MIN_SECRET_BYTES} bytes")
    if method not in ("keys", "bloom"):
        raise BlindError(f"method: unknown method {method!r} (keys or bloom)")
    rows = []
    for opaque, record in records:
        if method == "keys":
            rows.append([opaque, match_keys(secret, record)])
        else:
            rows.append([opaque, bloom(secret, record)])
    return {
        "schema": SCHEMA,
        "method": method,
        "partner": partner,
        "key_fingerprint": fingerprint(secret, method),
        "match_keys": [name for name, _columns in MATCH_KEYS] if method == "keys" else [],
        "records": rows,
    }


def load(text: str, *, name: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BlindError(f"{name}: not an encoding file ({error.msg})") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BlindError(f"{name}: schema: not a {SCHEMA} encoding")
    if not isinstance(data.get("records"), list):
        raise BlindError(f"{name}: records: missing")
    return data


def compare(
    ours: Mapping[str, Any], theirs: Mapping[str, Any], *, secret: bytes
) -> list[dict[str, Any]]:
    """Matched pairs (our opaque id, theirs, evidence); refuses mismatched files."""
    for label, data in (("OURS", ours), ("THEIRS", theirs)):
        if data.get("key_fingerprint") != fingerprint(secret, str(data.get("method"))):
            raise BlindError(f"{label}: key_fingerprint: encoded with another key")
    if ours["method"] != theirs["method"]:
        raise BlindError(
            f"method: OURS is {ours['method']!r}, THEIRS is {theirs['method']!r}; "
            "both sides must use the same method"
        )
    if ours["method"] == "keys" and ours["match_keys"] != theirs["match_keys"]:
        raise BlindError("match_keys: the two files use different match keys")
    if ours["method"] == "keys":
        return _compare_keys(ours["records"], theirs["records"])
    return _compare_bloom(ours["records"], theirs["records"])


def _compare_keys(ours: Sequence[Any], theirs: Sequence[Any]) -> list[dict[str, Any]]:
    index: dict[tuple[int, str], list[str]] = {}
    for opaque, keys in theirs:
        for position, key in enumerate(keys):
            if key:
                index.setdefault((position, key), []).append(opaque)
    best: dict[tuple[str, str], int] = {}
    for opaque, keys in ours:
        for position, key in enumerate(keys):
            for other in index.get((position, key), ()) if key else ():
                pair = (opaque, other)
                best[pair] = min(best.get(pair, position), position)
    return [
        {"ours": a, "theirs": b, "evidence": MATCH_KEYS[position][0]}
        for (a, b), position in sorted(best.items())
    ]


def _compare_bloom(ours: Sequence[Any], theirs: Sequence[Any]) -> list[dict[str, Any]]:
    import numpy as np

    def matrix(rows: Sequence[Any]):
        raw = b"".join(base64.b64decode(filter_) for _id, filter_ in rows)
        return np.unpackbits(np.frombuffer(raw, dtype=np.uint8)).reshape(len(rows), BLOOM_BITS)

    if not ours or not theirs:
        return []
    a, b = matrix(ours).astype(np.float32), matrix(theirs).astype(np.float32)
    counts_a, counts_b = a.sum(axis=1), b.sum(axis=1)
    pairs = []
    for start in range(0, len(ours), 2048):  # bounded memory: 2048 x len(theirs) at a time
        common = a[start : start + 2048] @ b.T
        dice = 2 * common / (counts_a[start : start + 2048, None] + counts_b[None, :] + 1e-9)
        for i, j in zip(*np.nonzero(dice >= BLOOM_THRESHOLD), strict=True):
            pairs.append({
                "ours": ours[start + i][0],
                "theirs": theirs[j][0],
                "evidence": f"dice {float(dice[i, j]):.3f}",
            })  # fmt: skip
    return pairs
