"""What the database already holds: existing cases and persons, checked a chunk at a time."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.policies import restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.models import Case, Person
from ctip.registry.selectors import person_queryset

from ..own_ids import resolve_own_cases, resolve_own_persons, strip_own
from .reading import Problem, RowResult, Source, iter_records, open_source
from .records import Context, person_keys, validate_record

CHUNK = 5000


# --- what the database already holds --------------------------------------------------------


@dataclass
class Found:
    """What the database holds of a chunk's rows: existing ids, and the problems it causes."""

    cases: dict[str, int]  # case external id -> pk
    persons: dict[str, int]  # person external id -> pk
    problems: dict[int, Problem]  # by position in the chunk
    refused: set[int] = field(default_factory=set)  # cases the rows may not add persons to
    # Persons whose external id a row names but whom the importer may not see (decision 0405).
    hidden_persons: set[int] = field(default_factory=set)


def _by_external_id(model: Any, ids: set[str]) -> dict[str, int]:
    if not ids:
        return {}
    if connection.vendor == "postgresql":
        # One array parameter: an IN list of thousands of values costs more to build than to run.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT external_id, id FROM {model._meta.db_table} WHERE external_id = ANY(%s)",
                [list(ids)],
            )
            return dict(cursor.fetchall())
    return dict(model.objects.filter(external_id__in=ids).values_list("external_id", "pk"))


def _known(
    model: Any, ids: set[str], ctx: Context, own: Callable[[Any, set[str]], dict[str, int]]
) -> dict[str, int]:
    """Records named by the rows: by external id as the file gives it; a marked id of this
    installation's (own_ids) by that first, else by its reference or person id among what the
    actor may see. Unfound marked ids are new records, stored under the file's id. A record
    found by external id may be one the actor may not see: the caller decides what then."""
    by_external = _by_external_id(model, {strip_own(i) for i in ids})
    found = {i: by_external[strip_own(i)] for i in ids if strip_own(i) in by_external}
    rest = {i for i in ids if i not in found}
    found.update(own(ctx.actor, rest))
    return found


def _visible_persons(ctx: Context, pks: set[int]) -> set[int]:
    """Those of `pks` the importer may see (person_queryset's rule)."""
    if not pks:
        return set()
    return set(
        person_queryset(actor=ctx.actor).filter(pk__in=sorted(pks)).values_list("pk", flat=True)
    )


def _persons_born(dob_indexes: set[str], ceiling: int) -> dict[str, list[tuple[int, str]]]:
    """Persons registered before the import began, by date-of-birth index: (pk, name keys)."""
    known: dict[str, list[tuple[int, str]]] = {}
    if not dob_indexes:
        return known
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, dob_index, name_keys FROM {Person._meta.db_table} "
                "WHERE dob_index = ANY(%s) AND id <= %s",
                [list(dob_indexes), ceiling],
            )
            found = cursor.fetchall()
    else:
        found = list(
            Person.objects.filter(dob_index__in=dob_indexes, pk__lte=ceiling).values_list(
                "pk", "dob_index", "name_keys"
            )
        )
    for pk, dob_index, keys in found:
        known.setdefault(dob_index, []).append((pk, keys))
    return known


