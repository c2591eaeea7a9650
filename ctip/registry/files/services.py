"""Writing to the file store: check, clean, seal and audit; and the registry's attachments."""

import unicodedata
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.models import Agency
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal

from ..crypto import seal
from ..models import Case, Participant, Person
from ..services.base import _require
from .content import clean_file, max_bytes
from .models import CaseAttachment, PersonAttachment, StoredFile
from .scopes import known_purpose
from .selectors import CASE_PURPOSE, PERSON_PURPOSE, person_may_change

NAME_MAX = 200
DESCRIPTION_MAX = 500


def _read_bounded(upload: bytes | IO[bytes]) -> bytes:
    """At most one byte more than the limit, whatever the upload's size (memory bound)."""
    if isinstance(upload, bytes | bytearray):
        return bytes(upload[: max_bytes() + 1])
    upload.seek(0)
    return upload.read(max_bytes() + 1)


def clean_name(name: str) -> str:
    """The file's name as shown: no folders, no control or direction characters, bounded."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return kept[:NAME_MAX] or _("file")


@audited_atomic
def stored_file_create(
    *,
    actor: Any,
    purpose: str,
    upload: bytes | IO[bytes],
    name: str,
    agency: Agency | None = None,
) -> StoredFile:
    """Store a file for a record of `purpose`: its type told by its content, metadata
    stripped, sealed. The caller has checked that the actor may add to its record, and keeps
    the returned file's key on that record. ValidationError naming `file` when refused."""
    if not known_purpose(purpose):
        raise ValueError(f"No file scope is registered for {purpose!r}.")
    clean = clean_file(_read_bounded(upload))
    stored = StoredFile.objects.create(
        purpose=purpose,
        name=clean_name(name),
        content_type=clean.content_type,
        size=len(clean.data),
        content=seal(clean.data),
        agency=agency,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=stored,
        detail={"purpose": purpose, "type": clean.content_type, "size": stored.size},
    )
    return stored


@audited_atomic
def stored_file_delete(*, actor: Any, stored_file: StoredFile) -> None:
    """Remove a file for good (the caller has checked its record may lose it)."""
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=stored_file,
        detail={"purpose": stored_file.purpose},
    )
    stored_file.delete()


def _check_description(description: str) -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise ValidationError(
            {"description": [_("At most %(n)s characters.") % {"n": DESCRIPTION_MAX}]}
        )
    return description


@audited_atomic
def case_attachment_add(
    *,
    actor: Any,
    case: Case,
    upload: bytes | IO[bytes],
    name: str,
    description: str = "",
    participant: Participant | None = None,
) -> CaseAttachment:
    """Attach a document or photo to a case (about one participant, where given)."""
    description = _check_description(description)
    if participant is not None and participant.case_id != case.pk:
        raise ValidationError({"participant": [_("This person is not in this case.")]})
    _require(actor, case, Action.CHANGE)
    stored = stored_file_create(
        actor=actor, purpose=CASE_PURPOSE, upload=upload, name=name, agency=case.owning_agency
    )
    attachment = CaseAttachment.objects.create(
        case=case, participant=participant, file=stored, description=description
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=attachment,
        changes={"case": [None, case.reference], "file": [None, stored.pk]},
    )
    return attachment


@audited_atomic
def case_attachment_remove(*, actor: Any, attachment: CaseAttachment) -> None:
    """Take an attachment off its case, and delete its file."""
    _require(actor, attachment.case, Action.CHANGE)
    stored = attachment.file
    audit_record(actor=actor, action=AuditAction.DELETE, obj=attachment)
    attachment.delete()
    stored_file_delete(actor=actor, stored_file=stored)


@audited_atomic
def person_attachment_add(
    *,
    actor: Any,
    person: Person,
    upload: bytes | IO[bytes],
    name: str,
    description: str = "",
) -> PersonAttachment:
    """Attach a document or photo to a person the actor may change."""
    description = _check_description(description)
    if not person_may_change(actor=actor, person=person):
        raise refusal(
            PermissionDenied(_("You may not change this person.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=person,
            detail={"wanted": "attach"},
        )
    stored = stored_file_create(
        actor=actor, purpose=PERSON_PURPOSE, upload=upload, name=name, agency=person.registered_by
    )
    attachment = PersonAttachment.objects.create(
        person=person, file=stored, description=description
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=attachment,
        changes={"person": [None, person.pk], "file": [None, stored.pk]},
    )
    return attachment
