"""Every write of the referrals app, by sub-domain (decision 0001: writes through services).

Each is validated, runs in one transaction and is audited; a refused attempt changes nothing
and leaves a 'denied' audit event saying why. Import from here: the modules below are its parts.
"""

from .base import (
    MASKED,
    staff_agencies,
)
from .care_plan import (
    care_plan_item_add,
    care_plan_refer,
)
from .exchange import (
    exchange_package_create,
    exchange_package_refusal,
    exchange_update_add,
    htcds_record,
)
from .lifecycle import (
    TRANSITION_SERVICES,
    TRANSITIONS,
    referral_accept,
    referral_close,
    referral_complete,
    referral_decline,
    referral_send,
    referral_start,
    transition_side_agency,
)
from .offers import (
    agency_offers,
    agency_service_set,
    deadline_days,
    deadline_of_rule,
    service_deadline_set,
)
from .tasks import (
    may_add_task,
    referral_note_add,
    referral_note_side,
    task_cancel,
    task_complete,
    task_create,
)

__all__ = [
    "MASKED",
    "TRANSITIONS",
    "TRANSITION_SERVICES",
    "agency_offers",
    "agency_service_set",
    "care_plan_item_add",
    "care_plan_refer",
    "deadline_days",
    "deadline_of_rule",
    "exchange_package_create",
    "exchange_package_refusal",
    "exchange_update_add",
    "htcds_record",
    "may_add_task",
    "referral_accept",
    "referral_close",
    "referral_complete",
    "referral_decline",
    "referral_note_add",
    "referral_note_side",
    "referral_send",
    "referral_start",
    "service_deadline_set",
    "staff_agencies",
    "task_cancel",
    "task_complete",
    "task_create",
    "transition_side_agency",
]
