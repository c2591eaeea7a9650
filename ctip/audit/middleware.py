"""Gives each request an id that its audit events carry, and returns it in a response header."""

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .context import current_request_id


class RequestIdMiddleware:
    """Set a request id (a fresh UUID; a client-sent one is ignored so it cannot be forged)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response
