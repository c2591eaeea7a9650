"""The link a case page shows to the verification it was opened from (registry page hook)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from ctip.registry.hooks import PageLink, PageLinks

from .models import OpenedCase
from .selectors import visible_q


def case_links(*, actor: Any, cases: list[Any], participants: list[Any], links: PageLinks) -> None:
    """One query per page: the verifications (visible to the actor) these cases came from."""
    if not cases:
        return
    rows = (
        OpenedCase.objects.filter(case_id__in=[c.pk for c in cases])
        .filter(verification__in=_visible(actor))
        .values_list("case_id", "verification_id", "verification__reference")
    )
    for case_id, verification_id, reference in rows:
        links.add_case(
            case_id,
            PageLink(
                _("Opened from verification %(reference)s") % {"reference": reference},
                reverse("verification:detail", args=[verification_id]),
                "verification-source",
            ),
        )


def _visible(actor: Any) -> Any:
    from .models import Verification

    return Verification.objects.filter(visible_q(actor)).values("pk")
