"""OpenRosa endpoints for ODK Collect and KoboToolbox: form list, form download, submission.

The form is the HTCDS XLSForm converted to an XForm by pyxform (data/htcds_xform.xml; see
docs/decisions/0402-openrosa-basic-auth.md for how it is regenerated). A submission is not
a case yet: its XML instance becomes an import batch and lands in the same validation
report as a spreadsheet, where an officer applies it.

Authentication is HTTP Basic over HTTPS with the ctip username and a device token (an app
password an administrator issues and revokes, access.services.device_token_issue), never the
account's password; see docs/decisions/0403-openrosa-device-tokens.md. Every success, failure
and upload is audited.
"""

import base64
import hashlib
import json
import tempfile
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
    digest = hashlib.md5(form_xml()).hexdigest()
    url = request.build_absolute_uri(reverse("exchange:openrosa-form", args=[FORM_ID]))
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<xforms xmlns="http://openrosa.org/xforms/xformsList"><xform>'
        f"<formID>{FORM_ID}</formID><name>HTCDS 2.0</name>"
        f"<version>{FORM_ID}-{digest[:8]}</version><hash>md5:{digest}</hash>"
        f"<downloadUrl>{_escape(url)}</downloadUrl></xform></xforms>"
    )
    return _response(body)


def form_download(request: HttpRequest, form_id: str) -> HttpResponse:
    if _user(request) is None:
        return _challenge()
    if form_id != FORM_ID:
        return _message(_("No such form."), 404)
    return _response(form_xml())


def instance_record(xml: bytes) -> dict[str, str]:
    """Leaf elements of a submitted instance, by tag name (groups flattened)."""
    root = ElementTree.fromstring(xml)
    record: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if len(element) == 0 and element.text and element.text.strip():
            record[tag] = element.text.strip()
    if root.get("id") and root.get("id") != FORM_ID:
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
        record = instance_record(upload.read())
    except Exception:  # defusedxml and ElementTree raise several kinds; all mean "bad XML"
        return _message(_("The submission is not a readable HTCDS form instance."), 400)
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
