"""Model fields that store identity data encrypted: the database only ever sees tokens."""

import ast
import datetime
import json
from typing import Any

from django.db import models

from .crypto import decrypt, encrypt


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. Empty stays empty so that 'not recorded' needs no key."""

    description = "Text encrypted at rest (Fernet)"

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(self.to_python_text(value))

    def to_python_text(self, value: Any) -> str:
        return str(value)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return value
        return self.from_plaintext(decrypt(value))

    def from_plaintext(self, plaintext: str) -> Any:
        return plaintext


class EncryptedDateField(EncryptedTextField):
    """A date encrypted at rest (stored as an ISO date inside the token)."""

    description = "Date encrypted at rest"
    # Tell django-stubs what the attribute holds; the TextField base would say str.
    _pyi_private_set_type: datetime.date | str | None  # type: ignore[assignment]
    _pyi_private_get_type: datetime.date | None  # type: ignore[assignment]

    def to_python_text(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, datetime.date) else str(value)

    def from_plaintext(self, plaintext: str) -> datetime.date:
        return datetime.date.fromisoformat(plaintext)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value:
            return datetime.date.fromisoformat(value)
        return value


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (a list of aliases, say) encrypted at rest."""

    description = "JSON encrypted at rest"
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def to_python(self, value: Any) -> Any:
        # The value is already Python (a list, a dict): TextField.to_python would turn it into
        # its repr, "['Boss Dara']", which full_clean then stores as one string.
        if isinstance(value, str):
            return legacy_json_value(value)
        return value

    def to_python_text(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def from_plaintext(self, plaintext: str) -> Any:
        value = json.loads(plaintext)
        return legacy_json_value(value) if isinstance(value, str) else value


def legacy_json_value(text: str) -> Any:
    """A list or dict that an earlier full_clean stored as its Python repr ("['Boss Dara']"),
    read back as the list or dict; any other text as it is. Only literals are read
    (ast.literal_eval runs no code), and only text that looks like one."""
    stripped = text.strip()
    if (stripped[:1], stripped[-1:]) not in {("[", "]"), ("{", "}")}:
        return text
    for parse in (json.loads, ast.literal_eval):
        try:
            parsed = parse(stripped)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(parsed, list | dict):
            return parsed
    return text

    def get_prep_value(self, value: Any) -> Any:
        if value in (None, "", []):
            return ""
        return encrypt(self.to_python_text(value))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value in (None, ""):
            return []
        return self.from_plaintext(decrypt(value))
