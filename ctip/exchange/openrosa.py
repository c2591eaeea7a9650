"""OpenRosa endpoints for ODK Collect and KoboToolbox: form list, form download, submission.

The form is the HTCDS XLSForm converted to an XForm by pyxform (data/htcds_xform.xml; see
docs/decisions/0402-openrosa-basic-auth.md for how it is regenerated). A submission is not
a case yet: its XML instance becomes an import batch and lands in the same validation
report as a spreadsheet, where an officer applies it.

Authentication is HTTP Basic over HTTPS with the ctip username and a device token (an app
password an administrator issues and revokes, access.services.device_token_issue), never the
account's password; see docs/decisions/0403-openrosa-device-tokens.md. Every success, failure
and upload is audited.

Apps above exchange offer their own forms on the same endpoints (`register_form` in their
AppConfig.ready(); screening's victim-identification interview): the form list lists them, and
a submission whose instance names such a form goes to that app's `receive`, not to the import.
"""

import base64
import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from ctip.access.choices import Action, TokenScope
from ctip.access.models import Agency
from ctip.access.policies import ROLES_FOR_ACTION, actor_scope
from ctip.access.services import device_token_authenticate
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .choices import Layout
from .services import import_upload
from .tasks import validate_import

FORM_ID = "htcds"
FORM_PATH = Path(__file__).resolve().parent / "data" / "htcds_xform.xml"
OPENROSA_VERSION = "1.0"
MAX_SUBMISSION_BYTES = 10 * 1024 * 1024


@lru_cache(maxsize=1)
def form_xml() -> bytes:
    return FORM_PATH.read_bytes()


@dataclass(frozen=True)
class OpenRosaForm:
    """A form an app above exchange offers to field phones, and what takes its submissions.

    `receive(actor=, record=)` gets the instance's leaf values by tag name and returns the
    message the phone shows; it raises ValidationError or PermissionDenied to refuse.
    """

    form_id: str
    name: str
    path: Path
    receive: Callable[..., str]

    def xml(self) -> bytes:
        return _form_bytes(str(self.path))


@lru_cache(maxsize=8)
def _form_bytes(path: str) -> bytes:
    return Path(path).read_bytes()


_FORMS: dict[str, OpenRosaForm] = {}


def register_form(form: OpenRosaForm) -> None:
    """Offer another app's form on the OpenRosa endpoints (call from AppConfig.ready)."""
    if form.form_id == FORM_ID or _FORMS.get(form.form_id, form) != form:
        raise ValueError(f"OpenRosa form {form.form_id!r} is registered twice")
    _FORMS[form.form_id] = form


def _forms() -> list[tuple[str, str, bytes]]:
    """(form id, name, XForm) of every form offered: the HTCDS form, then the apps' forms."""
    return [(FORM_ID, "HTCDS 2.0", form_xml())] + [
        (f.form_id, f.name, f.xml()) for f in sorted(_FORMS.values(), key=lambda f: f.form_id)
    ]


