"""The checked rows of an import, kept in a file beside the upload from the check to the apply.

The check turns every clean row into the values it will be stored with (identity fields
already encrypted); keeping them lets the apply skip reading, parsing and encrypting the file
again. The file holds marshal-written chunks of plain tuples (no code, unlike pickle), each
chunk sealed with the newest field key (AES-GCM, as identity fields are), so that nothing of
the rows — case details, dates, ids — lies on disk in clear (a 50 MB upload once left a
120 MB file of them). A header, in clear, names only what the rows depend on (the upload's
SHA-256 and the importer's fingerprint: actor, day, key, reference data); when any of it
differs, the apply reads the file again instead. See docs/decisions/0400-bulk-import.md.
"""

import contextlib
import marshal
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ctip.registry.crypto import seal, unseal

VERSION = 2
_LENGTH = 8  # bytes of each sealed chunk's length prefix; a zero length ends the file


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
        sealed = seal(marshal.dumps(records))
        self.handle.write(len(sealed).to_bytes(_LENGTH, "big"))
        self.handle.write(sealed)

    def finish(self) -> None:
        self.handle.write(bytes(_LENGTH))  # the end: a file cut short is noticed
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
        while length := int.from_bytes(_exactly(handle, _LENGTH), "big"):
            yield marshal.loads(unseal(_exactly(handle, length)))


def _exactly(handle: IO[bytes], size: int) -> bytes:
    data = handle.read(size)
    if len(data) != size:
        raise EOFError("the kept rows end early: the file was cut short")
    return data


def remove(stored_path: str) -> None:
    with contextlib.suppress(OSError):
        path_for(stored_path).unlink()
