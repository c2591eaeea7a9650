"""Import and export pages: thin, they parse input and call services and selectors."""

import io
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ctip.access.selectors import agencies_actor_can_register_for
from ctip.web.refusals import refusal_text, show_refusal

from . import selectors
from .choices import BatchStatus, Layout
from .export import export_write
from .forms import ApplyForm, ExportForm, MappingForm, UploadForm
from .services import column_mapping_save, import_recover_stale, import_upload
from .tasks import apply_import, read_progress, validate_import

RUNNING = (BatchStatus.PENDING, BatchStatus.VALIDATING, BatchStatus.APPLYING)


def _run(task, batch, *args):  # type: ignore[no-untyped-def]
    """Small files are worked through at once; large ones go to the background queue."""
    if Path(batch.stored_path).stat().st_size <= settings.CTIP_IMPORT_INLINE_BYTES:
        task.call(batch.pk, *args)
    else:
        task.enqueue(batch.pk, *args)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    import_recover_stale()
    batches = selectors.import_batch_list(actor=request.user)[:50]
    mappings = selectors.column_mapping_list(actor=request.user)
    return render(request, "exchange/import_list.html", {"batches": batches, "mappings": mappings})


@login_required
def import_new(request: HttpRequest) -> HttpResponse:
    mappings = selectors.column_mapping_list(actor=request.user)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies_actor_can_register_for(actor=request.user),
        mappings=mappings,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        mapping = (
            selectors.column_mapping_get(actor=request.user, name=form.cleaned_data["mapping"])
            if form.cleaned_data["mapping"]
            else None
        )
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
            handle.flush()
            try:
                batch = import_upload(
                    actor=request.user,
                    path=Path(handle.name),
                    file_name=upload.name,
                    agency=form.cleaned_data["agency"],
                    mapping=mapping,
                    layout=Layout.KOBO if form.cleaned_data["kobo"] else "",
                    sheet=form.cleaned_data["sheet"],
                    day_first=False if form.cleaned_data["month_first"] else None,
                )
            except ValidationError as error:
                form.add_error("file", error.message_dict.get("file", error.messages))
                return render(request, "exchange/import_new.html", {"form": form}, status=400)
            except PermissionDenied as error:
                form.add_error("agency", str(error))
                return render(request, "exchange/import_new.html", {"form": form}, status=403)
        _run(validate_import, batch)
        return redirect("exchange:import-detail", pk=batch.pk)
    return render(request, "exchange/import_new.html", {"form": form})


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    import_recover_stale()
    batch = selectors.import_batch_get(actor=request.user, pk=pk)
    page = Paginator(selectors.import_problems(actor=request.user, batch=batch), 200).get_page(
        request.GET.get("page")
    )
    refusal = selectors.import_apply_refusal(actor=request.user, batch=batch, skip_rejected=True)
    return render(
        request,
        "exchange/import_detail.html",
        {
            "batch": batch,
            "page": page,
            "running": batch.status in RUNNING,
            "form": ApplyForm(),
            # Asked as if skipping: the form offers the check box where the file has problems.
            "apply_refusal": refusal_text(refusal) if refusal else "",
            "may_apply": refusal is None,
        },
    )


@login_required
def import_progress(request: HttpRequest, pk: int) -> JsonResponse:
    import_recover_stale()
    batch = selectors.import_batch_get(actor=request.user, pk=pk)
    progress = read_progress(batch.pk) or {}
    total = progress.get("total") or batch.total_rows
    done = progress.get("done", batch.processed_rows)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "done": done,
            "total": total,
            "percent": round(100 * done / total) if total else 0,
            "running": batch.status in RUNNING,
        }
    )


@login_required
def import_report_csv(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_batch_get(actor=request.user, pk=pk)
    handle = io.StringIO()
    selectors.write_report_csv(actor=request.user, batch=batch, handle=handle)
    response = HttpResponse(handle.getvalue().encode("utf-8-sig"), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{batch.pk}-report.csv"'
    return response


@login_required
@require_POST
def import_apply_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.import_batch_get(actor=request.user, pk=pk, wanted="import_apply")
    form = ApplyForm(request.POST)
    form.is_valid()
    skip = bool(form.cleaned_data.get("skip_rejected"))
    refusal = selectors.import_apply_refusal(actor=request.user, batch=batch, skip_rejected=skip)
    if refusal is not None:
        messages.error(request, refusal_text(refusal))
        return redirect("exchange:import-detail", pk=pk)
    try:
        _run(apply_import, batch, skip)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("exchange:import-detail", pk=pk)


@login_required
def mapping_edit(request: HttpRequest, name: str = "") -> HttpResponse:
    initial: dict[str, object] = {"day_first": True}
    if name:
        mapping = selectors.column_mapping_get(actor=request.user, name=name)
        initial = {
            "name": mapping.name,
            "agency": mapping.agency,
            "sheet": mapping.sheet,
            "day_first": mapping.day_first,
            **{f"col_{k}": v for k, v in mapping.columns.items()},
        }
    form = MappingForm(
        request.POST or None,
        initial=initial,
        agencies=agencies_actor_can_register_for(actor=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            mapping = column_mapping_save(
                actor=request.user,
                name=form.cleaned_data["name"],
                agency=form.cleaned_data["agency"],
                columns=form.columns(),
                sheet=form.cleaned_data["sheet"],
                day_first=form.cleaned_data["day_first"],
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, _("Layout %(name)s saved.") % {"name": mapping.name})
            return redirect("exchange:import-list")
    return render(request, "exchange/mapping_form.html", {"form": form})


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.GET or None)
    if request.GET and form.is_valid():
        layout, fmt = form.cleaned_data["layout"], form.cleaned_data["file_format"]
        if layout == "ctdc":
            from .ctdc import ctdc_write

            handle: io.StringIO | io.BytesIO = io.StringIO()
            ctdc_write(actor=request.user, handle=handle, publication=True)
            fmt = "csv"
        else:
            handle = io.BytesIO() if fmt == "xlsx" else io.StringIO()
            export_write(actor=request.user, layout=layout, file_format=fmt, handle=handle)
        body = handle.getvalue()
        content_types = {
            "csv": "text/csv",
            "json": "application/json",
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
        response = HttpResponse(
            body.encode("utf-8") if isinstance(body, str) else body,
            content_type=content_types[fmt],
        )
        response["Content-Disposition"] = f'attachment; filename="ctip-{layout}.{fmt}"'
        return response
    return render(request, "exchange/export.html", {"form": form, "debug": settings.DEBUG})
