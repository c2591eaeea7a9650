"""Referrals between agencies, the services agencies offer, deadlines, case tasks and the
exchange packages that go with a cross-border repatriation."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.access.choices import AgencyKind
from ctip.access.models import Agency
from ctip.reference.models import Province
from ctip.registry.fields import EncryptedJSONField, EncryptedTextField
from ctip.registry.models import Case, Participant

from .choices import (
    ConsentBasis,
    ExchangeStatus,
    ReferralStatus,
    Service,
    TaskStatus,
)


class KindService(models.Model):
    """A service every agency of a kind offers unless an AgencyService says otherwise."""

    kind = models.CharField(_("agency kind"), max_length=30, choices=AgencyKind.choices)
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)

    class Meta:
        ordering = ["kind", "service"]
        verbose_name = _("service offered by a kind of agency")
        verbose_name_plural = _("services offered by kinds of agency")
        constraints = [
            models.UniqueConstraint(fields=["kind", "service"], name="kindservice_unique"),
            models.CheckConstraint(
                condition=models.Q(service__in=Service.values), name="kindservice_service_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.service}"


class AgencyService(models.Model):
    """One agency's own answer for one service: offered or not, overriding its kind's default."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="service_offers"
    )
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)
    offered = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["agency__code", "service"]
        verbose_name = _("service offered by an agency")
        verbose_name_plural = _("services offered by agencies")
        constraints = [
            models.UniqueConstraint(fields=["agency", "service"], name="agencyservice_unique"),
            models.CheckConstraint(
                condition=models.Q(service__in=Service.values), name="agencyservice_service_valid"
            ),
        ]

    def __str__(self) -> str:
        state = "offers" if self.offered else "does not offer"
        return f"{self.agency.code} {state} {self.service}"


