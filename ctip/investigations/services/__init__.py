"""Every write of the investigations app, by sub-domain: identifiers and their alerts,
organisations and compounds, relations, job ads. Keyword-only, one transaction each,
validated and audited inside; a refusal is audited and changes nothing.
"""

from .identifiers import (
    alert_mark_read,
    alerts_read_with_notification,
    identifier_record,
    identifier_use_remove,
)
from .job_ads import job_ad_record
from .organisations import (
    compound_create,
    compound_involve,
    compound_operator_add,
    organisation_create,
    organisation_involve,
)
from .relations import relation_create
from .rules import MAX_AD_TEXT, SCREENSHOT_PURPOSE, may_record

__all__ = [
    "MAX_AD_TEXT",
    "SCREENSHOT_PURPOSE",
    "alert_mark_read",
    "alerts_read_with_notification",
    "compound_create",
    "compound_involve",
    "compound_operator_add",
    "identifier_record",
    "identifier_use_remove",
    "job_ad_record",
    "may_record",
    "organisation_create",
    "organisation_involve",
    "relation_create",
]
