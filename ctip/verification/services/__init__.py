"""Every write of the verification app: validated, in one transaction, and audited."""

from .base import team_problems
from .cases import verification_open_case
from .closing import verification_return, verification_sign_off, verification_submit
from .findings import (
    finding_add,
    finding_remove,
    found_person_add,
    found_person_remove,
    visit_record,
)
from .plan import (
    PLAN_FIELDS,
    matter_allegation,
    team_member_add,
    team_member_remove,
    verification_create,
    verification_order,
    verification_update_plan,
)
from .publish import summary_publish, summary_withdraw

__all__ = [
    "PLAN_FIELDS",
    "finding_add",
    "finding_remove",
    "found_person_add",
    "found_person_remove",
    "matter_allegation",
    "summary_publish",
    "summary_withdraw",
    "team_member_add",
    "team_member_remove",
    "team_problems",
    "verification_create",
    "verification_open_case",
    "verification_order",
    "verification_return",
    "verification_sign_off",
    "verification_submit",
    "verification_update_plan",
    "visit_record",
]
