"""Schema post-processing: every operation documents the error answers it can give.

DRF and drf-spectacular document the success answer of each operation; the 400, 401, 403 and
404 answers that authentication, permissions, parsing, paging and lookups produce were only
documented where a view said so by hand, and schemathesis found them undocumented. This hook
adds them everywhere by rule instead, with the same bodies as ctip.api.base.errors():

- 401 and 403 wherever the operation needs a signed-in user;
- 404 wherever the path names a record, and on paged lists (a page past the end);
- 400 wherever the operation takes a body or query parameters.

An operation's own description of one of these codes is kept.
"""

from typing import Any

from .base import FIELD_ERRORS_SCHEMA

# The error bodies: {"detail": "..."} for 401/403/404, field errors for 400.
_DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
_FIELD_ERRORS = {**FIELD_ERRORS_SCHEMA, "example": {"detail": "JSON parse error"}}
_ANSWERS = {
    "400": ("Invalid input, by field (or a body that is not JSON).", _FIELD_ERRORS),
    "401": ("No or invalid credentials.", _DETAIL),
    "403": ("Not allowed for this user.", _DETAIL),
    "404": ("No such record, or not visible to this user.", _DETAIL),
}


def _answer(code: str) -> dict[str, Any]:
    description, schema = _ANSWERS[code]
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _codes(path: str, method: str, operation: dict[str, Any], public: bool) -> list[str]:
    codes = []
    if not public:
        codes += ["401", "403"]
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters) or any(
        p.get("name") == "page" for p in parameters
    ):
        codes.append("404")
    if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
        codes.append("400")
    return codes


def document_error_answers(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: add the standard error answers to every operation."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            # An empty security requirement ({}) among the options: anonymous use allowed.
            public = any(not item for item in operation.get("security", [{}]))
            responses = operation["responses"]
            for code in _codes(path, method, operation, public):
                responses.setdefault(code, _answer(code))
    return result