def _response(body: bytes | str, status: int = 200, content_type: str = "text/xml") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=f"{content_type}; charset=utf-8")
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["Date"] = timezone.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def _message(text: str, status: int) -> HttpResponse:
    body = (
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f'<message nature="">{_escape(text)}</message></OpenRosaResponse>'
    )
    return _response(body, status)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _user(request: HttpRequest) -> Any:
    """The user whose device token the HTTP Basic credentials carry, or None (audited)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Basic "):
        return None  # the client's first, credential-less request: a challenge, not a failure
    try:
        username, _sep, secret = base64.b64decode(header[6:]).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        username, secret = "", ""
    return device_token_authenticate(username=username, secret=secret, scope=TokenScope.OPENROSA)


def _challenge() -> HttpResponse:
    response = _message(_("Sign in with your ctip username and this device's token."), 401)
    response["WWW-Authenticate"] = 'Basic realm="ctip"'
    return response


def form_list(request: HttpRequest) -> HttpResponse:
    """The OpenRosa form list (xformsList)."""
    if _user(request) is None:
        return _challenge()
    entries = []
    for form_id, name, xml in _forms():
        digest = hashlib.md5(xml).hexdigest()
        url = request.build_absolute_uri(reverse("exchange:openrosa-form", args=[form_id]))
        entries.append(
            f"<xform><formID>{_escape(form_id)}</formID><name>{_escape(name)}</name>"
            f"<version>{_escape(form_id)}-{digest[:8]}</version><hash>md5:{digest}</hash>"
            f"<downloadUrl>{_escape(url)}</downloadUrl></xform>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">'
        f"{''.join(entries)}</xforms>"
    )
    return _response(body)


def form_download(request: HttpRequest, form_id: str) -> HttpResponse:
    if _user(request) is None:
        return _challenge()
    if form_id in _FORMS:
        return _response(_FORMS[form_id].xml())
    if form_id != FORM_ID:
        return _message(_("No such form."), 404)
    return _response(form_xml())


def instance_form_id(xml: bytes) -> str:
    """The form an instance says it belongs to (its root's `id`), or the HTCDS form."""
    return str(ElementTree.fromstring(xml).get("id") or FORM_ID)


def instance_record(xml: bytes, form_id: str = FORM_ID) -> dict[str, str]:
    """Leaf elements of a submitted instance, by tag name (groups flattened)."""
    root = ElementTree.fromstring(xml)
    record: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if len(element) == 0 and element.text and element.text.strip():
            record[tag] = element.text.strip()
    if root.get("id") and root.get("id") != form_id:
        raise ValueError(f"unknown form {root.get('id')}")
    return record


def _agency_for(user: Any) -> Agency | None:
    agencies = sorted(actor_scope(user).agencies_with(ROLES_FOR_ACTION[Action.CREATE]))
    return Agency.objects.filter(pk__in=agencies).order_by("code").first()


@csrf_exempt
def submission(request: HttpRequest) -> HttpResponse:
    """HEAD: ODK Collect's pre-flight; POST: one instance (multipart, xml_submission_file)."""
    user = _user(request)
    if user is None:
        return _challenge()
    if request.method == "HEAD":
        response = _response(b"", 204)
        response["X-OpenRosa-Accept-Content-Length"] = str(MAX_SUBMISSION_BYTES)
        return response
    if request.method != "POST":
        return _message(_("Use POST."), 405)
    upload = request.FILES.get("xml_submission_file")
    if upload is None:
        return _message(_("The submission has no xml_submission_file."), 400)
    if (upload.size or 0) > MAX_SUBMISSION_BYTES:
        return _message(_("The submission is too large."), 413)
    try:
        xml = upload.read()
        form_id = instance_form_id(xml)
        record = instance_record(xml, form_id if form_id in _FORMS else FORM_ID)
    except Exception:  # defusedxml and ElementTree raise several kinds; all mean "bad XML"
        return _message(_("The submission is not a readable HTCDS form instance."), 400)
    if form_id in _FORMS:
        return _receive(_FORMS[form_id], user, record)
    agency = _agency_for(user)
    if agency is None:
        return _message(_("Your account may not register cases."), 403)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "submission.json"
        path.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
        try:
            batch = import_upload(
                actor=user,
                path=path,
                file_name=f"odk-{record.get('instanceID', 'submission')}.json",
                agency=agency,
                layout=Layout.KOBO,
            )
        except (ValidationError, PermissionDenied) as error:
            return _message(str(error), 400)
    audit_record(
        actor=user,
        action=AuditAction.IMPORT,
        obj=batch,
        detail={"via": TokenScope.OPENROSA, "step": "upload", "agency": agency.code},
    )
    validate_import.enqueue(batch.pk)
    return _message(_("Received; it waits in ctip's import report for checking."), 201)


def _receive(form: OpenRosaForm, user: Any, record: dict[str, str]) -> HttpResponse:
    """Hand another app's form instance to that app; its refusal is the phone's message."""
    try:
        message = form.receive(actor=user, record=record)
    except ValidationError as error:
        texts = (
            [f"{field}: {'; '.join(m)}" for field, m in error.message_dict.items()]
            if hasattr(error, "error_dict")
            else error.messages
        )
        return _message(" ".join(texts), 400)
    except PermissionDenied as error:
        return _message(str(error) or _("Not allowed."), 403)
    return _message(message, 201)
