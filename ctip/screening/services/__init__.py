"""Every write of the screening app, by sub-domain: operations, persons found, the
non-punishment rule, interviews and decisions, repatriation and the embassy lists.

Persons found go into the registry through its services (encrypted identity fields, search
keys, audit), each as a participant of the operation's case; a decision that finds a victim
becomes the registry's victim profile, so the case file and the statistics see it.
"""

from .embassy import EmbassySent, embassy_list_send, repatriation_update
from .found import (
    FOUND_FIELDS,
    MAX_ROWS_PER_SUBMIT,
    RowCheck,
    found_persons_add,
    found_row_check,
    registering_agency,
)
from .interviews import screening_record
from .non_punishment import found_person_mark_suspect, is_suspect_in, non_punishment_refusal
from .operations import operation_create, require_operation_change

__all__ = [
    "FOUND_FIELDS",
    "MAX_ROWS_PER_SUBMIT",
    "EmbassySent",
    "RowCheck",
    "embassy_list_send",
    "found_person_mark_suspect",
    "found_persons_add",
    "found_row_check",
    "is_suspect_in",
    "non_punishment_refusal",
    "operation_create",
    "registering_agency",
    "repatriation_update",
    "require_operation_change",
    "screening_record",
]
