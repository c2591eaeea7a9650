"""Worker processes of the synthetic data generator; importable before Django is set up.

A spawned worker unpickles its initializer before anything else, so this module imports
nothing from Django or ctip at the top; the generator is imported once Django is ready.
"""

import os
from typing import Any

_builder: Any = None
_vendor = ""


def start(
    settings_module: str, reference: dict[str, Any], options: dict[str, Any], vendor: str
) -> None:
    """Set up Django in a fresh worker process. Workers only build rows; they never query."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from .synthetic.cases import BatchBuilder
    from .synthetic.drawing import Reference

    global _builder, _vendor
    _builder = BatchBuilder(Reference(**reference), **options)
    _vendor = vendor


def build(task: tuple[int, int, dict[str, int]]) -> Any:
    """One batch, numbered from the task's first ids; as COPY text for PostgreSQL."""
    from .bulk import copy_text

    index, size, first_ids = task
    batch = _builder.build(index, size, dict(first_ids))
    if _vendor == "postgresql":
        for key, rows in batch.rows.items():
            batch.text[key] = copy_text(rows)
            batch.counts[key] = len(rows)
        batch.rows = {}
    return batch
