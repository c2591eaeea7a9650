"""Request body parsing that turns hostile input into a 400 rather than a 500: JSON nested
deeper than the interpreter's stack, and NUL characters, which PostgreSQL cannot store or
even compare (a NUL in a looked-up code raised DataError)."""

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser


def nul_at(data: Any, path: str = "") -> str | None:
    """Where in a parsed body (or query) a NUL character sits, as a dotted path, or None."""
    if isinstance(data, str):
        return path or "body" if "\x00" in data else None
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list | tuple):
        items = enumerate(data)
    elif hasattr(data, "lists"):  # a QueryDict: every value of every key
        items = ((key, values) for key, values in data.lists())
    else:
        return None
    for key, value in items:
        where = f"{path}.{key}" if path else str(key)
        if "\x00" in str(key):
            return where
        found = nul_at(value, where)
        if found:
            return found
    return None


def refuse_nul(data: Any) -> Any:
    where = nul_at(data)
    if where is not None:
        raise ParseError(
            _("Null characters are not allowed (in %(field)s).") % {"field": where.strip("\x00")}
        )
    return data


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing NUL characters and nesting past the recursion limit.

    Python's json module raises RecursionError (not ValueError) for `[[[[...]]]]` thousands
    deep; DRF only catches ValueError, so the error escaped as a server error.
    """

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from error
        return refuse_nul(data)


class SafeFormParser(FormParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return refuse_nul(super().parse(stream, media_type, parser_context))


class SafeMultiPartParser(MultiPartParser):
    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        refuse_nul(parsed.data)
        return parsed
