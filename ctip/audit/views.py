"""The auditors' pages: browse and filter the trail."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .forms import AuditFilterForm
from .readable import describe
from .selectors import AuditFilters, audit_event_list


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = AuditFilters(**form.cleaned_data) if form.is_valid() else AuditFilters()
    events = audit_event_list(actor=request.user, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/event_list.html",
        {
            "form": form,
            "page": page,
            "lines": describe(list(page.object_list)),
            "query": query.urlencode(),
        },
    )
