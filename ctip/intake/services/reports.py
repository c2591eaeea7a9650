"""Reports in: the public form (anonymous, with a receipt code), what hotline operators record,
and the two-way conversation that follows."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import phonenumbers
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Role
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.reference import gazetteer
from ctip.reference.models import Province
from ctip.registry.crypto import blind_index
from ctip.registry.validation import Errors, check_choice, text_problem

from ..choices import (
    OPERATOR_CHANNELS,
    Answer,
    Author,
    Channel,
    KeyKind,
    Priority,
    ReportLanguage,
    Trust,
)
from ..models import Report, ReportKey, ReportMessage
from ..proof import check_solution
from ..receipts import new_receipt_code, normalise_receipt_code, receipt_hash
from .attachments import Upload, attach_public, check_uploads, take_file_allowance
from .limits import rate_take, spend_challenge

# Bounds on what one report may hold: enough for any honest account, small enough that a
# flood cannot fill the disk or slow the queue (the form and nginx refuse larger bodies too).
MAX_TEXT = 5000
MAX_SHORT = 500
MAX_ITEMS = 10
MAX_ITEM = 200
MAX_PEOPLE_COUNT = 100_000
PIN = re.compile(r"^\s*(-?\d{1,2}(?:\.\d{1,7})?)\s*,\s*(-?\d{1,3}(?:\.\d{1,7})?)\s*$")


class Throttled(Exception):
    """The public door is busy (a global limit is reached): try again in a minute."""


@dataclass
class ReportInput:
    """What a report says, as the public form or an operator gives it."""

    what: str = ""
    place_code: str = ""
    address: str = ""
    pin: str = ""
    people: str = ""
    phones: list[str] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    people_count: int | None = None
    when: str = ""
    child_involved: str = Answer.UNKNOWN
    danger_now: str = Answer.UNKNOWN
    contact: str = ""


@dataclass(frozen=True)
class PublicSubmission:
    """A stored public report and its receipt code, shown once and never stored in clear."""

    report: Report
    receipt_code: str


# --- validation ----------------------------------------------------------------------------


def _check_text(errors: Errors, name: str, value: str, limit: int, *, multiline: bool) -> None:
    if len(value) > limit:
        errors.add(name, _("Keep this under %(limit)d characters.") % {"limit": limit})
        return
    problem = text_problem(value, multiline=multiline)
    if problem:
        errors.add(name, problem)


def _check_list(errors: Errors, name: str, values: list[str]) -> None:
    if len(values) > MAX_ITEMS:
        errors.add(name, _("Give at most %(count)d, one per line.") % {"count": MAX_ITEMS})
    for value in values:
        _check_text(errors, name, value, MAX_ITEM, multiline=False)


def validate_report(data: ReportInput) -> dict[str, Any]:
    """The report's fields ready to store, or a ValidationError naming each bad field."""
    errors = Errors()
    what = (data.what or "").strip()
    if not what:
        errors.add("what", _("Say what is happening: this is the one thing a report needs."))
    _check_text(errors, "what", what, MAX_TEXT, multiline=True)
    for name in ("address", "people", "when", "contact"):
        _check_text(
            errors, name, (getattr(data, name) or "").strip(), MAX_SHORT * 2, multiline=True
        )
    for name in ("phones", "accounts", "websites"):
        _check_list(errors, name, [v.strip() for v in getattr(data, name) if v.strip()])
    check_choice(errors, "child_involved", data.child_involved, Answer.values)
    check_choice(errors, "danger_now", data.danger_now, Answer.values)
    place = None
    if data.place_code:
        place = gazetteer.place(data.place_code)
        if place is None:
            errors.add("place_code", _("Choose a place from the list."))
    pin = (data.pin or "").strip()
    if pin:
        match = PIN.match(pin)
        if not match or not (
            -90 <= float(match.group(1)) <= 90 and -180 <= float(match.group(2)) <= 180
        ):
            errors.add("pin", _("Give the map point as latitude, longitude, e.g. 10.61, 103.52."))
    count = data.people_count
    if count is not None and not (0 <= count <= MAX_PEOPLE_COUNT):
        errors.add("people_count", _("Give a number between 0 and 100,000."))
    errors.raise_if_any()
    province = None
    if place is not None:
        province = Province.objects.filter(code=gazetteer.province_iso(place.code)).first()
    return {
        "what": what,
        "place_code": place.code if place else "",
        "province": province,
        "address": data.address.strip(),
        "pin": pin,
        "people": data.people.strip(),
        "phones": [v.strip() for v in data.phones if v.strip()],
        "accounts": [v.strip() for v in data.accounts if v.strip()],
        "websites": [v.strip() for v in data.websites if v.strip()],
        "people_count": count,
        "when": data.when.strip(),
        "child_involved": data.child_involved,
        "danger_now": data.danger_now,
        "contact": data.contact.strip(),
    }


