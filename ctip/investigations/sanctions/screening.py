"""What a listed entity offers to screening: its names, years of birth, countries, identifiers.

Pure functions over FollowTheMoney entity dicts (the file's own form), used by the loader, the
screening service and the benchmark alike.
"""

from collections.abc import Mapping
from typing import Any

from followthemoney import model

from .matching import MAX_NAMES, Subject

NAME_PROPERTIES = ("name", "alias", "previousName", "firstName", "lastName")
# weakAlias ("Boss", "Ah Long") is shown, never matched on: a nickname names too many people.
COUNTRY_PROPERTIES = ("nationality", "citizenship", "country", "jurisdiction", "mainCountry")
# Identifiers compared exactly (after normalisation), per FollowTheMoney schema.
IDENTIFIER_PROPERTIES = {
    "BankAccount": (("bank_account", "accountNumber"), ("bank_account", "iban")),
    "CryptoWallet": (("crypto_wallet", "publicKey"),),
    "UserAccount": (("account", "username"),),
    "Vehicle": (("vehicle", "registrationNumber"),),
}


def subject_kind(schema_name: str) -> str:
    """ "person", "organisation", "account" or "" (links and the rest are not screened)."""
    schema = model.get(schema_name)
    if schema is None:
        return ""
    if schema.is_a("Person"):
        return "person"
    if schema.is_a("Organization") or schema.name == "LegalEntity":
        return "organisation"
    if schema.name in IDENTIFIER_PROPERTIES:
        return "account"
    return ""


def _values(properties: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for name in names:
        for value in properties.get(name, ()):
            if value not in out:
                out.append(value)
    return out


def entity_names(data: Mapping[str, Any]) -> list[str]:
    """The names screening compares, the name first."""
    properties = data.get("properties", {})
    names = _values(properties, ("name", "alias", "previousName"))
    first, last = properties.get("firstName", []), properties.get("lastName", [])
    if first and last:
        names.append(f"{first[0]} {last[0]}")
    return names[:MAX_NAMES]


def birth_years(data: Mapping[str, Any]) -> list[int]:
    years = []
    for value in data.get("properties", {}).get("birthDate", []):
        if value[:4].isdigit():
            years.append(int(value[:4]))
    return sorted(set(years))


def countries(data: Mapping[str, Any]) -> list[str]:
    return sorted({c.lower() for c in _values(data.get("properties", {}), COUNTRY_PROPERTIES)})


def identifiers(data: Mapping[str, Any]) -> list[list[str]]:
    """[kind, value as listed] of the entity's phones and accounts."""
    properties = data.get("properties", {})
    found = [["phone", value] for value in properties.get("phone", [])]
    for kind, name in IDENTIFIER_PROPERTIES.get(str(data.get("schema")), ()):
        found.extend([kind, value] for value in properties.get(name, []))
    return found


def listed_subject(data: Mapping[str, Any]) -> Subject | None:
    """The entity as screening compares it, or None when it has no name to compare."""
    kind = subject_kind(str(data.get("schema", "")))
    names = entity_names(data)
    if kind not in ("person", "organisation") or not names:
        return None
    return Subject(
        str(data["id"]),
        kind,
        names,
        frozenset(birth_years(data)),
        frozenset(countries(data)),
    )
