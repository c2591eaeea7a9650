"""Person records reduced to the columns the matching model compares.

The input is a plain mapping (a decrypted registry person, a CSV row); the output holds only
comparison keys: name skeletons (docs/decisions/0004-person-search-keys.md), the Khmer form,
birth date parts, sex, nationality, place, an E.164 phone and a document blind index. Names
reach the model only as lower-case text and skeletons, so "Sokhar" and "សុខា" meet "Sokha".
"""

import datetime
import functools
import hashlib
import re
import unicodedata
from collections.abc import Mapping

import phonenumbers

from ctip.registry.names import is_khmer, name_parts, skeleton

# Every column normalise() returns, in the order the model's input table uses.
COLUMNS = (
    "unique_id",
    "source",
    "family_norm",
    "given_norm",
    "family_sk",
    "given_sk",
    "family_cons",
    "given_cons",
    "family_tf",
    "given_tf",
    "name_km",
    "sex",
    "birth_date",
    "birth_year",
    "birth_md",
    "birth_dm",
    "birth_estimated",
    "nationality",
    "province",
    "village",
    "phone",
    "document_index",
)
TEXT_COLUMNS = frozenset(COLUMNS) - {"birth_year", "birth_estimated"}
_INVISIBLE = re.compile("[\u200b\u200c\u200d\ufeff]")
_VOWELS = re.compile("[aeiou]")
_SEX = {"f": "F", "female": "F", "m": "M", "male": "M", "x": "X", "other": "X"}


def _text(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.isascii():  # most values: nothing to normalise, no invisible characters
        return text.strip()
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).strip()


# Names, places and phone prefixes recur all the time (a few thousand names cover a million
# persons), so their keys are computed once per distinct value: normalising is then a few
# microseconds a record instead of a millisecond. The caches hold keys of names, which the
# process holds decrypted anyway, and are bounded.
_CACHE = 1 << 17


@functools.lru_cache(maxsize=_CACHE)
def _latin(value: str) -> str:
    """Lower-case letters and single spaces: how two spellings are compared "exactly"."""
    text = unicodedata.normalize("NFKD", value.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@functools.lru_cache(maxsize=_CACHE)
def _skeleton(name: str) -> str:
    """The skeleton of a whole name part: skeletons of its words joined (Thi Lan -> tilan)."""
    return "".join(skeleton(part) for part in name_parts(name))


@functools.lru_cache(maxsize=_CACHE)
def consonants(key: str) -> str:
    """The skeleton without vowels after the first letter (Samnang and Somnang -> smnng)."""
    return key[:1] + _VOWELS.sub("", key[1:]) if key else ""


_PLAIN_PHONE = re.compile(r"(\+855|0)[ \-]?(\d{2})[ \-]?(\d{3})[ \-]?(\d{3,4})")


def phone_key(value: object) -> str:
    """E.164 form of a phone number, Cambodian by default (012 345 678 = +85512345678)."""
    text = _text(value)
    if not text:
        return ""
    plain = _PLAIN_PHONE.fullmatch(text)
    if plain is not None and plain.group(2)[0] != "0":
        # The usual ways of writing a Cambodian number, read without phonenumbers' full
        # parser (a tenth of normalising's time); the tests check both give the same key.
        return "+855" + "".join(plain.groups()[1:])
    try:
        number = phonenumbers.parse(text, "KH")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= 6 else ""


def document_key(number: object) -> str:
    """A stand-in for the registry's blind index where there is no registry (files): the
    number upper-cased without spaces or dashes, hashed; equal numbers give equal keys."""
    text = re.sub(r"[^0-9A-Z]", "", _text(number).upper())
    return hashlib.sha256(f"document\x1f{text}".encode()).hexdigest()[:32] if text else ""


def _split_khmer(name_km: str) -> tuple[str, str]:
    """Family and given part of a Khmer full name, written family name first."""
    parts = name_parts(name_km)
    if not parts:
        return "", ""
    return parts[0], " ".join(parts[1:])


def _birth(row: Mapping[str, object]) -> tuple[str, int | None, str, str]:
    date = row.get("birth_date")
    year = row.get("birth_year")
    if isinstance(date, datetime.datetime):
        date = date.date()
    if isinstance(date, datetime.date):
        return (
            date.isoformat(),
            date.year,
            f"{date.month:02d}-{date.day:02d}",
            (f"{date.day:02d}-{date.month:02d}"),
        )
    if isinstance(year, int) and not isinstance(year, bool):
        return "", year, "", ""
    return "", None, "", ""


@functools.lru_cache(maxsize=_CACHE)
def _name_columns(family_raw: str, given_raw: str, name_km: str) -> tuple[str, ...]:
    """(family_norm, given_norm, family_sk, given_sk, family_cons, given_cons, name_km)."""
    km_family, km_given = _split_khmer(name_km) if is_khmer(name_km) else ("", "")
    # A Latin name is compared in Latin; a record that has only the Khmer form is compared
    # through its romanised skeleton, so it still meets the Latin spelling of another record.
    family = family_raw or km_family
    given = given_raw or km_given
    family_sk, given_sk = _skeleton(family), _skeleton(given)
    return (
        _latin(family) if not is_khmer(family) else family,
        _latin(given) if not is_khmer(given) else given,
        family_sk,
        given_sk,
        consonants(family_sk),
        consonants(given_sk),
        " ".join(name_parts(name_km)),
    )


@functools.lru_cache(maxsize=_CACHE)
def frequency_key(nationality: str, name_key: str) -> str:
    """The key a name's frequency is counted under: the skeleton within the nationality.

    Names are not independent of nationality: a Sinhalese or Nepali name is rare among all
    records but common among the few persons of that nationality, and two strangers of it
    share one often (bench/linkage.py ceiling found most false matches there)."""
    return f"{nationality}:{name_key}" if name_key else ""


def normalise(row: Mapping[str, object]) -> dict[str, object]:
    """The comparison columns of one person record (see COLUMNS); empty values are None."""
    family_norm, given_norm, family_sk, given_sk, family_cons, given_cons, name_km = _name_columns(
        _text(row.get("family_name")), _text(row.get("given_name")), _text(row.get("name_km"))
    )
    birth_date, birth_year, birth_md, birth_dm = _birth(row)
    sex = _SEX.get(_text(row.get("sex")).casefold(), "")
    nationality = _text(row.get("nationality")).upper()
    out: dict[str, object] = {
        "unique_id": str(row["record_id"]),
        "source": _text(row.get("source")),
        "family_norm": family_norm,
        "given_norm": given_norm,
        "family_sk": family_sk,
        "given_sk": given_sk,
        "family_cons": family_cons,
        "given_cons": given_cons,
        "family_tf": frequency_key(nationality, family_sk),
        "given_tf": frequency_key(nationality, given_sk),
        "name_km": name_km,
        "sex": sex,
        "birth_date": birth_date,
        "birth_year": birth_year,
        "birth_md": birth_md,
        "birth_dm": birth_dm,
        "birth_estimated": bool(row.get("birth_estimated")) and not birth_date,
        "nationality": nationality,
        "province": _latin(_text(row.get("province"))),
        "village": _latin(_text(row.get("village"))),
        "phone": phone_key(row.get("phone")),
        "document_index": _text(row.get("document_index")),
    }
    for column in TEXT_COLUMNS:
        if out[column] == "":
            out[column] = None
    return out
