"""The seeded synthetic data generator behind `ctip demo-data`: realistic cases, written in bulk.

Every value is invented. The same seed, number of cases, batch size and end date give the same
data. Rows are built as plain tuples and written with the database's bulk path (COPY on
PostgreSQL, executemany on SQLite) inside one transaction, with ids assigned here in blocks,
so a million cases take minutes rather than hours. Identity fields are encrypted with the same
functions the model fields use, and the search keys are those the services compute, so that
generated persons are found, decrypted and displayed exactly like registered ones. See
docs/decisions/0120-synthetic-data-generator.md for why this bypasses the per-row services.
"""

from .cases import BatchBuilder
from .drawing import (
    DEFAULT_BATCH_SIZE,
    MAX_SUSPECTS,
    MAX_VICTIMS,
    YEARS,
    Batch,
    Identity,
    Reference,
    Weighted,
)
from .generate import GenerationResult, block_starts, demo_data_generate

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "MAX_SUSPECTS",
    "MAX_VICTIMS",
    "YEARS",
    "Batch",
    "BatchBuilder",
    "GenerationResult",
    "Identity",
    "Reference",
    "Weighted",
    "block_starts",
    "demo_data_generate",
]
