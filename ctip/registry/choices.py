"""Value lists of the case registry. HTCDS codes live in reference Terms; these are ctip's own."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.choices import AgencyKind


class CaseKind(models.TextChoices):
    TRAFFICKING = "trafficking", _("Human trafficking")
    SEXUAL_EXPLOITATION = "sexual_exploitation", _("Sexual exploitation")
    FORCED_CRIMINALITY = "forced_criminality", _("Forced criminality in scam operations")
    FORCED_LABOUR = "forced_labour", _("Forced labour")
    FORCED_MARRIAGE = "forced_marriage", _("Forced marriage")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    """HTCDS 2.0 cas_Status."""

    ACTIVE = "active", _("Active")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")
    CLOSED_REFERRED = "closed_referred", _("Closed — referred")


CLOSED_STATUSES = frozenset({CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED})


class CaseSource(models.TextChoices):
    TIP = "tip", _("Public tip")
    HOTLINE = "hotline", _("Hotline")
    OPERATION = "operation", _("Police operation")
    NGO = "ngo", _("NGO referral")
    FOREIGN_REFERRAL = "foreign_referral", _("Foreign referral")
    MEDIA = "media", _("Media report")
    OTHER = "other", _("Other")


class ParticipantRole(models.TextChoices):
    """HTCDS per_RoleInProcess, narrowed to the roles a case file needs."""

    VICTIM = "victim", _("Victim")
    SUSPECT = "suspect", _("Suspect")
    WITNESS = "witness", _("Witness")
    GUARDIAN = "guardian", _("Guardian")
    REPORTER = "reporter", _("Reporter")
    INTERPRETER = "interpreter", _("Interpreter")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Unknown")


class DocumentKind(models.TextChoices):
    NATIONAL_ID = "national_id", _("National identity card")
    PASSPORT = "passport", _("Passport")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    FAMILY_BOOK = "family_book", _("Family book")
    OTHER = "other", _("Other")


class EventKind(models.TextChoices):
    """Stages of a trafficking story (HTCDS hte_) and the responses to it, in story order."""

    RECRUITMENT = "recruitment", _("Recruitment")
    TRANSIT = "transit", _("Transit")
    EXPLOITATION = "exploitation", _("Exploitation")
    RESCUE = "rescue", _("Rescue")
    ARREST = "arrest", _("Arrest")
    REFERRAL = "referral", _("Referral")


EVENT_STORY_ORDER = {kind: index for index, kind in enumerate(EventKind.values)}


class ProceedingStage(models.TextChoices):
    INVESTIGATION = "investigation", _("Investigation")
    PROSECUTION = "prosecution", _("Prosecution")
    TRIAL = "trial", _("Trial")
    APPEAL = "appeal", _("Appeal")
    CLOSED = "closed", _("Closed")


class Verdict(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DISMISSED = "dismissed", _("Dismissed")


class ShareReason(models.TextChoices):
    SHARED = "shared", _("Shared")
    REFERRAL = "referral", _("Referral")


# Agencies that make arrests: police units, the ministries and province committees whose
# officers hold judicial police powers. Courts, NGOs and foreign partners do not.
ARRESTING_AGENCY_KINDS = frozenset(
    {AgencyKind.POLICE_UNIT, AgencyKind.MINISTRY, AgencyKind.PROVINCE_COMMITTEE}
)


class FileType(models.TextChoices):
    """What the file store accepts, told by the file's content (registry/files/content.py)."""

    JPEG = "image/jpeg", _("JPEG picture")
    PNG = "image/png", _("PNG picture")
    WEBP = "image/webp", _("WebP picture")
    PDF = "application/pdf", _("PDF document")
    TEXT = "text/plain", _("Text file")


class NoteSensitivity(models.TextChoices):
    """Who reads a case note: anyone who sees the case, or only roles cleared for the level
    (access.masking's sensitivities)."""

    ORDINARY = "", _("Ordinary: everyone who sees the case")
    HEALTH = "health", _("Health")
    TESTIMONY = "testimony", _("Testimony")
    IDENTITY = "identity", _("Identity")


class FollowUpKind(models.TextChoices):
    HOME_VISIT = "home_visit", _("Home visit")
    SHELTER_VISIT = "shelter_visit", _("Shelter visit")
    PHONE_CALL = "phone_call", _("Phone call")
    OFFICE_MEETING = "office_meeting", _("Meeting at the office")


class FollowUpStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")


class NeedArea(models.TextChoices):
    """The areas of a victim's needs and risk assessment, as Primero and CPIMS+ ask them."""

    SAFETY = "safety", _("Safety")
    HEALTH = "health", _("Health")
    SHELTER = "shelter", _("Shelter")
    PSYCHOSOCIAL = "psychosocial", _("Psycho-social")
    LEGAL = "legal", _("Legal")
    DOCUMENTS = "documents", _("Documents")
    LIVELIHOOD = "livelihood", _("Livelihood")
    FAMILY_TRACING = "family_tracing", _("Family tracing")


class NeedLevel(models.TextChoices):
    """How much help a victim needs in one area."""

    NONE = "none", _("No need")
    SOME = "some", _("Some need")
    URGENT = "urgent", _("Urgent need")
    UNKNOWN = "unknown", _("Not assessed")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class GuardianRelationship(models.TextChoices):
    """Who a child's appointed guardian is to the child."""

    PARENT = "parent", _("Parent")
    RELATIVE = "relative", _("Other relative")
    FOSTER = "foster", _("Foster carer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    INSTITUTION = "institution", _("Head of a care institution")
    OTHER = "other", _("Other")
