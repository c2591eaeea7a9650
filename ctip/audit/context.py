"""The current request's id, carried to audit events without passing it through every call."""

from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")
