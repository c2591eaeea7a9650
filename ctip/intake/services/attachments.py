"""Files a reporter sends with a report or a later message: bounded before any work, counted
against a global limit even when refused, then checked, stripped and sealed by the registry's
file store (decision 0130) under a neutral name (decision 0751)."""

from collections.abc import Sequence
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record
from ctip.registry.choices import FileType
from ctip.registry.files.services import stored_file_create

from ..models import Report, ReportAttachment, ReportMessage
from .limits import rate_take

FILE_PURPOSE = "intake.report"
EXTENSIONS: dict[str, str] = {
    FileType.JPEG: "jpg",
    FileType.PNG: "png",
    FileType.WEBP: "webp",
    FileType.PDF: "pdf",
    FileType.TEXT: "txt",
}

Upload = bytes | IO[bytes]


def _size(upload: Upload) -> int:
    size = getattr(upload, "size", None)
    return int(size) if size is not None else len(upload)  # type: ignore[arg-type]


def check_uploads(*, report: Report | None, uploads: Sequence[Upload]) -> None:
    """Refuse, before any file is read, more files than one message may carry, more than a
    report may hold, or a file over the size limit (ValidationError naming `file`)."""
    if not uploads:
        return
    per_message = int(settings.CTIP_INTAKE_FILES_PER_MESSAGE)
    if len(uploads) > per_message:
        raise ValidationError(
            {"file": [_("Send at most %(n)d files at a time.") % {"n": per_message}]}
        )
    per_report = int(settings.CTIP_INTAKE_FILES_PER_REPORT)
    held = report.attachments.count() if report is not None and report.pk else 0
    if held + len(uploads) > per_report:
        raise ValidationError(
            {"file": [_("A report holds at most %(n)d files.") % {"n": per_report}]}
        )
    limit = int(settings.CTIP_FILE_MAX_BYTES)
    if any(_size(upload) > limit for upload in uploads):
        raise ValidationError(
            {"file": [_("A file is larger than %(limit)s MB.") % {"limit": limit // (1024 * 1024)}]}
        )


def take_file_allowance(count: int) -> bool:
    """Count the files about to be checked against the global per-minute limit. Called
    outside the report's transaction, so that refused files count too: a flood of hostile
    files costs at most the limit's worth of checking a minute."""
    limit = int(settings.CTIP_INTAKE_FILES_PER_MINUTE)
    return all(rate_take(scope="files", limit=limit) for _ in range(count))


def attach_public(
    *, report: Report, uploads: Sequence[Upload], message: ReportMessage | None = None
) -> list[ReportAttachment]:
    """Store the reporter's files on their report (inside the caller's transaction: a refused
    file refuses the whole submission, nothing kept). No one is signed in; the store's own
    audit event and this one name the report, never the sender."""
    attached = []
    for upload in uploads:
        number = report.attachments.count() + 1
        stored = stored_file_create(
            actor=None, purpose=FILE_PURPOSE, upload=upload, name=f"{report.reference}-{number}"
        )
        # The name the reporter's phone gave the file is never kept (it can carry a name).
        stored.name = f"{report.reference}-{number}.{EXTENSIONS.get(stored.content_type, 'bin')}"
        stored.save(update_fields=["name"])
        attachment = ReportAttachment.objects.create(report=report, message=message, file=stored)
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            obj=attachment,
            detail={"report": report.pk, "file": stored.pk, "type": stored.content_type},
        )
        attached.append(attachment)
    return attached
