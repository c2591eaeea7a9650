"""A person's aliases as a list, however the registry returned them.

The registry's encrypted JSON field comes back as a list; a person saved after the model's
full_clean holds the list's Python text instead (TextField.to_python turns the list into a
string before it is encrypted), e.g. "['Boss Dara']". Reading it as characters would make every
letter an alias; this reads both forms.
"""

import ast
import json
from typing import Any


def person_aliases(value: Any) -> list[str]:
    if isinstance(value, list):
        return [a for a in value if isinstance(a, str) and a.strip()]
    if isinstance(value, str) and value.strip():
        text = value.strip()
        if text.startswith("["):
            for parse in (json.loads, ast.literal_eval):
                try:
                    parsed = parse(text)
                except (ValueError, SyntaxError):
                    continue
                if isinstance(parsed, list):
                    return [a for a in parsed if isinstance(a, str) and a.strip()]
        return [text]
    return []