class ServiceDeadline(models.Model):
    """How many days an agency has to accept, then to complete, a referral for a service."""

    service = models.CharField(_("service"), max_length=30, choices=Service.choices, unique=True)
    days_to_accept = models.PositiveSmallIntegerField(_("days to accept"))
    days_to_complete = models.PositiveSmallIntegerField(_("days to complete"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["service"]
        verbose_name = _("service deadline")
        verbose_name_plural = _("service deadlines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(days_to_complete__gte=models.F("days_to_accept")),
                name="servicedeadline_complete_after_accept",
            ),
            models.CheckConstraint(
                condition=models.Q(service__in=Service.values),
                name="servicedeadline_service_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.days_to_accept}/{self.days_to_complete} days"


class Referral(models.Model):
    """A request from one agency to another to serve a person in a case."""

    case_path = "case"
    referral_part = "participant"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="referrals"
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("person referred"),
        on_delete=models.CASCADE,
        related_name="referrals",
    )
    from_agency = models.ForeignKey(
        Agency,
        verbose_name=_("from agency"),
        on_delete=models.PROTECT,
        related_name="referrals_sent",
    )
    to_agency = models.ForeignKey(
        Agency,
        verbose_name=_("to agency"),
        on_delete=models.PROTECT,
        related_name="referrals_received",
    )
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    # Copied from the case when sent, so that the dashboard counts per province without a join.
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="+"
    )
    shares_identity = models.BooleanField(_("shares the person's identity"), default=False)
    consent_basis = models.CharField(
        _("basis for sharing"),
        max_length=20,
        choices=ConsentBasis.choices,
        default=ConsentBasis.NOT_NEEDED,
    )
    note = EncryptedTextField(_("note to the receiving agency"), blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    close_reason = models.CharField(_("reason for closing"), max_length=500, blank=True)
    outcome = EncryptedTextField(_("outcome"), blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    accept_due_on = models.DateField(_("to be accepted by"))
    due_on = models.DateField(_("to be completed by"))
    deadline_stamp = models.CharField(_("deadline rule version"), max_length=40, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["sent_at"], name="referral_sent_idx"),
            models.Index(fields=["to_agency", "status"], name="referral_to_status_idx"),
            models.Index(fields=["from_agency", "status"], name="referral_from_status_idx"),
            models.Index(fields=["status", "due_on"], name="referral_status_due_idx"),
            models.Index(fields=["province", "sent_at"], name="referral_province_sent_idx"),
            # Overdue counts read only open referrals, a small slice of the table.
            # They carry the dashboard's grouping columns so that PostgreSQL answers from
            # the index alone (SQLite ignores `include`).
            models.Index(
                fields=["accept_due_on"],
                condition=models.Q(status="sent"),
                include=["sent_at", "to_agency", "service", "province"],
                name="referral_open_accept_due_idx",
            ),
            models.Index(
                fields=["due_on"],
                condition=models.Q(status__in=["accepted", "in_progress"]),
                include=["sent_at", "to_agency", "service", "province"],
                name="referral_open_due_idx",
            ),
            # One agency's work list, in date order (the two above serve many agencies).
            models.Index(
                fields=["to_agency", "accept_due_on"],
                condition=models.Q(status="sent"),
                name="referral_agency_accept_due_idx",
            ),
            models.Index(
                fields=["to_agency", "due_on"],
                condition=models.Q(status__in=["accepted", "in_progress"]),
                name="referral_agency_due_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReferralStatus.values), name="referral_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(service__in=Service.values), name="referral_service_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_agency=models.F("to_agency")),
                name="referral_not_to_self",
            ),
            models.CheckConstraint(
                condition=models.Q(due_on__gte=models.F("accept_due_on")),
                name="referral_due_after_accept_due",
            ),
        ]

    def __str__(self) -> str:
        return f"R{self.pk} {self.service} {self.from_agency_id}→{self.to_agency_id}"

    @property
    def deadline(self) -> datetime.date:
        """The date the receiving agency must act by next: accept by while sent, else
        complete by (also after completion, when it is the date the service was due)."""
        return self.accept_due_on if self.status == ReferralStatus.SENT else self.due_on

    @property
    def deadline_label(self) -> str:
        """What the deadline is for, to show beside its date."""
        if self.status == ReferralStatus.SENT:
            return str(_("accept by"))
        return str(_("complete by"))


class Task(models.Model):
    """A piece of work on a case with an owner agency, an optional assignee and a due date."""

    case_path = "case"
    # A referral's tasks are read by its owner's side (the case rule) and by the agency the
    # referral was sent to, no other (decision 0510); a referral never opens the case's own
    # tasks, so there is no referral_part.
    receiver_path = "referral__to_agency"

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="tasks"
    )
    referral = models.ForeignKey(
        Referral,
        verbose_name=_("referral"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
    )
    title = models.CharField(_("title"), max_length=200)
    service = models.CharField(_("service"), max_length=30, choices=Service.choices, blank=True)
    owner_agency = models.ForeignKey(
        Agency, verbose_name=_("owner agency"), on_delete=models.PROTECT, related_name="tasks"
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ctip_tasks",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["owner_agency", "status", "due_on"], name="task_owner_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=TaskStatus.values), name="task_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CarePlanItem(models.Model):
    """A service in a victim's care plan: what the victim needs, the goal and by when. Sent as
    a referral (services.care_plan_refer), it follows that referral's state."""

    case_path = "participant__case"
    referral_part = "participant"  # the referred victim's receiver reads the plan

    participant = models.ForeignKey(
        Participant,
        verbose_name=_("victim"),
        on_delete=models.CASCADE,
        related_name="care_plan_items",
    )
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)
    goal = EncryptedTextField(_("goal"))
    due_on = models.DateField(_("wanted by"), null=True, blank=True)
    referral = models.OneToOneField(
        Referral,
        verbose_name=_("referral"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="care_plan_item",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)

    class Meta:
        ordering = ["participant", "created_at", "id"]
        verbose_name = _("care plan service")
        verbose_name_plural = _("care plan services")

    def __str__(self) -> str:
        return f"{self.get_service_display()} for {self.participant_id}"


class ReferralNote(models.Model):
    """A note on one referral, written by its sending side or by the agency it was sent to:
    the referral's own record of the work, read by those two sides only (decision 0510)."""

    case_path = "referral__case"
    receiver_path = "referral__to_agency"

    referral = models.ForeignKey(
        Referral, verbose_name=_("referral"), on_delete=models.CASCADE, related_name="notes"
    )
    text = EncryptedTextField(_("note"))
    agency = models.ForeignKey(
        Agency, verbose_name=_("written for agency"), on_delete=models.PROTECT, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("referral note")
        verbose_name_plural = _("referral notes")

    def __str__(self) -> str:
        return f"note {self.pk} on R{self.referral_id}"


class ExchangePackage(models.Model):
    """What goes to a foreign partner for a repatriation: an HTCDS-style record of the
    consented fields (encrypted at rest) from which the PDF summary is rendered."""

    case_path = "referral__case"
    # Read by the owner's side (the case rule) and by the agency this package's referral went
    # to; not by every agency some other referral opened the victim to (decision 0510).
    receiver_path = "referral__to_agency"

    referral = models.OneToOneField(
        Referral,
        verbose_name=_("referral"),
        on_delete=models.CASCADE,
        related_name="exchange_package",
    )
    payload = EncryptedJSONField(_("HTCDS record"), default=dict)
    fields_shared = models.JSONField(_("fields shared"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=ExchangeStatus.choices, default=ExchangeStatus.PREPARED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("prepared at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("exchange package")
        verbose_name_plural = _("exchange packages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ExchangeStatus.values),
                name="exchangepackage_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Exchange package for R{self.referral_id}"


class ExchangeUpdate(models.Model):
    """A status update on an exchange package, entered by hand from the partner's messages."""

    case_path = "package__referral__case"
    referral_part = "package__referral__participant"

    package = models.ForeignKey(
        ExchangePackage,
        verbose_name=_("exchange package"),
        on_delete=models.CASCADE,
        related_name="updates",
    )
    status = models.CharField(_("status"), max_length=20, choices=ExchangeStatus.choices)
    occurred_on = models.DateField(_("date"))
    note = EncryptedTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["package", "occurred_on", "id"]
        verbose_name = _("exchange update")
        verbose_name_plural = _("exchange updates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ExchangeStatus.values),
                name="exchangeupdate_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} on {self.occurred_on}"


class ReferralMonthStat(models.Model):
    """Running count of referrals per month sent, receiver, service, province and status.

    Kept up to date by the referral services in the same transaction as each change, and
    rebuilt from the referrals table after bulk loads; the coordination dashboard reads it so
    that its figures cost the same at two thousand referrals as at two million.
    """

    month = models.DateField(_("month sent"))
    to_agency = models.ForeignKey(
        Agency, verbose_name=_("to agency"), on_delete=models.CASCADE, related_name="+"
    )
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=ReferralStatus.choices)
    referrals = models.IntegerField(_("referrals"), default=0)
    accepted = models.IntegerField(_("ever accepted"), default=0)

    class Meta:
        ordering = ["month", "to_agency", "service", "province", "status"]
        verbose_name = _("monthly referral count")
        verbose_name_plural = _("monthly referral counts")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "to_agency", "service", "province", "status"],
                name="referralmonthstat_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service} {self.status}: {self.referrals}"


class ReferralDurationStat(models.Model):
    """How many referrals took how long to be accepted or completed, per month sent, service,
    province and measure: one histogram per row, `counts[b]` referrals in log-scale bucket `b`
    (four per doubling of hours). Medians come from it.

    One row per histogram rather than per bucket: the unfiltered dashboard reads every row,
    and 18,000 short arrays cost far less than 350,000 rows (docs/benchmarks.md)."""

    month = models.DateField(_("month sent"))
    service = models.CharField(_("service"), max_length=30, choices=Service.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.CASCADE, related_name="+"
    )
    measure = models.CharField(_("measure"), max_length=10)  # "accept" or "complete"
    counts = models.JSONField(_("referrals per bucket"), default=list)

    class Meta:
        ordering = ["month", "service", "province", "measure"]
        verbose_name = _("referral duration histogram")
        verbose_name_plural = _("referral duration histograms")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "service", "province", "measure"],
                name="referraldurationstat_unique_histogram",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.service} {self.measure}: {self.referrals}"

    @property
    def referrals(self) -> int:
        return sum(self.counts)


class ReferralDurationMonthStat(models.Model):
    """The duration histograms of one month summed over every service and province: what the
    dashboard reads when it is not narrowed to a service or a province (72 rows for three
    years instead of 17,759)."""

    month = models.DateField(_("month sent"))
    measure = models.CharField(_("measure"), max_length=10)  # "accept" or "complete"
    counts = models.JSONField(_("referrals per bucket"), default=list)

    class Meta:
        ordering = ["month", "measure"]
        verbose_name = _("referral duration histogram of a month")
        verbose_name_plural = _("referral duration histograms of a month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "measure"], name="referraldurationmonthstat_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.measure}: {sum(self.counts)}"
