"""Shared pages: the home page shows each user the work of their roles; the error pages."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import home as home_sections


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"home": home_sections(actor=request.user)})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The layout's 400 page. A BadRequest raised by a page carries a message written for the
    user (it names what is wrong); other causes (suspicious requests) are never shown."""
    message = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"message": message}, status=400)
