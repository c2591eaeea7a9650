"""Every write to the case registry: validated, in one transaction, and audited."""

from ..names import document_number_index  # its home is beside the name keys
from .base import MASKED_IN_AUDIT, case_reference
from .casefile import (
    NETWORK_ROLES,
    VICTIM_PROFILE_FIELDS,
    VICTIM_PROFILE_OTHER,
    arrest_add,
    event_add,
    may_register_network,
    network_person_add,
    network_person_register,
    participant_add,
    person_register_in_case,
    persons_register_in_case,
    victim_profile_create,
    victim_profile_save,
)
from .cases import (
    CASE_EDITABLE,
    case_close,
    case_create,
    case_reopen,
    case_share,
    case_update,
    identity_share_check,
    victims_without_consent,
)
from .keys import encrypted_columns, keys_check, keys_rotate
from .persons import NAME_FIELDS, PERSON_FIELDS, document_add, person_create, person_update
from .proceedings import proceeding_add, proceeding_update

__all__ = [
    "CASE_EDITABLE",
    "MASKED_IN_AUDIT",
    "NAME_FIELDS",
    "NETWORK_ROLES",
    "PERSON_FIELDS",
    "VICTIM_PROFILE_FIELDS",
    "VICTIM_PROFILE_OTHER",
    "arrest_add",
    "case_close",
    "case_create",
    "case_reference",
    "case_reopen",
    "case_share",
    "case_update",
    "document_add",
    "document_number_index",
    "encrypted_columns",
    "event_add",
    "identity_share_check",
    "keys_check",
    "keys_rotate",
    "may_register_network",
    "network_person_add",
    "network_person_register",
    "participant_add",
    "person_create",
    "person_register_in_case",
    "person_update",
    "persons_register_in_case",
    "proceeding_add",
    "proceeding_update",
    "victim_profile_create",
    "victim_profile_save",
    "victims_without_consent",
]