# --- priority and grouping keys --------------------------------------------------------------


def priority_of(*, child_involved: str, danger_now: str, people_count: int | None) -> int:
    """The triage rules: someone in danger now is urgent; a child, or many people held (a
    compound), is high; the rest in order of arrival."""
    if danger_now == Answer.YES:
        return Priority.URGENT
    if child_involved == Answer.YES or (people_count or 0) >= settings.CTIP_INTAKE_MANY_PEOPLE:
        return Priority.HIGH
    return Priority.NORMAL


def normal_phone(value: str) -> str:
    """A phone number in E.164 (Cambodian numbers may omit +855), or its digits."""
    try:
        number = phonenumbers.parse(value, "KH")
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    return re.sub(r"\D", "", value)


def normal_account(value: str) -> str:
    """'@Name', 'https://t.me/name', 'facebook.com/Name/' all become a lower-case handle path."""
    text = value.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = re.sub(r"^(www\.|m\.)", "", text)
    return text.lstrip("@").rstrip("/")


def normal_website(value: str) -> str:
    text = value.strip().lower()
    host = urlsplit(text if "://" in text else "http://" + text).hostname or ""
    return host.removeprefix("www.")


def grouping_keys(values: dict[str, Any]) -> set[tuple[str, str]]:
    """(kind, keyed hash) of what a report names that other reports may name too."""
    keys: set[tuple[str, str]] = set()

    def add(kind: str, text: str) -> None:
        if len(text) >= 4:
            keys.add((kind, blind_index(text, purpose=f"intake-{kind}")))

    for phone in values["phones"]:
        add(KeyKind.PHONE, normal_phone(phone))
    for account in values["accounts"]:
        add(KeyKind.ACCOUNT, normal_account(account))
    for site in values["websites"]:
        add(KeyKind.WEBSITE, normal_website(site))
    place = gazetteer.place(values["place_code"])
    if place is not None and place.level == "village":
        add(KeyKind.PLACE, place.code)
    return keys


def _store(values: dict[str, Any], **extra: Any) -> Report:
    priority = priority_of(
        child_involved=values["child_involved"],
        danger_now=values["danger_now"],
        people_count=values["people_count"],
    )
    # A placeholder reference, unique within the transaction, until the row has its id.
    report = Report.objects.create(
        reference=f"new-{new_receipt_code()}",
        priority=priority,
        received_at=timezone.now(),
        **values,
        **extra,
    )
    report.reference = f"R-{report.received_at:%Y}-{report.pk:06d}"
    report.save(update_fields=["reference"])
    ReportKey.objects.bulk_create(
        ReportKey(report=report, kind=kind, digest=digest)
        for kind, digest in sorted(grouping_keys(values))
    )
    return report


def _unique_receipt() -> tuple[str, str]:
    """A receipt code and its hash, drawn again in the (1 in 10^16) case of a collision."""
    while True:
        code = new_receipt_code()
        digest = receipt_hash(code)
        if not Report.objects.filter(receipt_hash=digest).exists():
            return code, digest


# --- the public door -------------------------------------------------------------------------


def report_submit_public(
    *,
    data: ReportInput,
    language: str,
    challenge: str = "",
    solution: str = "",
    uploads: Sequence[Upload] = (),
) -> PublicSubmission:
    """Store a report from the public form; no one is signed in and nothing about the sender
    is kept. A solved proof of work gives normal trust; without one (no JavaScript) the
    report is accepted as lower-trust under a smaller global limit. Files come with it
    (attachments.py): a refused file refuses the whole report. Raises ValidationError
    (nothing stored) or Throttled (try again in a minute)."""
    errors = Errors()
    check_choice(errors, "language", language, ReportLanguage.values)
    errors.raise_if_any()
    values = validate_report(data)
    check_uploads(report=None, uploads=uploads)
    if uploads and not take_file_allowance(len(uploads)):
        raise Throttled()
    return _submit_public(
        values=values, language=language, challenge=challenge, solution=solution, uploads=uploads
    )


@audited_atomic
def _submit_public(
    *,
    values: dict[str, Any],
    language: str,
    challenge: str,
    solution: str,
    uploads: Sequence[Upload],
) -> PublicSubmission:
    trust = Trust.NO_SCRIPT
    if challenge or solution:
        valid, expires = check_solution(challenge, solution)
        if valid and spend_challenge(token=challenge, expires=expires):
            trust = Trust.PROOF_OF_WORK
    if trust == Trust.PROOF_OF_WORK:
        allowed = rate_take(scope="submit", limit=settings.CTIP_INTAKE_SUBMIT_PER_MINUTE)
    else:
        allowed = rate_take(scope="submit-noscript", limit=settings.CTIP_INTAKE_NOSCRIPT_PER_MINUTE)
    if not allowed:
        raise Throttled()
    code, digest = _unique_receipt()
    report = _store(
        values, channel=Channel.WEB, language=language, trust=trust, receipt_hash=digest
    )
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=report,
        detail={
            "channel": Channel.WEB,
            "trust": trust,
            "priority": report.priority,
            "files": len(uploads),
        },
    )
    attach_public(report=report, uploads=uploads)
    return PublicSubmission(report=report, receipt_code=code)


