"""Tables of the intake app: reports (public or recorded by an operator), the matters they are
grouped into, their grouping keys, the two-way conversation, and the counters that rate-limit
the public door.

Nothing here holds an address, a browser's signature or any other metadata of the person who
reported: the public form stores what the reporter typed, the time, and how much proof of work
came with it (docs/intake.md, "What is stored").
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.registry.fields import EncryptedJSONField, EncryptedTextField
from ctip.registry.models import StoredFile

from .choices import (
    Answer,
    Author,
    Channel,
    KeyKind,
    MatterStatus,
    NotActionableReason,
    Priority,
    ReportLanguage,
    ReportStatus,
    Trust,
)


class Matter(models.Model):
    """One situation, as triage sees it: the reports about the same place, compound, phone or
    account grouped together (twenty reports about one building are one matter), with its
    priority, the unit or province committee it is assigned to, and its outcome."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    title = EncryptedTextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=MatterStatus.choices, default=MatterStatus.OPEN
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The deepest gazetteer code known for the matter (ctip.reference.gazetteer).
    place_code = models.CharField(_("place (gazetteer code)"), max_length=10, blank=True)
    assigned_agency = models.ForeignKey(
        Agency,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intake_matters",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    response_due_on = models.DateField(_("response due on"), null=True, blank=True)
    deadline_stamp = models.CharField(_("deadline rule version"), max_length=40, blank=True)
    outcome_reason = models.CharField(
        _("reason not actionable"), max_length=20, choices=NotActionableReason.choices, blank=True
    )
    outcome_note = EncryptedTextField(_("note on the outcome"), blank=True)
    referred_to = models.CharField(_("referred to (authority)"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["priority", "created_at", "id"]
        verbose_name = _("matter")
        verbose_name_plural = _("matters")
        indexes = [
            models.Index(fields=["status", "priority", "created_at"], name="matter_queue_idx"),
            models.Index(fields=["assigned_agency", "status"], name="matter_agency_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MatterStatus.values), name="matter_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values), name="matter_priority_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MatterStatus.NOT_ACTIONABLE)
                | ~models.Q(outcome_reason=""),
                name="matter_not_actionable_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=MatterStatus.REFERRED) | ~models.Q(referred_to=""),
                name="matter_referred_names_authority",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Report(models.Model):
    """One report of a suspected trafficking situation, from the public form or recorded by a
    hotline operator. What the reporter said is encrypted at rest; the receipt code is kept
    only as its Argon2 hash; the optional contact is encrypted like identity fields."""

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, choices=ReportLanguage.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.NEW
    )
    trust = models.CharField(_("trust"), max_length=16, choices=Trust.choices)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NORMAL
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("matter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    # What
    what = EncryptedTextField(_("what is happening"))
    # Where: a gazetteer place, a free address, a map pin; any or none.
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place_code = models.CharField(_("place (gazetteer code)"), max_length=10, blank=True)
    address = EncryptedTextField(_("address or description of the place"), blank=True)
    pin = EncryptedTextField(_("map pin (latitude, longitude)"), blank=True)
    # Who
    people = EncryptedTextField(_("people involved"), blank=True)
    phones = EncryptedJSONField(_("phone numbers"), blank=True)
    accounts = EncryptedJSONField(_("social-media accounts"), blank=True)
    websites = EncryptedJSONField(_("websites"), blank=True)
    people_count = models.PositiveIntegerField(_("number of people held"), null=True, blank=True)
    # When
    when = EncryptedTextField(_("when"), blank=True)
    child_involved = models.CharField(
        _("a child is involved"), max_length=8, choices=Answer.choices, default=Answer.UNKNOWN
    )
    danger_now = models.CharField(
        _("someone is in danger now"), max_length=8, choices=Answer.choices, default=Answer.UNKNOWN
    )
    # Follow-up: the receipt code's Argon2 hash (peppered, so that it can be looked up), and
    # contact details only when the reporter chose to give them.
    receipt_hash = models.CharField(
        _("receipt code (Argon2 hash)"), max_length=128, unique=True, null=True, blank=True
    )
    contact = EncryptedTextField(_("contact details"), blank=True)
    # Set when an operator recorded it (a hotline call...); empty for the public form.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_agency = models.ForeignKey(
        Agency,
        verbose_name=_("recorded by agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triaged by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["priority", "received_at", "id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [
            models.Index(fields=["status", "priority", "received_at"], name="report_queue_idx"),
            models.Index(fields=["channel", "received_at"], name="report_channel_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel__in=Channel.values), name="report_channel_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=ReportLanguage.values),
                name="report_language_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReportStatus.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=ReportStatus.TRIAGED) | models.Q(matter__isnull=False),
                name="report_triaged_has_matter",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ReportKey(models.Model):
    """A keyed hash of something a report names (a phone number, an account, a website, a
    village): reports sharing a key are proposed for one matter without decrypting them."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="keys"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=KeyKind.choices)
    digest = models.CharField(_("keyed hash"), max_length=32)

    class Meta:
        ordering = ["report_id", "kind", "digest"]
        verbose_name = _("grouping key")
        verbose_name_plural = _("grouping keys")
        indexes = [models.Index(fields=["kind", "digest"], name="reportkey_lookup_idx")]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind", "digest"], name="reportkey_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.digest[:8]}"


class ReportMessage(models.Model):
    """One message of a report's conversation: the reporter (through the receipt code) or
    staff (through ctip) writing to the other side."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.CharField(_("from"), max_length=10, choices=Author.choices)
    body = EncryptedTextField(_("message"))
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(author=Author.REPORTER, staff_user__isnull=True)
                | models.Q(author=Author.STAFF, staff_user__isnull=False),
                name="reportmessage_author_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.author} {self.created_at:%Y-%m-%d}"


class ReportAttachment(models.Model):
    """A photo, PDF or text file the reporter sent with the report or with a later message,
    kept in the registry's encrypted file store (metadata stripped, sealed). Its name is not
    the reporter's: a file name can carry a person's or a phone's name, so the store keeps a
    neutral one (decision 0751)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    # Empty when sent with the report itself; the message it came with otherwise.
    message = models.ForeignKey(
        ReportMessage,
        verbose_name=_("sent with the message"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.OneToOneField(
        StoredFile, verbose_name=_("file"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["report_id", "created_at", "id"]
        verbose_name = _("report attachment")
        verbose_name_plural = _("report attachments")

    def __str__(self) -> str:
        return f"Attachment {self.pk} of {self.report_id}"


class RateWindow(models.Model):
    """How many times a public action (submit, look up a receipt) happened in one window,
    counted for everyone together: the public door is rate-limited without knowing who is at
    it (no address, no cookie)."""

    scope = models.CharField(_("scope"), max_length=30)
    window_start = models.DateTimeField(_("window start"))
    count = models.PositiveIntegerField(_("count"), default=0)

    class Meta:
        ordering = ["-window_start", "scope"]
        verbose_name = _("rate window")
        verbose_name_plural = _("rate windows")
        constraints = [
            models.UniqueConstraint(fields=["scope", "window_start"], name="ratewindow_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.window_start:%H:%M} {self.count}"


class SpentChallenge(models.Model):
    """A proof-of-work challenge already used, so that one solution is not replayed; the
    challenge is random and names no one. Pruned once expired."""

    digest = models.CharField(_("challenge hash"), max_length=64, unique=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        ordering = ["expires_at"]
        verbose_name = _("spent challenge")
        verbose_name_plural = _("spent challenges")

    def __str__(self) -> str:
        return self.digest[:12]
