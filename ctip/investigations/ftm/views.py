"""The FollowTheMoney exchange page: export a case's network (or all one sees), import one."""

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
from .forms import ExportForm, ImportForm
from .importer import network_import
from .reader import bounded_lines


def _guard(request: HttpRequest) -> None:
    if not may_investigate(request.user):
        raise Http404(_("Not found."))


def _case(actor: object, reference: str, action: str = Action.VIEW) -> Case | None:
    return Case.objects.filter(visible_case_q(actor, action), reference=reference.strip()).first()


@login_required
def exchange(request: HttpRequest) -> HttpResponse:
    _guard(request)
    export_form = ExportForm(prefix="export")
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
    return render(
        request,
        "investigations/ftm/exchange.html",
        {"export_form": export_form, "import_form": import_form},
        status=400 if import_form.errors else 200,
    )


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
