"""Every write of the intake app: reports (public and recorded), the conversation, triage."""

from .limits import rate_take, spend_challenge
from .reports import (
    PublicSubmission,
    ReportInput,
    report_message_staff,
    report_record,
    report_reply_public,
    report_submit_public,
)
from .triage import (
    matter_assign,
    matter_create,
    matter_decide,
    report_group,
)

__all__ = [
    "PublicSubmission",
    "ReportInput",
    "matter_assign",
    "matter_create",
    "matter_decide",
    "rate_take",
    "report_group",
    "report_message_staff",
    "report_record",
    "report_reply_public",
    "report_submit_public",
    "spend_challenge",
]
