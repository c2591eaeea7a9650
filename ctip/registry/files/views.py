"""Pages of the file store: a file read back, and attaching files to cases and persons."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.web.refusals import show_refusal

from .. import selectors
from .forms import AttachmentForm, CaseAttachmentForm
from .selectors import person_may_change, stored_file_open
from .services import case_attachment_add, person_attachment_add


@login_required
def file_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A stored file, to whoever may see the record it is attached to (else 404)."""
    opened = stored_file_open(actor=request.user, pk=pk)
    record = opened.record
    response = HttpResponse(opened.data, content_type=record.content_type)
    # Pictures show in the page; documents download. The name is given both ways for old
    # browsers; it was cleaned of control and direction characters when stored.
    disposition = "inline" if record.is_image else "attachment"
    ascii_name = record.name.encode("ascii", "replace").decode().replace('"', "_")
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(record.name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    # A file is never a page of ours: no script, no form, no frame, whatever it holds.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def case_attachment_new(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, pk=pk)
    selectors.require_case_action(actor=request.user, case=case, action=Action.CHANGE)
    participants = selectors.case_file(actor=request.user, case=case).participants
    form = CaseAttachmentForm(
        request.POST or None, request.FILES or None, participants=participants, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            case_attachment_add(
                actor=request.user,
                case=case,
                upload=upload,
                name=upload.name or "",
                description=form.cleaned_data["description"],
                participant=form.cleaned_data["participant"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("File attached."))
            return redirect("registry:case-detail", pk=case.pk)
    return render(request, "registry/attachment_form.html", {"form": form, "case": case})


@login_required
def person_attachment_new(request: HttpRequest, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, pk=pk)
    if not person_may_change(actor=request.user, person=person):
        raise PermissionDenied(_("You may not change this person."))
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            person_attachment_add(
                actor=request.user,
                person=person,
                upload=upload,
                name=upload.name or "",
                description=form.cleaned_data["description"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("File attached."))
            return redirect("registry:person-detail", pk=person.pk)
    return render(request, "registry/attachment_form.html", {"form": form, "person": person})