def report_by_receipt(*, code: str) -> Report | None:
    """The report a receipt code opens, or None. Every try counts against a global limit, and
    a wrong code, a malformed one and a throttled try look alike to the caller except for the
    throttle (which says nothing about the code). Raises Throttled."""
    if not rate_take(scope="lookup", limit=settings.CTIP_INTAKE_LOOKUP_PER_MINUTE):
        raise Throttled()
    normal = normalise_receipt_code(code)
    # A malformed code costs the same hash as a well-formed one, so timing tells nothing.
    digest = receipt_hash(normal or "0" * 16)
    if normal is None:
        return None
    return Report.objects.filter(receipt_hash=digest).first()


def report_reply_public(
    *, report: Report, body: str, uploads: Sequence[Upload] = ()
) -> ReportMessage:
    """The reporter writes again, through their receipt code (the caller opened `report` with
    report_by_receipt in this request), with files if they have more to show."""
    errors = Errors()
    text = (body or "").strip()
    if not text:
        errors.add("body", _("Write a message first."))
    _check_text(errors, "body", text, MAX_TEXT, multiline=True)
    errors.raise_if_any()
    check_uploads(report=report, uploads=uploads)
    if uploads and not take_file_allowance(len(uploads)):
        raise Throttled()
    return _reply_public(report=report, text=text, uploads=uploads)


@audited_atomic
def _reply_public(*, report: Report, text: str, uploads: Sequence[Upload]) -> ReportMessage:
    if not rate_take(scope="reply", limit=settings.CTIP_INTAKE_SUBMIT_PER_MINUTE):
        raise Throttled()
    message = ReportMessage.objects.create(report=report, author=Author.REPORTER, body=text)
    audit_record(
        actor=None,
        action=AuditAction.CREATE,
        obj=message,
        detail={"report": report.pk, "files": len(uploads)},
    )
    attach_public(report=report, uploads=uploads, message=message)
    return message


# --- staff ----------------------------------------------------------------------------------


def intake_agency_id(actor: Any) -> int | None:
    """The agency the actor works for as an intake officer (the first), or None."""
    agencies = actor_scope(actor).roles.get(Role.INTAKE_OFFICER, frozenset())
    return min(agencies) if agencies else None


def require_intake(actor: Any, *, what: str, obj: Any = None) -> None:
    """Refuse (audited) anyone who is not an intake officer or a superuser."""
    scope = actor_scope(actor)
    if scope.is_superuser or scope.roles.get(Role.INTAKE_OFFICER):
        return
    raise refusal(
        PermissionDenied(_("Only the intake team may do this.")),
        actor=actor,
        action=AuditAction.DENIED,
        obj=obj,
        object_type="" if obj is not None else "intake.report",
        detail={"attempted": what},
    )


@audited_atomic
def report_record(
    *,
    actor: Any,
    channel: str,
    language: str,
    data: ReportInput,
    give_receipt: bool = True,
) -> PublicSubmission:
    """An operator records a call or message (hotline, Facebook, Telegram, walk-in...). The
    caller may be given a receipt code to follow up on the public page, like a web reporter."""
    require_intake(actor, what="report_record")
    errors = Errors()
    check_choice(errors, "channel", channel, [c.value for c in OPERATOR_CHANNELS])
    check_choice(errors, "language", language, ReportLanguage.values)
    errors.raise_if_any()
    values = validate_report(data)
    code, digest = _unique_receipt() if give_receipt else ("", None)
    agency_id = intake_agency_id(actor)
    report = _store(
        values,
        channel=channel,
        language=language,
        trust=Trust.STAFF,
        receipt_hash=digest,
        recorded_by=actor,
        recorded_agency_id=agency_id,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=report,
        detail={"channel": channel, "priority": report.priority, "receipt": give_receipt},
    )
    return PublicSubmission(report=report, receipt_code=code)


@audited_atomic
def report_message_staff(*, actor: Any, report: Report, body: str) -> ReportMessage:
    """Staff write to the reporter, who reads it with their receipt code."""
    require_intake(actor, what="report_message_staff", obj=report)
    errors = Errors()
    text = (body or "").strip()
    if not text:
        errors.add("body", _("Write a message first."))
    _check_text(errors, "body", text, MAX_TEXT, multiline=True)
    if report.receipt_hash is None:
        errors.add("body", _("This reporter has no receipt code and cannot read messages."))
    errors.raise_if_any()
    message = ReportMessage.objects.create(
        report=report, author=Author.STAFF, body=text, staff_user=actor
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=message, detail={"report": report.pk})
    return message
