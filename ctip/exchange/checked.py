"""The checked rows of an import, kept in a file beside the upload from the check to the apply.

The check turns every clean row into the values it will be stored with (identity fields
already encrypted); keeping them lets the apply skip reading, parsing and encrypting the file
again. The file holds marshal-written chunks of plain tuples (no code, unlike pickle) and
nothing the database would not hold: names, dates of birth, phones and addresses only as
encrypted tokens. A header names what the rows depend on (the upload's SHA-256 and the
importer's fingerprint: actor, day, key, reference data); when any of it differs, the apply
reads the file again instead. See docs/decisions/0400-bulk-import.md.
"""

import contextlib
import marshal
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

VERSION = 1


def path_for(stored_path: str) -> Path:
    return Path(f"{stored_path}.checked")


class Store:
    """Writes chunks of checked rows; the file appears whole when finished, or not at all."""

    def __init__(self, stored_path: str, *, sha256: str, fingerprint: str) -> None:
        self.path = path_for(stored_path)
        self.partial = self.path.with_name(f"{self.path.name}.partial")
        self.handle: IO[bytes] = self.partial.open("wb")
        header = {"version": VERSION, "sha256": sha256, "fingerprint": fingerprint}
        marshal.dump(header, self.handle)

    def add(self, records: list[tuple[Any, ...]]) -> None:
        marshal.dump(records, self.handle)

    def finish(self) -> None:
        marshal.dump(None, self.handle)  # the end: a file cut short is noticed
        self.handle.close()
        os.replace(self.partial, self.path)

    def discard(self) -> None:
        self.handle.close()
        self.partial.unlink(missing_ok=True)


def read(stored_path: str, *, sha256: str, fingerprint: str) -> Iterator[list[Any]] | None:
    """Chunks of the checked rows, or None when there are none for this file and fingerprint."""
    try:
        handle = path_for(stored_path).open("rb")
    except OSError:
        return None
    try:
        header = marshal.load(handle)
    except (EOFError, ValueError, TypeError):
        header = None
    if header != {"version": VERSION, "sha256": sha256, "fingerprint": fingerprint}:
        handle.close()
        return None
    return _chunks(handle)


def _chunks(handle: IO[bytes]) -> Iterator[list[Any]]:
    with handle:
        while (records := marshal.load(handle)) is not None:
            yield records


def remove(stored_path: str) -> None:
    with contextlib.suppress(OSError):
        path_for(stored_path).unlink()
