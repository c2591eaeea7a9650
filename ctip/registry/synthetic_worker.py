"""Worker processes of the synthetic data generator; importable before Django is set up.

A spawned worker unpickles its initializer before anything else, so this module imports
nothing from Django or ctip at the top; the generator is imported once Django is ready.
"""

import os
from typing import Any

_builder: Any = None


def start(settings_module: str, reference: dict[str, Any], options: dict[str, Any]) -> None:
    """Set up Django in a fresh worker process. Workers only build rows; they never query."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    import django

    django.setup()
    from .synthetic import BatchBuilder, Reference

    global _builder
    _builder = BatchBuilder(Reference(**reference), **options)


def build(task: tuple[int, int, int]) -> Any:
    """One batch, its rows numbered from 0 except cases, which are numbered from the task's."""
    from .synthetic import TABLES

    index, size, first_case_id = task
    ids = {table.key: 0 for table in TABLES}
    ids["case"] = first_case_id
    return _builder.build(index, size, ids)
