"""Encryption key upkeep: re-encrypt every field under the current key, count stale tokens."""

from typing import Any

from django.apps import apps
from django.db import connection, transaction

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from ..crypto import is_current, is_current_sealed, reset_keyring, rotate_sealed, rotate_token
from ..fields import EncryptedTextField
from ..files.models import StoredFile

# --- keys ----------------------------------------------------------------------------------


def encrypted_columns() -> list[tuple[Any, str]]:
    """(model, column) for every encrypted field of every installed app."""
    return [
        (model, str(field.column))
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def keys_rotate(*, actor: Any = None, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted value under the newest key (the first of CTIP_FIELD_KEYS).

    Older keys must still be listed so that existing tokens decrypt. Each batch is one
    transaction, so a crash leaves every row readable (old or new key) and a rerun resumes.
    The tokens are rewritten in raw SQL, field by field, without decrypting into models;
    one audit event records the counts.
    """
    reset_keyring()
    counts: dict[str, int] = {}
    for model, column in encrypted_columns():
        table, pk = model._meta.db_table, model._meta.pk.column
        qn = connection.ops.quote_name
        key = f"{model._meta.label_lower}.{column}"
        counts[key] = 0
        last = None
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                where = f"WHERE {qn(column)} <> ''" + (f" AND {qn(pk)} > %s" if last else "")
                cursor.execute(
                    f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} {where} "
                    f"ORDER BY {qn(pk)} LIMIT %s",
                    [last, batch_size] if last else [batch_size],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                stale = [(row_pk, token) for row_pk, token in rows if not is_current(token)]
                cursor.executemany(
                    f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s",
                    [(rotate_token(token), row_pk) for row_pk, token in stale],
                )
                counts[key] += len(stale)
                last = rows[-1][0]
    counts["registry.storedfile.content"] = _rotate_files(batch_size=max(1, batch_size // 50))
    audit_record(
        actor=actor,
        action=AuditAction.ADMIN,
        object_type="registry.keys",
        detail={"rotated": {k: v for k, v in counts.items() if v}},
    )
    return counts


def _rotate_files(*, batch_size: int) -> int:
    """Re-seal stored files under the newest key, a few at a time (files are large)."""
    rotated, last = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                StoredFile.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "content")[:batch_size]
            )
            if not rows:
                return rotated
            for pk, raw in rows:
                if not is_current_sealed(bytes(raw)):
                    StoredFile.objects.filter(pk=pk).update(content=rotate_sealed(bytes(raw)))
                    rotated += 1
            last = rows[-1][0]


def keys_check() -> dict[str, int]:
    """How many stored tokens the newest key alone cannot read (all zero: old keys may go)."""
    stale: dict[str, int] = {}
    qn = connection.ops.quote_name
    for model, column in encrypted_columns():
        key = f"{model._meta.label_lower}.{column}"
        stale[key] = 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {qn(column)} FROM {qn(model._meta.db_table)} WHERE {qn(column)} <> ''"
            )
            stale[key] = sum(1 for (token,) in cursor if not is_current(token))
    stale["registry.storedfile.content"] = sum(
        1
        for raw in StoredFile.objects.values_list("content", flat=True).iterator(chunk_size=20)
        if not is_current_sealed(bytes(raw))
    )
    return stale