def database_check(rows: list[tuple[int, str, str | None, str, str]], ctx: Context) -> Found:
    """Checks that need the database, done once per chunk: existing ids, rights, duplicates.

    `rows` holds, per row: (row number, case external id, person external id or None, the
    person's name keys, date-of-birth index)."""
    cases = _known(Case, {r[1] for r in rows}, ctx, resolve_own_cases)
    persons = _known(Person, {r[2] for r in rows if r[2] is not None}, ctx, resolve_own_persons)
    # External ids are unique in the installation, so a row naming a hidden person's id can
    # neither link that person (it would show them to the importer) nor store a new one under
    # it: it is refused below, as a case id the importer may not add to is (decision 0405).
    seen = _visible_persons(ctx, set(persons.values()))
    hidden = {i: pk for i, pk in persons.items() if pk not in seen}
    persons = {i: pk for i, pk in persons.items() if pk in seen}
    changeable: set[int] = set()
    with_person = {cases[r[1]] for r in rows if r[2] is not None and r[1] in cases}
    if with_person:
        changeable = set(
            restrict(Case.objects.filter(pk__in=with_person), ctx.actor, Action.CHANGE).values_list(
                "pk", flat=True
            )
        )
    fresh = [r for r in rows if r[2] is not None and r[2] not in persons and r[4]]
    known = _persons_born({r[4] for r in fresh}, ctx.person_ceiling)
    problems: dict[int, Problem] = {}
    refused: set[int] = set()
    for position, (row, case_id, person_id, *_keys) in enumerate(rows):
        case_pk = cases.get(case_id)
        if case_pk is not None and person_id is not None and case_pk not in changeable:
            # One answer whether the importer sees the case (read-only) or not: it says
            # neither that a case exists nor whose it is. Storing the row under a new case
            # instead would duplicate the one that holds the id.
            refused.add(case_pk)
            problems[position] = Problem(
                row,
                "cas_CaseId",
                "not_allowed",
                _("You may not add persons under case id %(id)s: give the case an id of your own.")
                % {"id": strip_own(case_id)},
            )
    hidden_persons: set[int] = set()
    for position, (row, _case_id, person_id, *_keys) in enumerate(rows):
        pk = hidden.get(person_id) if person_id is not None else None
        if pk is None:
            continue
        hidden_persons.add(pk)
        if position not in problems:
            # The same words whoever holds the id; nothing of that person is told.
            problems[position] = Problem(
                row,
                "prs_PersonId",
                "not_allowed",
                _("You may not use person id %(id)s: give the person an id of your own.")
                % {"id": strip_own(person_id)},
            )
    likely: dict[int, list[int]] = {}
    for position, (_row, _case_id, person_id, keys, dob) in enumerate(rows):
        if person_id is None or person_id in persons or not dob or position in problems:
            continue
        words = set(keys.split())
        if not words:
            continue
        matches = [
            pk
            for pk, other in known.get(dob, [])
            if len(words & set(other.split())) * 2 >= len(words)
        ]
        if matches:
            likely[position] = matches
    shown = _visible_persons(ctx, {pk for matches in likely.values() for pk in matches})
    for position, matches in likely.items():
        row = rows[position][0]
        named = next((pk for pk in matches if pk in shown), None)
        if named is not None:
            message = _(
                "Probably the same person as one already registered (same date of "
                "birth, similar name, person P%(pk)d); give their person id to link "
                "them, or check before importing."
            ) % {"pk": named}
        else:
            # As the registration check says it: that a likely match exists, not whose or what.
            message = _(
                "Probably the same person as one recorded by an agency whose records you may "
                "not see. Ask the national secretariat's linkage reviewers before registering "
                "the person again."
            )
        problems[position] = Problem(row, "prs_FirstName", "duplicate", message)
    return Found(cases, persons, problems, refused, hidden_persons)


def check_chunk(results: list[RowResult], ctx: Context) -> None:
    """The database checks of a chunk of parsed rows; problems are added to the rows."""
    rows = []
    for result in results:
        if result.person:
            result.keys = person_keys(result.person, ctx)
        keys, dob = result.keys or ("", "")
        person_id = result.person["external_id"] if result.person else None
        rows.append((result.row, result.case["external_id"], person_id, keys, dob))
    found = database_check(rows, ctx)
    for position, problem in found.problems.items():
        results[position].problems.append(problem)
    # Audited like any refused change (once per record and check).
    for pks, object_type, wanted in (
        (found.refused, "registry.case", "import: add persons"),
        (found.hidden_persons, "registry.person", "import: use person id"),
    ):
        for pk in sorted(pks):
            audit_record(
                actor=ctx.actor,
                action=AuditAction.DENIED,
                object_type=object_type,
                object_id=str(pk),
                detail={"wanted": wanted},
            )


def validated_chunks(
    source: Source, ctx: Context, on_progress: Callable[[int, int], None] | None = None
) -> Iterator[tuple[list[RowResult], list[Problem]]]:
    """Chunks of checked rows; file-level problems come with the first chunk."""
    table, index, file_problems = open_source(source)
    total = table.total_rows
    chunk: list[RowResult] = []
    done = 0
    first = True
    width = len(table.headers)
    short_rows = source.file_format != "xlsx"
    for number, record, cells in iter_records(table, index):
        result = validate_record(number, record, ctx)
        if short_rows and cells < width:
            result.add(
                "",
                "short_row",
                _("The row has %(cells)d cells where the header has %(width)d: cut off?")
                % {"cells": cells, "width": width},
            )
        chunk.append(result)
        done += 1
        if len(chunk) >= CHUNK:
            check_chunk(chunk, ctx)
            yield chunk, file_problems if first else []
            first = False
            chunk = []
            if on_progress:
                on_progress(done, max(total, done))
    if chunk or first:
        check_chunk(chunk, ctx)
        yield chunk, file_problems if first else []
    if on_progress:
        on_progress(done, done)
