"""Job advertisements recorded in cases, with their screenshot in the encrypted file store."""

import datetime
from collections.abc import Iterable
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from ctip.access.models import Agency
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.registry.files.services import stored_file_create
from ctip.registry.models import Case
from ctip.registry.validation import Errors, text_problem

from ..models import (
    JobAd,
    Organisation,
)
from .identifiers import identifier_for
from .rules import MAX_AD_TEXT, SCREENSHOT_PURPOSE, check_date, require_change

# --- job advertisements -------------------------------------------------------------------------


@audited_atomic
def job_ad_record(
    *,
    actor: Any,
    agency: Agency,
    case: Case | None = None,
    url: str = "",
    text: str = "",
    service: str = "",
    language: str = "",
    seen_on: datetime.date | None = None,
    identifiers: Iterable[tuple[str, str, str]] = (),
    organisations: Iterable[Organisation] = (),
    screenshot: bytes | IO[bytes] | None = None,
    screenshot_name: str = "",
    external_id: str | None = None,
) -> JobAd:
    """Record a job advertisement seen online, with the identifiers it names ((kind, value,
    service) triples: the phone to call, the Telegram account), its organisations and a
    screenshot (kept in the shared encrypted file store). Kept in a case, or by the agency
    outside any case. The red flags are worked out by the ads package."""
    errors = Errors()
    if not url.strip() and not text.strip():
        errors.add("text", _("Give the address of the advertisement or its text."))
    if len(url) > 2000:
        errors.add("url", _("At most %(n)d characters.") % {"n": 2000})
    elif url and not url.lower().startswith(("http://", "https://")):
        errors.add("url", _("Enter a web address starting with http:// or https://."))
    if len(text) > MAX_AD_TEXT:
        errors.add("text", _("At most %(n)d characters.") % {"n": MAX_AD_TEXT})
    elif problem := text_problem(text, multiline=True):
        errors.add("text", problem)
    if len(service) > 60:
        errors.add("service", _("At most %(n)d characters.") % {"n": 60})
    if len(language) > 10:
        errors.add("language", _("At most %(n)d characters.") % {"n": 10})
    check_date(errors, "seen_on", seen_on)
    found_identifiers = []
    for kind, value, id_service in identifiers:
        found, _created = identifier_for(
            errors, kind=kind, value=value, service=id_service, field="identifiers"
        )
        if found is not None:
            found_identifiers.append(found)
    errors.raise_if_any()
    if case is not None:
        require_change(actor, case)
    elif not (
        actor_scope(actor).is_superuser
        or agency.pk in actor_scope(actor).agencies_with(frozenset(actor_scope(actor).roles))
    ):
        raise refusal(
            PermissionDenied(_("You may record advertisements for your own agencies only.")),
            actor=actor,
            action=AuditAction.DENIED,
            object_type="investigations.jobad",
        )
    if external_id and (existing := JobAd.objects.filter(external_id=external_id).first()):
        return existing
    stored = None
    if screenshot is not None:
        # Checked by content, metadata (EXIF/GPS) stripped, sealed: the shared file store.
        stored = stored_file_create(
            actor=actor,
            purpose=SCREENSHOT_PURPOSE,
            upload=screenshot,
            name=screenshot_name or "screenshot",
            agency=agency,
        )
    ad = JobAd.objects.create(
        screenshot=stored,
        case=case,
        agency=agency,
        url=url.strip(),
        text=text,
        service=service.strip(),
        language=language.strip(),
        seen_on=seen_on,
        external_id=external_id or None,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    ad.identifiers.set(found_identifiers)
    ad.organisations.set(list(organisations))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=ad,
        changes={"case": [None, case.reference if case else None], "url": [None, ad.url]},
    )
    return ad
