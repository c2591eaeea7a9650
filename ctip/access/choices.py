"""Value lists of the access app: agency kinds and levels, roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    SECRETARIAT = "secretariat", _("National secretariat")
    MINISTRY = "ministry", _("Ministry or institution")
    POLICE_UNIT = "police_unit", _("Police unit")
    COURT = "court", _("Court")
    PROVINCE_COMMITTEE = "province_committee", _("Province committee")
    PROVINCE_DEPARTMENT = "province_department", _("Province department")
    NGO = "ngo", _("Non-governmental organisation")
    INTERNATIONAL = "international", _("International organisation")
    FOREIGN_PARTNER = "foreign_partner", _("Foreign partner")


class AgencyLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    FOREIGN = "foreign", _("Foreign")


class Role(models.TextChoices):
    CASE_OFFICER = "case_officer", _("Case officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")
    ADMINISTRATOR = "administrator", _("Administrator")
    NGO_PARTNER = "ngo_partner", _("NGO partner")
    LINKAGE_REVIEWER = "linkage_reviewer", _("Linkage reviewer")
    # Hotline operators and the triage team of public reports (issue #15).
    INTAKE_OFFICER = "intake_officer", _("Intake officer")
    # Follows identifiers, organisations and networks across cases (issue #17).
    INVESTIGATOR = "investigator", _("Investigator")


class Action(models.TextChoices):
    """What an actor wants to do with a record; the policy answers per action."""

    VIEW = "view", _("view")
    CHANGE = "change", _("change")
    CLOSE = "close", _("close")
    CREATE = "create", _("create")
    # Sharing onward is the owner's decision: an agency a case was shared with or referred to
    # may read and add to it, but not pass it to a third agency.
    SHARE = "share", _("share")


class TokenScope(models.TextChoices):
    """What a device token opens; nothing else accepts it."""

    OPENROSA = "openrosa", _("OpenRosa form list and submission")


class NotificationKind(models.TextChoices):
    """What an in-app notification is about (access.services.notification_send)."""

    ASSIGNMENT = "assignment", _("Case assigned")
    TRANSFER = "transfer", _("Case transfer")
    REFERRAL = "referral", _("Referral")
    TASK = "task", _("Task")
    FOLLOW_UP = "follow_up", _("Follow-up visit")
    ALERT = "alert", _("Alert")
    OTHER = "other", _("Other")
