"""Refuse API query strings holding NUL characters before any view runs a query with them."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .parsers import nul_at


class RefuseNulQueryMiddleware:
    """A 400 naming the parameter, for `?province=%00` and the like under /api/.

    PostgreSQL cannot compare text with a NUL in it: a filter looked up with one raised
    DataError (a 500). Bodies are checked by ctip.api.parsers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            where = nul_at(request.GET)
            if where is not None:
                message = _("Null characters are not allowed (in %(field)s).") % {
                    "field": where.replace("\x00", "")
                }
                return JsonResponse({"detail": message}, status=400)
        return self.get_response(request)
