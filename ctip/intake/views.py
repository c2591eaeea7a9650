"""Intake pages: the public report form, its receipt and follow-up (no sign-in, no cookie, no
JavaScript needed), and the intake team's queue, report and matter pages."""

import functools
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ctip.access.masking import mask_value
from ctip.reference import gazetteer
from ctip.web.refusals import refusal_text, show_refusal

from . import selectors, services
from .choices import Channel, MatterStatus, ReportStatus
from .forms import (
    PLACE_FIELDS,
    AssignForm,
    DecideForm,
    GroupForm,
    MatterCreateForm,
    PublicReportForm,
    ReceiptForm,
    RecordForm,
    ReplyForm,
    StaffMessageForm,
)
from .hooks import matter_links
from .models import Matter
from .proof import issue_challenge
from .receipts import format_receipt_code
from .services.reports import Throttled, report_by_receipt

# --- the public door -------------------------------------------------------------------------


class UnknownLanguage(Exception):
    """A public address in a language the public pages do not have."""


def _public_language(lang: str) -> str:
    if lang not in dict(settings.INTAKE_PUBLIC_LANGUAGES):
        raise UnknownLanguage
    return lang


def public_page(view: Any) -> Any:
    """A public page answers an unknown language with its own small 404 page, not the site's:
    the site's page carries the staff layout and its forms, and with them a CSRF cookie,
    which the public pages never set (decision 0750)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, lang: str) -> HttpResponse:
        try:
            return view(request, lang)
        except UnknownLanguage:
            response = _public(
                request, "km", "intake/public/not_found.html", {"page": "public-report"}
            )
            response.status_code = 404
            return response

    return wrapper


def _public(
    request: HttpRequest, lang: str, template: str, context: dict[str, Any]
) -> HttpResponse:
    """Render a public page in its language: links to the other languages instead of a cookie,
    nothing cached on the way (a shared phone's browser, a proxy), no referrer sent onward."""
    context = {
        "lang": lang,
        "languages": settings.INTAKE_PUBLIC_LANGUAGES,
        "page": request.resolver_match.url_name if request.resolver_match else "",
        **context,
    }
    with translation.override(lang):
        response = render(request, template, context)
    response["Content-Language"] = lang
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def public_start(request: HttpRequest) -> HttpResponse:
    """/report/: the form in the browser's language when the public pages have it, else Khmer."""
    accepted = translation.get_language_from_request(request, check_path=False)
    codes = dict(settings.INTAKE_PUBLIC_LANGUAGES)
    lang = accepted if accepted in codes else "km"
    return redirect("intake:public-report", lang=lang)


def _place_steps(codes: list[str]) -> tuple[list[dict[str, Any]], gazetteer.Cascade]:
    """The step-by-step place choice: a list per level chosen so far (the chosen one selected,
    so it can be changed) and the list of the next level."""
    step = gazetteer.cascade(*codes)
    levels = []
    parent = ""
    for index, name in enumerate(PLACE_FIELDS):
        if index < len(step.chosen):
            chosen = step.chosen[index]
            options = gazetteer.children(parent) if parent else gazetteer.provinces()
            levels.append({"name": name, "options": options, "selected": chosen.code})
            parent = chosen.code
        elif index == len(step.chosen):
            levels.append({"name": name, "options": step.options, "selected": ""})
    return levels, step


# Lazy: the labels are translated when a page shows them, in that page's language (built at
# import time they were English on every page).
PLACE_LABELS = {
    "province": gettext_lazy("Province or capital"),
    "district": gettext_lazy("District"),
    "commune": gettext_lazy("Commune"),
    "village": gettext_lazy("Village"),
}


def _body_too_large(request: HttpRequest) -> bool:
    """Whether a public POST says it is larger than its files and text may be: refused before
    Django reads any of it (nginx caps the body too, deploy/nginx/ctip.conf)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    limit = settings.CTIP_INTAKE_FILES_PER_MESSAGE * settings.CTIP_FILE_MAX_BYTES + 1024 * 1024
    return length > limit


def _too_large(request: HttpRequest, lang: str) -> HttpResponse:
    response = _public(
        request,
        lang,
        "intake/public/too_large.html",
        {
            "files": settings.CTIP_INTAKE_FILES_PER_MESSAGE,
            "megabytes": settings.CTIP_FILE_MAX_BYTES // (1024 * 1024),
        },
    )
    response.status_code = 413
    return response


@csrf_exempt  # no session, no cookie: nothing a forged request could ride on (docs/intake.md)
@public_page
def public_report(request: HttpRequest, lang: str) -> HttpResponse:
    lang = _public_language(lang)
    if request.method == "POST" and _body_too_large(request):
        return _too_large(request, lang)
    with translation.override(lang):
        if request.method == "POST":
            form = PublicReportForm(request.POST, request.FILES)
            levels, step = _place_steps(form.place_codes())
            valid = form.is_valid()
            if valid and "step" not in request.POST:
                try:
                    sent = services.report_submit_public(
                        data=form.report_input(step.place.code if step.place else ""),
                        language=lang,
                        challenge=form.cleaned_data["pow_challenge"],
                        solution=form.cleaned_data["pow_solution"],
                        uploads=form.cleaned_data["file"],
                    )
                except ValidationError as error:
                    show_refusal(form, error)
                except Throttled:
                    form.add_error(
                        None,
                        _(
                            "Many reports are arriving right now. Nothing was "
                            "lost: wait a minute and press Send again."
                        ),
                    )
                else:
                    return _public(
                        request,
                        lang,
                        "intake/public/receipt.html",
                        {"code": format_receipt_code(sent.receipt_code)},
                    )
            # A new challenge each time the form comes back: the last one may be spent.
            fresh = request.POST.copy()
            fresh["pow_challenge"] = issue_challenge().token
            fresh["pow_solution"] = ""
            form.data = fresh
        else:
            form = PublicReportForm(initial={"pow_challenge": issue_challenge().token})
            levels, step = _place_steps([])
    return _public(
        request,
        lang,
        "intake/public/report.html",
        {
            "form": form,
            "levels": [{**level, "label": PLACE_LABELS[level["name"]]} for level in levels],
            "chosen_place": step.place,
            "pow_bits": settings.CTIP_INTAKE_POW_BITS,
        },
    )


@csrf_exempt  # as above; the receipt code itself is what opens a report
@public_page
def public_follow_up(request: HttpRequest, lang: str) -> HttpResponse:
    lang = _public_language(lang)
    if request.method == "POST" and _body_too_large(request):
        return _too_large(request, lang)
    context: dict[str, Any] = {}
    with translation.override(lang):
        form = ReceiptForm(request.POST or None)
        reply = ReplyForm()
        if request.method == "POST" and form.is_valid():
            try:
                report = report_by_receipt(code=form.cleaned_data["code"])
            except Throttled:
                report = None
                form.add_error(None, _("Too many tries right now. Wait a minute and try again."))
            else:
                if report is None:
                    # The same words for a wrong code and a malformed one: no hint either way.
                    form.add_error(
                        "code",
                        _("No report opens with this code. Check the 16 digits and try again."),
                    )
            if report is not None:
                if "body" in request.POST:
                    reply = ReplyForm(request.POST, request.FILES)
                    if reply.is_valid():
                        try:
                            services.report_reply_public(
                                report=report,
                                body=reply.cleaned_data["body"],
                                uploads=reply.cleaned_data["file"],
                            )
                        except (ValidationError, Throttled) as error:
                            if isinstance(error, Throttled):
                                reply.add_error(
                                    None,
                                    _(
                                        "Too many messages right now. Wait a "
                                        "minute and send it again."
                                    ),
                                )
                            else:
                                show_refusal(reply, error)
                        else:
                            reply = ReplyForm()
                            context["sent"] = True
                context["view"] = selectors.public_view(report=report)
                context["code"] = form.cleaned_data["code"]
    return _public(
        request, lang, "intake/public/follow_up.html", {"form": form, "reply": reply, **context}
    )


@public_page
def public_about(request: HttpRequest, lang: str) -> HttpResponse:
    """What happens to a report, and what is and is not stored about the reporter."""
    lang = _public_language(lang)
    return _public(request, lang, "intake/public/about.html", {})


# --- staff -----------------------------------------------------------------------------------


def _require_intake(request: HttpRequest) -> None:
    if not selectors.may_use_intake(request.user):
        raise Http404


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """The triage queue: new reports, most urgent first, and the undecided matters."""
    _require_intake(request)
    channel = request.GET.get("channel", "")
    reports = selectors.report_queue(
        actor=request.user,
        status=ReportStatus.NEW,
        channel=channel if channel in Channel.values else "",
    )[:200]
    matters = selectors.matter_list(actor=request.user, status="undecided")[:200]
    return render(
        request,
        "intake/queue.html",
        {
            "reports": reports,
            "matters": matters,
            "channels": Channel.choices,
            "channel": channel,
            "is_intake": selectors.is_intake(request.user),
        },
    )


@login_required
def record(request: HttpRequest) -> HttpResponse:
    """A hotline operator records a call or message."""
    if not selectors.is_intake(request.user):
        raise Http404
    form = RecordForm(request.POST or None)
    codes = form.place_codes() if request.method == "POST" else []
    levels, step = _place_steps(codes)
    if request.method == "POST" and form.is_valid() and "step" not in request.POST:
        data = form.cleaned_data
        try:
            sent = services.report_record(
                actor=request.user,
                channel=data["channel"],
                language=data["language"],
                data=form.report_input(step.place.code if step.place else ""),
                give_receipt=data["give_receipt"],
            )
        except (ValidationError, PermissionDenied) as error:
            show_refusal(form, error)
        else:
            return render(
                request,
                "intake/recorded.html",
                {
                    "report": sent.report,
                    "code": format_receipt_code(sent.receipt_code) if sent.receipt_code else "",
                },
            )
    return render(
        request,
        "intake/record.html",
        {
            "form": form,
            "levels": [{**level, "label": PLACE_LABELS[level["name"]]} for level in levels],
            "chosen_place": step.place,
        },
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_get(actor=request.user, pk=pk)
    intake = selectors.is_intake(request.user)
    return render(
        request,
        "intake/report_detail.html",
        {
            "report": report,
            "contact": mask_value(request.user, report, "contact"),
            "place": gazetteer.place(report.place_code),
            "hints": selectors.grouping_hints(actor=request.user, report=report),
            "conversation": selectors.report_messages(report=report),
            "attachments": selectors.report_attachments(report=report),
            "is_intake": intake,
            "create_form": MatterCreateForm(),
            "group_form": GroupForm(),
            "message_form": StaffMessageForm(),
        },
    )


@login_required
@require_POST
def report_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Triage a report: open a matter for it, add it to a matter, or write to the reporter."""
    report = selectors.report_get(actor=request.user, pk=pk)
    try:
        if action == "create-matter":
            form: Any = MatterCreateForm(request.POST)
            if form.is_valid():
                matter = services.matter_create(
                    actor=request.user, reports=[report], title=form.cleaned_data["title"]
                )
                messages.success(request, _("Matter %(ref)s opened.") % {"ref": matter.reference})
                return redirect("intake:matter-detail", pk=matter.pk)
        elif action == "group":
            form = GroupForm(request.POST)
            if form.is_valid():
                reference = form.cleaned_data["matter"].strip()
                target = (
                    selectors.matter_list(actor=request.user).filter(reference=reference).first()
                )
                if target is None:
                    raise ValidationError({"matter": _("No matter with this reference.")})
                services.report_group(actor=request.user, report=report, matter=target)
                messages.success(request, _("Report added to %(ref)s.") % {"ref": target.reference})
                return redirect("intake:matter-detail", pk=target.pk)
        elif action == "message":
            form = StaffMessageForm(request.POST)
            if form.is_valid():
                services.report_message_staff(
                    actor=request.user, report=report, body=form.cleaned_data["body"]
                )
                messages.success(request, _("Message sent. The reporter reads it with their code."))
                return redirect("intake:report-detail", pk=report.pk)
        else:
            raise Http404
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, refusal_text(error))
    return redirect("intake:report-detail", pk=report.pk)


