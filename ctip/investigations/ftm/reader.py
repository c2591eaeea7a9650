"""Reading FollowTheMoney JSON lines: every line checked, every problem named, nothing half-read.

A file is one entity a line (`{"id": ..., "schema": ..., "properties": {name: [values]}}`), the
form `ftm export`, Aleph and OpenSanctions write. Each line is checked against the
followthemoney model: a known, concrete schema (optionally one of an allowed set), a string id
seen once in the file, only the schema's properties, each value valid for its type (dates,
countries, phone numbers...). Every line with a problem gets a message naming the line and the
property; the caller imports nothing unless there is none (no partial import).

Hostile files stay bounded: a line longer than MAX_LINE_BYTES, more than MAX_LINES lines or a
compressed file is refused before any entity is built, and messages stop at MAX_ERRORS.
"""

import dataclasses
import json
from collections.abc import Collection, Iterable
from typing import Any

from django.utils.translation import gettext as _
from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

MAX_LINE_BYTES = 1_000_000
MAX_LINES = 2_000_000
MAX_ERRORS = 100
MAX_ID_LENGTH = 200
MAX_VALUES = 1_000
_COMPRESSED = (b"\x1f\x8b", b"PK\x03\x04", b"BZh", b"\xfd7zXZ", b"(\xb5/\xfd")


@dataclasses.dataclass(frozen=True)
class LineError:
    """One problem, on one line (0: the file as a whole)."""

    line: int
    message: str

    def __str__(self) -> str:
        if self.line == 0:
            return self.message
        return _("line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


@dataclasses.dataclass
class ReadResult:
    """The entities of a file, or (and then no entity counts) the problems found in it."""

    entities: list[EntityProxy]
    errors: list[LineError]
    lines: dict[str, int] = dataclasses.field(default_factory=dict)  # id -> line
    # id -> values of the property types kept as written (keep_raw), not validated.
    raw: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def _check(
    data: Any, allowed: Collection[str] | None, keep_raw: Collection[str] = (), raw: Any = None
) -> tuple[EntityProxy | None, str]:
    """The entity of one parsed line, or why not. Values of the property types in `keep_raw`
    are taken out unvalidated into `raw[id]` (phones: kept as typed and flagged by the caller,
    where followthemoney would drop an unparseable one)."""
    if not isinstance(data, dict):
        return None, _("a line must be one JSON object")
    entity_id, schema_name, properties = data.get("id"), data.get("schema"), data.get("properties")
    if not isinstance(entity_id, str) or not entity_id.strip():
        return None, _("the entity has no id")
    if len(entity_id) > MAX_ID_LENGTH:
        return None, _("id longer than %(limit)s characters") % {"limit": MAX_ID_LENGTH}
    if not isinstance(schema_name, str):
        return None, _("entity %(id)s has no schema") % {"id": entity_id}
    schema = model.get(schema_name)
    if schema is None or schema.abstract:
        return None, _("entity %(id)s: unknown schema %(schema)r") % {
            "id": entity_id,
            "schema": schema_name[:80],
        }
    if allowed is not None and not any(schema.is_a(name) for name in allowed):
        return None, _("entity %(id)s: schema %(schema)s is not accepted here") % {
            "id": entity_id,
            "schema": schema.name,
        }
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        return None, _("entity %(id)s: properties must be an object") % {"id": entity_id}
    for name, values in properties.items():
        if schema.get(name) is None:
            return None, _("entity %(id)s: %(schema)s has no property %(property)r") % {
                "id": entity_id,
                "schema": schema.name,
                "property": str(name)[:80],
            }
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            return None, _("entity %(id)s: property %(property)s must be a list of texts") % {
                "id": entity_id,
                "property": name,
            }
        if len(values) > MAX_VALUES:
            return None, _("entity %(id)s: property %(property)s has too many values") % {
                "id": entity_id,
                "property": name,
            }
    if keep_raw:
        kept = {
            name: values
            for name, values in properties.items()
            if schema.properties[name].type.name in keep_raw
        }
        properties = {name: v for name, v in properties.items() if name not in kept}
        if kept and raw is not None:
            raw[entity_id] = [value for values in kept.values() for value in values]
    try:
        schema.validate({"properties": properties})
    except InvalidData as error:
        problems = (getattr(error, "errors", None) or {}).get("properties", {})
        detail = "; ".join(f"{name}: {message}" for name, message in sorted(problems.items()))
        return None, _("entity %(id)s: %(detail)s") % {"id": entity_id, "detail": detail[:300]}
    entity = model.get_proxy(
        {"id": entity_id, "schema": schema.name, "properties": properties}, cleaned=True
    )
    return entity, ""


def read_lines(
    lines: Iterable[bytes],
    *,
    allowed: Collection[str] | None = None,
    keep_raw: Collection[str] = (),
) -> ReadResult:
    """Check every line; entities only if no line had a problem. `allowed`: the schemata
    accepted (and their descendants); `keep_raw`: property types taken as written."""
    result = ReadResult([], [])
    number = 0
    for number, raw in enumerate(lines, 1):
        if len(result.errors) >= MAX_ERRORS:
            result.errors.append(LineError(0, _("more problems not shown")))
            break
        if number == 1 and raw.startswith(_COMPRESSED):
            result.errors.append(LineError(0, _("the file is compressed: give the plain .json")))
            break
        if number > MAX_LINES:
            result.errors.append(LineError(0, _("more than %(n)s lines") % {"n": MAX_LINES}))
            break
        if len(raw) > MAX_LINE_BYTES:
            result.errors.append(LineError(number, _("line longer than 1 MB")))
            continue
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError) as error:
            message = str(error)[:120]
            result.errors.append(LineError(number, _("not JSON (%(e)s)") % {"e": message}))
            continue
        entity, problem = _check(data, allowed, keep_raw, result.raw)
        if entity is None:
            result.errors.append(LineError(number, problem))
            continue
        assert entity.id is not None
        first = result.lines.get(entity.id)
        if first is not None:
            result.errors.append(
                LineError(
                    number,
                    _("id %(id)s is already on line %(first)s") % {"id": entity.id, "first": first},
                )
            )
            continue
        result.lines[entity.id] = number
        result.entities.append(entity)
    if number == 0:
        result.errors.append(LineError(0, _("the file is empty")))
    if result.errors:
        result.entities, result.raw = [], {}
    return result


def bounded_lines(stream: Any) -> Iterable[bytes]:
    """Lines of a binary stream, each cut at MAX_LINE_BYTES + 1 so that one endless line
    cannot fill memory (read_lines refuses it as too long)."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            # Skip the rest of the over-long line without holding it.
            while True:
                rest = stream.readline(MAX_LINE_BYTES)
                if not rest or rest.endswith(b"\n"):
                    break
        yield line
