"""Sign-in (password, then one-time code), enrolment by QR code, sign-out, and reveal."""

from base64 import b32encode
from typing import Any

import qrcode
import qrcode.image.svg
from django.apps import apps
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from ctip.web.refusals import show_refusal

from . import selectors, services
from .forms import DeviceTokenForm, RevealForm, TokenForm
from .masking import SENSITIVE_FIELDS
from .models import User


class SignInView(auth_views.LoginView):
    """The password step; Django gives the session a new id on success."""

    template_name = "access/sign_in.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.sign_in_recorded(actor=form.get_user(), factor="password")
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        services.sign_in_failed_recorded(
            username=str(form.data.get("username", "")),
            locked_out=bool(getattr(self.request, "axes_locked_out", False)),
        )
        return super().form_invalid(form)


class SignOutView(auth_views.LogoutView):
    """Sign-out deletes the session on the server, not only the cookie."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            services.sign_out_recorded(actor=request.user)  # type: ignore[arg-type]
        return super().post(request, *args, **kwargs)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return "/"
    return target


def _finish(request: HttpRequest, device: Any) -> HttpResponse:
    otp_login(request, device)
    request.session.cycle_key()  # the session gains a right: give it a new id again
    services.sign_in_recorded(actor=request.user, factor="otp")  # type: ignore[arg-type]
    return redirect(_next(request))


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: the current code from the user's authenticator."""
    if not services.otp_has_device(actor=request.user):  # type: ignore[arg-type]
        return redirect("access:otp-enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_verify(actor=request.user, token=form.cleaned_data["token"])  # type: ignore[arg-type]
        except ValidationError as error:
            form.add_error(None, error.message_dict["token"])
        else:
            return _finish(request, device)
    return render(request, "access/otp_verify.html", {"form": form, "next": _next(request)})


def _qr_svg(text: str) -> str:
    """The QR code as inline SVG, drawn here: the secret never leaves the server."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request: HttpRequest) -> HttpResponse:
    """First sign-in: scan a QR code into an authenticator app, then type a code from it."""
    if services.otp_has_device(actor=request.user):  # type: ignore[arg-type]
        return redirect("access:otp-verify")
    device = services.otp_device_for_enrolment(actor=request.user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.otp_enrol_confirm(
                actor=request.user,  # type: ignore[arg-type]
                token=form.cleaned_data["token"],
            )
        except ValidationError as error:
            form.add_error(None, error.message_dict["token"])
        else:
            return _finish(request, device)
    context = {
        "form": form,
        "next": _next(request),
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # drawn here from our own data
        "secret": b32encode(device.bin_key).decode("ascii"),
    }
    return render(request, "access/otp_enrol.html", context)


# Which selector fetches a revealable object, so that reveal respects the same scoping.
REVEAL_SELECTORS = {
    "registry.person": ("ctip.registry.selectors", "person_get"),
    "registry.victimprofile": ("ctip.registry.selectors", "victim_profile_get"),
    "registry.case": ("ctip.registry.selectors", "case_get"),
}


def _scoped_object(actor: Any, object_type: str, pk: int) -> Any:
    if object_type not in REVEAL_SELECTORS or object_type not in SENSITIVE_FIELDS:
        raise Http404
    module_name, function_name = REVEAL_SELECTORS[object_type]
    module = __import__(module_name, fromlist=[function_name])
    apps.get_model(object_type)  # the model must exist
    return getattr(module, function_name)(actor=actor, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def reveal(request: HttpRequest, object_type: str, pk: int) -> HttpResponse:
    """Ask to read one record's masked fields: permission, reason and password or code."""
    obj = _scoped_object(request.user, object_type, pk)
    selectors.reveal_permission_check(actor=request.user, obj=obj)
    form = RevealForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.identity_reveal(
                actor=request.user,  # type: ignore[arg-type]
                obj=obj,
                request=request,
                **form.cleaned_data,
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            return redirect(_next(request))
    return render(
        request, "access/reveal.html", {"form": form, "object": obj, "next": _next(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def device_tokens(request: HttpRequest) -> HttpResponse:
    """Administrators issue device tokens (app passwords for ODK Collect/Kobo) and see them."""
    tokens = selectors.device_token_list(actor=request.user)
    form = DeviceTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        user = User.objects.filter(username=form.cleaned_data["username"]).first()
        if user is None:
            form.add_error("username", _("No account by this name."))
        else:
            try:
                token, secret = services.device_token_issue(
                    actor=request.user, user=user, name=form.cleaned_data["name"]
                )
            except (ValidationError, PermissionDenied) as error:
                show_refusal(form, error)  # e.g. an administrator's own account
            else:
                issued = {"token": token, "secret": secret}
                form = DeviceTokenForm()
    response = render(
        request,
        "access/device_tokens.html",
        {"tokens": tokens, "form": form, "issued": issued},
    )
    response["Cache-Control"] = "no-store"  # the page may carry a secret shown once
    return response


@login_required
@require_http_methods(["POST"])
def device_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.device_token_get(actor=request.user, pk=pk)
    services.device_token_revoke(actor=request.user, token=token)
    return redirect("access:device-tokens")


# --- notifications -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The actor's notifications; POST marks them all read."""
    if request.method == "POST":
        services.notifications_read_all(actor=request.user)
        return redirect("access:notifications")
    return render(
        request,
        "access/notifications.html",
        {"notifications": selectors.notification_list(actor=request.user)},
    )


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark a notification read and go where it points (a path of this site only)."""
    notification = services.notification_open(actor=request.user, pk=pk)
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return redirect("access:notifications")
    return redirect(target)
