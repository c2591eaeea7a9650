"""Reading stored files: only through the scope of the record that attached them."""

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.policies import restrict
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from ..crypto import unseal
from ..models import Case, Person
from ..selectors import person_queryset
from .models import CaseAttachment, PersonAttachment, StoredFile
from .scopes import readable_q, register_file_scope

CASE_PURPOSE = "registry.case"
PERSON_PURPOSE = "registry.person"


@dataclass(frozen=True)
class OpenedFile:
    """A file read back: its record (name, type) and its decrypted bytes."""

    record: StoredFile
    data: bytes


def stored_file_get(*, actor: Any, pk: int) -> StoredFile:
    """A file the actor may read, without its content. Unknown and forbidden look the same
    (404); a forbidden one is audited."""
    record = StoredFile.objects.defer("content").filter(pk=pk).first()
    if (
        record is not None
        and StoredFile.objects.filter(
            readable_q(actor=actor, purpose=record.purpose), pk=pk
        ).exists()
    ):
        return record
    if record is not None:
        audit_record(
            actor=actor,
            action=AuditAction.DENIED,
            obj=record,
            detail={"wanted": "view", "purpose": record.purpose},
        )
    raise Http404(_("No such file."))


def stored_file_open(*, actor: Any, pk: int) -> OpenedFile:
    """A file's record and decrypted bytes, for the actor who may read it; audited."""
    record = stored_file_get(actor=actor, pk=pk)
    raw = StoredFile.objects.filter(pk=pk).values_list("content", flat=True).get()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        obj=record,
        detail={"purpose": record.purpose, "type": record.content_type},
    )
    return OpenedFile(record, unseal(bytes(raw)))


def file_scopes_of_registry() -> None:
    """Register who reads the registry's own attachments (from RegistryConfig.ready)."""
    register_file_scope(CASE_PURPOSE, _case_files)
    register_file_scope(PERSON_PURPOSE, _person_files)


def _case_files(*, actor: Any) -> Q:
    # Readable exactly where the attachment is: its case, or its participant for a referral.
    visible = restrict(CaseAttachment.objects.filter(file_id=OuterRef("pk")), actor)
    return Q(Exists(visible))


def _person_files(*, actor: Any) -> Q:
    visible = PersonAttachment.objects.filter(
        file_id=OuterRef("pk"), person__in=person_queryset(actor=actor)
    )
    return Q(Exists(visible))


def person_may_change(*, actor: Any, person: Person) -> bool:
    """Whether the actor may add to this person's record (not by a referral alone)."""
    return person_queryset(actor=actor, action=Action.CHANGE).filter(pk=person.pk).exists()


def case_attachments(*, actor: Any, case: Case) -> list[CaseAttachment]:
    """The case's attachments the actor may see (a referral's receiver: those about the
    referred participants), newest first, without the files' content."""
    return list(
        restrict(CaseAttachment.objects.filter(case=case), actor)
        .select_related("file", "participant__person")
        .defer("file__content")
    )


def person_attachments(*, actor: Any, person: Person) -> list[PersonAttachment]:
    """The attachments of a person the actor may see (read through person_get)."""
    return list(
        PersonAttachment.objects.filter(person=person, person__in=person_queryset(actor=actor))
        .select_related("file")
        .defer("file__content")
    )
