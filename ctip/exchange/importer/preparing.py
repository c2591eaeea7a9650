"""A checked row turned into the rows it will be stored as, identity fields encrypted."""

import datetime
from collections.abc import Iterator
from typing import Any

from ctip.registry.crypto import encrypt

from .matching import validated_chunks
from .reading import RowResult, Source
from .records import Context, person_keys

# --- rows as they will be stored ------------------------------------------------------------

# A prepared row is a tuple of plain values (marshal writes them to the checked-rows file):
#   (row number, rejected, case external id, case values, person external id, person values,
#    victim-profile values), or (row number, True) for a rejected row. The values tuples hold
#   what the CASE/PERSON/VICTIM tables below take, less ids, references and timestamps.
Prepared = tuple[Any, ...]


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _enc(text: str) -> str:
    return encrypt(text) if text else ""


def prepare(result: RowResult, ctx: Context) -> Prepared:
    """A checked row as the values it will be stored with: encrypted, keyed, as plain text."""
    if result.problems:
        return (result.row, True)
    c = result.case
    case = (
        str(c["kind"]),
        str(c["status"]),
        str(c["source"]),
        c["owning_agency_id"],
        c["province_id"],
        c["opened_on"].isoformat(),
        _iso(c["closed_on"]),
        c["closure_reason"],
    )
    person = profile = person_id = None
    if result.person:
        p = result.person
        keys, dob_index = result.keys or person_keys(p, ctx)
        dob, age = p["date_of_birth"], p["estimated_age"]
        birth_year = None
        if dob:
            birth_year = dob.year
        elif age is not None:
            birth_year = (p["age_recorded_on"] or ctx.today).year - age
        person_id = p["external_id"]
        person = (
            _enc(p["given_name_km"]),
            _enc(p["family_name_km"]),
            _enc(p["given_name_latin"]),
            _enc(p["family_name_latin"]),
            str(p["sex"]),
            p["gender"],
            encrypt(dob.isoformat()) if dob else None,
            age,
            _iso(p["age_recorded_on"]),
            birth_year,
            ctx.as_json(p["citizenships"]),
            _enc(p["phone"]),
            _enc(p["address"]),
            keys,
            dob_index,
            c["owning_agency_id"],
        )
    if result.profile:
        v = result.profile
        profile = (
            v["trafficking_status"],
            v["status_decided_by"],
            v["age_when_trafficked"],
            ctx.as_json(v["recruitment_methods"]),
            ctx.as_json(v["means_of_control"]),
            ctx.as_json(v["exploitation_types"]),
            ctx.as_json(v["labour_industries"]),
            ctx.as_json(v["sex_exploitation_types"]),
            v["consent_to_share"],
        )
    return (result.row, False, c["external_id"], case, person_id, person, profile)


def prepared_chunks(source: Source, ctx: Context) -> Iterator[list[Prepared]]:
    """The file checked again and prepared, for when no checked rows were kept (or they are
    stale: another day, another key, changed reference data)."""
    for chunk, _file_problems in validated_chunks(source, ctx):
        yield [prepare(result, ctx) for result in chunk]
