"""The FollowTheMoney exchange page: export a case's network (or all one sees), import one;
send and receive partner packages, and the list of those sent and received."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ctip.access.choices import Action
from ctip.investigations.selectors import may_investigate, visible_case_q
from ctip.registry.models import Case

from . import selectors
from .export import as_lines
from .forms import ExportForm, ImportForm, PackageReceiveForm, PackageSendForm
from .importer import network_import
from .partners import network_package_receive, network_package_send, partners_in_force
from .reader import bounded_lines


def _guard(request: HttpRequest) -> None:
    if not may_investigate(request.user):
        raise Http404(_("Not found."))


def _case(actor: object, reference: str, action: str = Action.VIEW) -> Case | None:
    return Case.objects.filter(visible_case_q(actor, action), reference=reference.strip()).first()


@login_required
def exchange(request: HttpRequest) -> HttpResponse:
    _guard(request)
    import_form = ImportForm(request.POST or None, request.FILES or None, prefix="import")
    if request.method == "POST" and import_form.is_valid():
        data = import_form.cleaned_data
        case = _case(request.user, data["case"], Action.CHANGE)
        if case is None:
            import_form.add_error("case", _("No case with this reference that you may change."))
        else:
            try:
                counts = network_import(
                    actor=request.user,
                    case=case,
                    lines=bounded_lines(data["file"].file),
                    role=data["role"],
                    file_name=data["file"].name,
                )
            except ValidationError as error:
                for problem in error.message_dict.get("file", error.messages):
                    import_form.add_error("file", problem)
            except PermissionDenied as error:
                import_form.add_error("case", str(error))
            else:
                messages.success(
                    request,
                    _(
                        "Imported: %(persons)d persons, %(organisations)d organisations, "
                        "%(identifiers)d identifiers, %(relations)d relations."
                    )
                    % counts,
                )
                if counts["possible_matches"]:
                    messages.warning(
                        request,
                        ngettext(
                            "%(n)d imported person may be registered already: the pair waits "
                            "for the linkage reviewers.",
                            "%(n)d possible matches of imported persons wait for the linkage "
                            "reviewers.",
                            counts["possible_matches"],
                        )
                        % {"n": counts["possible_matches"]},
                    )
                return redirect("investigations:case", case.pk)
    return _page(request, import_form=import_form)


def _page(request: HttpRequest, **forms: object) -> HttpResponse:
    """The exchange page with its four forms; those given carry what was posted."""
    context = {
        "export_form": ExportForm(prefix="export"),
        "import_form": ImportForm(prefix="import"),
        "send_form": PackageSendForm(prefix="send", partners=partners_in_force()),
        "receive_form": PackageReceiveForm(prefix="receive"),
        **forms,
    }
    failed = any(getattr(form, "errors", None) for form in forms.values())
    return render(
        request, "investigations/ftm/exchange.html", context, status=400 if failed else 200
    )


@login_required
def package(request: HttpRequest) -> HttpResponse:
    """Send a case's network to a partner country (the package downloads), or receive a
    partner's package into a case; both under an agreement in force (ftm.partners)."""
    _guard(request)
    if request.method != "POST":
        return redirect("investigations:ftm")
    actor = request.user
    if request.POST.get("action") == "send":
        send = PackageSendForm(request.POST, prefix="send", partners=partners_in_force())
        if not send.is_valid():
            return _page(request, send_form=send)
        case = _case(actor, send.cleaned_data["case"])
        if case is None:
            send.add_error("case", _("No case with this reference that you may see."))
            return _page(request, send_form=send)
        try:
            made = network_package_send(
                actor=actor, case=case, partner=send.cleaned_data["partner"]
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                for problem in problems:
                    send.add_error(field if field in send.fields else None, problem)
            return _page(request, send_form=send)
        except PermissionDenied as error:
            send.add_error(None, str(error))
            return _page(request, send_form=send)
        response = HttpResponse(made.content, content_type="application/json")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        name = f"ctip-network-{case.reference}-to-{made.partner}-{stamp}.json"
        response["Content-Disposition"] = f'attachment; filename="{_safe(name)}"'
        return response
    receive = PackageReceiveForm(request.POST, request.FILES, prefix="receive")
    if not receive.is_valid():
        return _page(request, receive_form=receive)
    data = receive.cleaned_data
    case = _case(actor, data["case"], Action.CHANGE)
    if case is None:
        receive.add_error("case", _("No case with this reference that you may change."))
        return _page(request, receive_form=receive)
    try:
        counts = network_package_receive(
            actor=actor,
            case=case,
            lines=bounded_lines(data["file"].file),
            role=data["role"],
            file_name=data["file"].name,
        )
    except ValidationError as error:
        for problem in error.message_dict.get("file", error.messages):
            receive.add_error("file", problem)
        return _page(request, receive_form=receive)
    except PermissionDenied as error:
        receive.add_error("case", str(error))
        return _page(request, receive_form=receive)
    messages.success(
        request,
        _(
            "Received: %(persons)d persons, %(organisations)d organisations, "
            "%(identifiers)d identifiers, %(relations)d relations."
        )
        % counts,
    )
    return redirect("investigations:case", case.pk)


def _safe(name: str) -> str:
    """A file name for Content-Disposition: letters, digits, dot, dash."""
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in name)


@login_required
def package_list(request: HttpRequest) -> HttpResponse:
    """The network packages sent and received for the cases the user sees (the audit's)."""
    entries = selectors.packages(actor=request.user)
    return render(request, "investigations/ftm/packages.html", {"entries": entries})


@login_required
def export(request: HttpRequest) -> HttpResponse:
    _guard(request)
    form = ExportForm(request.GET, prefix="export")
    case_pk = None
    if form.is_valid() and form.cleaned_data["case"]:
        case = _case(request.user, form.cleaned_data["case"])
        if case is None:
            raise Http404(_("No such case."))
        case_pk = case.pk
    entities = selectors.network_export(actor=request.user, case_pk=case_pk)
    response = HttpResponse("".join(as_lines(entities)), content_type="application/json")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="ctip-network-{stamp}.ftm.json"'
    return response
