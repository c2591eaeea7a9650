"""Person records as the matching engine reads them: plain rows, decrypted only in memory.

The rows carry what the engine's `normalise` reads (the columns of `ctip linkage match`
files, with dates as dates). Identity fields leave the database encrypted and are decrypted
by the model fields as they are read, in this process; nothing here writes them anywhere.
The document number is passed as its blind index, which compares alike, never decrypted.
"""

import datetime
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, Subquery

from ctip.registry.models import IdentityDocument, Participant, Person

ROW_FIELDS = (
    "id",
    "family_name_latin",
    "given_name_latin",
    "family_name_km",
    "given_name_km",
    "sex",
    "date_of_birth",
    "birth_year",
    "citizenships",
    "phone",
    "address",
)


def record_id(person_id: int) -> str:
    return str(person_id)


def person_id(record: Any) -> int:
    return int(record)


def row(
    *,
    record: str,
    source: str = "",
    family_name: str = "",
    given_name: str = "",
    family_name_km: str = "",
    given_name_km: str = "",
    sex: str = "",
    date_of_birth: datetime.date | None = None,
    birth_year: int | None = None,
    citizenships: list[str] | None = None,
    province: str = "",
    address: str = "",
    phone: str = "",
    document_index: str = "",
) -> dict[str, Any]:
    """One record as the engine's normalise() reads it. A birth year without a date is an
    estimate (the registry keeps the year of an estimated age)."""
    return {
        "record_id": record,
        "source": source or "",
        "family_name": family_name or "",
        "given_name": given_name or "",
        "name_km": " ".join(p for p in (family_name_km, given_name_km) if p),
        "sex": "" if sex in (None, "unknown") else sex,
        "birth_date": date_of_birth,
        "birth_year": birth_year,
        "birth_estimated": date_of_birth is None and birth_year is not None,
        "nationality": (citizenships or [""])[0] or "",
        "province": province or "",
        "village": village_of(address),
        "phone": phone or "",
        "document_index": document_index or "",
    }


def village_of(address: str | None) -> str:
    """The village of an address: its first part, as forms write it first ("Village 12,
    Ta Khmau, Kandal" -> "Village 12"); compared only within the same province."""
    return (address or "").split(",")[0].strip()


def _first_case_province() -> Subquery:
    return Subquery(
        Participant.objects.filter(person=OuterRef("pk"))
        .order_by("id")
        .values("case__province__code")[:1]
    )


def _first_document() -> Subquery:
    return Subquery(
        IdentityDocument.objects.filter(person=OuterRef("pk"))
        .order_by("id")
        .values("number_index")[:1]
    )


def person_rows(
    persons: Any = None, *, chunk_size: int = 2000, stream: bool = True
) -> Iterator[dict[str, Any]]:
    """Rows of the given persons (a queryset; default every person), read in chunks."""
    queryset = Person.objects.all() if persons is None else persons
    queryset = (
        queryset.annotate(
            province_code=_first_case_province(),
            document=_first_document(),
        )
        .select_related("registered_by")
        .only(*ROW_FIELDS, "registered_by__code")
        .order_by("id")
    )
    # A whole registry streams through a server-side cursor; a few candidates come at once.
    persons = queryset.iterator(chunk_size=chunk_size) if stream else list(queryset)
    for person in persons:
        yield person_row(person)


def person_row(person: Any) -> dict[str, Any]:
    return row(
        record=record_id(person.pk),
        source=person.registered_by.code if person.registered_by_id else "",
        family_name=person.family_name_latin,
        given_name=person.given_name_latin,
        family_name_km=person.family_name_km,
        given_name_km=person.given_name_km,
        sex=person.sex,
        date_of_birth=person.date_of_birth,
        birth_year=person.birth_year,
        citizenships=person.citizenships,
        province=getattr(person, "province_code", "") or "",
        address=person.address,
        phone=person.phone,
        document_index=getattr(person, "document", "") or "",
    )
