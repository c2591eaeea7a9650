"""Value lists of the intake app: channels, languages, states, priorities, outcomes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """How a report reached the committee (the public form, or what an operator recorded)."""

    WEB = "web", _("Public web form")
    HOTLINE = "hotline", _("Hotline call")
    FACEBOOK = "facebook", _("Facebook message")
    TELEGRAM = "telegram", _("Telegram message")
    WALK_IN = "walk_in", _("Walk-in")
    NGO = "ngo", _("Non-governmental organisation")
    EMBASSY = "embassy", _("Embassy")
    FOREIGN = "foreign", _("Another country")
    OTHER = "other", _("Other")


# Channels an operator records; the web form records itself.
OPERATOR_CHANNELS = [choice for choice in Channel if choice != Channel.WEB]


class ReportLanguage(models.TextChoices):
    """The language a report was made in (the public form's languages, then any other)."""

    KHMER = "km", _("Khmer")
    ENGLISH = "en", _("English")
    CHINESE = "zh-hans", _("Chinese")
    VIETNAMESE = "vi", _("Vietnamese")
    THAI = "th", _("Thai")
    INDONESIAN = "id", _("Indonesian")
    OTHER = "other", _("Another language")


class Answer(models.TextChoices):
    """A reporter's answer to a yes/no question they may not know the answer to."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("I do not know")


class ReportStatus(models.TextChoices):
    NEW = "new", _("New, not yet triaged")
    TRIAGED = "triaged", _("Triaged into a matter")


class Trust(models.TextChoices):
    """How much effort a submission proved: staff recorded it, the browser solved the
    proof-of-work, or it came without JavaScript and waits in the lower-trust queue."""

    STAFF = "staff", _("Recorded by staff")
    PROOF_OF_WORK = "proof_of_work", _("Proof of work solved")
    NO_SCRIPT = "no_script", _("Sent without JavaScript (lower trust)")


class Priority(models.IntegerChoices):
    """Lower numbers first in the queue."""

    URGENT = 1, _("Urgent")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")


class MatterStatus(models.TextChoices):
    OPEN = "open", _("Open, in triage")
    ASSIGNED = "assigned", _("Assigned, awaiting a decision")
    VERIFICATION_ORDERED = "verification_ordered", _("Verification ordered")
    REFERRED = "referred", _("Referred to another authority")
    NOT_ACTIONABLE = "not_actionable", _("Not actionable")


# The outcomes that end triage; a matter in one of them is decided.
OUTCOME_STATUSES = frozenset(
    {MatterStatus.VERIFICATION_ORDERED, MatterStatus.REFERRED, MatterStatus.NOT_ACTIONABLE}
)


class Outcome(models.TextChoices):
    """The decision that ends triage of a matter."""

    VERIFICATION_ORDERED = "verification_ordered", _("Order an on-site verification")
    REFERRED = "referred", _("Refer to another competent authority")
    NOT_ACTIONABLE = "not_actionable", _("Not actionable")


class NotActionableReason(models.TextChoices):
    NOT_TRAFFICKING = "not_trafficking", _("Not a trafficking situation")
    INSUFFICIENT = "insufficient", _("Too little information to act on")
    DUPLICATE = "duplicate", _("Already handled elsewhere")
    OUTSIDE = "outside", _("Outside Cambodia's jurisdiction")
    ABUSIVE = "abusive", _("Abusive or false report")


class KeyKind(models.TextChoices):
    """What a grouping key is made of: reports sharing one are proposed as one matter."""

    PLACE = "place", _("Place (village or commune)")
    PHONE = "phone", _("Phone number")
    ACCOUNT = "account", _("Social-media account")
    WEBSITE = "website", _("Website")


class Author(models.TextChoices):
    """Who wrote a message of a report's conversation."""

    REPORTER = "reporter", _("Reporter")
    STAFF = "staff", _("Staff")
