"""The import engine: read a file as ctip columns, check every row, and turn it into table rows.

The check reads the file once, as a stream: each cell is parsed with lookups loaded once per
import (and remembered per distinct value), the database checks run once per chunk of rows,
and each clean row becomes the rows it will be in the registry, identity fields encrypted and
search keys computed (`prepare`). Those rows are kept in a compact file beside the upload
(checked.py), so that applying them only checks the database again, allocates ids in blocks
and streams the rows into the tables (`Loader`: COPY on PostgreSQL). Stable external ids (the
file's own case and person ids, or a fingerprint of the row) make a second import of the same
file a no-op. docs/decisions/0400-bulk-import.md says why.
"""

from .loading import (
    CASE_TABLE,
    LOADED_TABLES,
    PARTICIPANT_TABLE,
    PERSON_TABLE,
    VICTIM_TABLE,
    Counts,
    DataChanged,
    Loader,
)
from .matching import CHUNK, Found, check_chunk, database_check, validated_chunks
from .preparing import Prepared, prepare, prepared_chunks
from .reading import (
    LABEL_ROW_SCAN,
    MEMO_LIMIT,
    REQUIRED,
    SUBMISSION_ID_HEADERS,
    SUBMITTED_AT_HEADERS,
    Problem,
    RowResult,
    Source,
    iter_records,
    open_source,
)
from .records import Context, result_columns, validate_record

__all__ = [
    "CASE_TABLE",
    "CHUNK",
    "LABEL_ROW_SCAN",
    "LOADED_TABLES",
    "MEMO_LIMIT",
    "PARTICIPANT_TABLE",
    "PERSON_TABLE",
    "REQUIRED",
    "SUBMISSION_ID_HEADERS",
    "SUBMITTED_AT_HEADERS",
    "VICTIM_TABLE",
    "Context",
    "Counts",
    "DataChanged",
    "Found",
    "Loader",
    "Prepared",
    "Problem",
    "RowResult",
    "Source",
    "check_chunk",
    "database_check",
    "iter_records",
    "open_source",
    "prepare",
    "prepared_chunks",
    "result_columns",
    "validate_record",
    "validated_chunks",
]
