"""Pages of job advertisements: the ads seen with their red flags, pasting one, one ad."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ctip.access.masking import MASK, can_read
from ctip.investigations.forms import JobAdForm
from ctip.investigations.normalise import display

from . import selectors, services
from .rules import FLAGS, LANGUAGES


@login_required
def ad_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    flagged_only = request.GET.get("flagged") == "1"
    rows = selectors.ad_list(actor=actor, flagged_only=flagged_only)
    form = JobAdForm(request.POST or None, prefix="ad")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ad = services.job_ad_paste(
                actor=actor,
                text=data.get("text") or "",
                url=data.get("url") or "",
                service=data.get("service") or "",
                seen_on=data.get("seen_on"),
                identifiers=form.identifiers(),
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Advertisement recorded."))
            return redirect("investigations:ad", ad.pk)
    return render(
        request,
        "investigations/ads/list.html",
        {"rows": rows, "form": form, "flagged_only": flagged_only, "flag_names": FLAGS},
        status=400 if form.errors else 200,
    )


@login_required
def ad_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    found = selectors.ad_get(actor=actor, pk=pk)
    identifiers = [
        {
            "identifier": identifier,
            "text": display(identifier.kind, identifier.value)
            if can_read(actor, identifier, "value", identifier.pk)
            else MASK,
        }
        for identifier in found.ad.identifiers.all()
    ]
    return render(
        request,
        "investigations/ads/detail.html",
        {
            "ad": found.ad,
            "flags": found.flags,
            "language": LANGUAGES.get(found.ad.language, found.ad.language),
            "identifiers": identifiers,
            "organisations": list(found.ad.organisations.all()),
        },
    )