@login_required
def matter_list(request: HttpRequest) -> HttpResponse:
    _require_intake(request)
    status = request.GET.get("status", "undecided")
    if status not in {"undecided", "", *MatterStatus.values}:
        status = "undecided"
    return render(
        request,
        "intake/matter_list.html",
        {
            "matters": selectors.matter_list(actor=request.user, status=status)[:200],
            "status": status,
            "statuses": MatterStatus.choices,
        },
    )


def _matter_page(request: HttpRequest, matter: Matter, **forms: Any) -> HttpResponse:
    return render(
        request,
        "intake/matter_detail.html",
        {
            "matter": matter,
            "reports": selectors.matter_reports(actor=request.user, matter=matter),
            "place": gazetteer.place(matter.place_code),
            "is_intake": selectors.is_intake(request.user),
            "may_decide": services.triage.may_decide(request.user, matter),
            # Links apps above intake offer (the verification of the matter), see hooks.py.
            "app_links": matter_links(actor=request.user, matters=[matter]).get(matter.pk, []),
            "assign_form": forms.get("assign_form")
            or AssignForm(agencies=selectors.assignable_agencies()),
            "decide_form": forms.get("decide_form") or DecideForm(),
        },
    )


@login_required
def matter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    matter = selectors.matter_get(actor=request.user, pk=pk)
    return _matter_page(request, matter)


@login_required
@require_POST
def matter_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Assign a matter, or decide its outcome."""
    matter = selectors.matter_get(actor=request.user, pk=pk)
    if action == "assign":
        form: Any = AssignForm(request.POST, agencies=selectors.assignable_agencies())
        if form.is_valid():
            try:
                services.matter_assign(
                    actor=request.user, matter=matter, agency=form.cleaned_data["agency"]
                )
            except (ValidationError, PermissionDenied) as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("Matter assigned."))
                return redirect("intake:matter-detail", pk=matter.pk)
        return _matter_page(request, matter, assign_form=form)
    if action == "decide":
        form = DecideForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.matter_decide(
                    actor=request.user,
                    matter=matter,
                    outcome=data["outcome"],
                    reason=data["reason"],
                    note=data["note"],
                    referred_to=data["referred_to"],
                )
            except (ValidationError, PermissionDenied) as error:
                show_refusal(form, error)
            else:
                messages.success(request, _("Outcome recorded."))
                return redirect("intake:matter-detail", pk=matter.pk)
        return _matter_page(request, matter, decide_form=form)
    raise Http404
