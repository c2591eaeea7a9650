"""Identities (groups of person records judged to be one human being), the links and review
decisions they are built from, the review queue, linkage runs and the trained model.

Person records are never changed or deleted here: an identity is only a grouping, derived
from the links that are in force, so undoing a link (unmerge) restores exactly the grouping
there was without it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ctip.registry.models import Person

from .choices import Decision, LinkSource, RunStatus


class LinkageRun(models.Model):
    """One batch resolution over the registry: what it read, found and did (no identities)."""

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    records = models.PositiveIntegerField(_("records read"), default=0)
    pairs = models.PositiveIntegerField(_("pairs scored above the lower threshold"), default=0)
    accepted = models.PositiveIntegerField(_("links accepted"), default=0)
    queued = models.PositiveIntegerField(_("pairs put in the review queue"), default=0)
    lower = models.FloatField(_("lower threshold"))
    upper = models.FloatField(_("upper threshold"))
    message = models.CharField(_("message"), max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("linkage run")
        verbose_name_plural = _("linkage runs")

    def __str__(self) -> str:
        return f"Linkage run {self.pk} ({self.status})"


class TrainedModel(models.Model):
    """The Fellegi-Sunter model a run trained, kept for the check at registration (JSON: the
    model's parameters only, no records)."""

    run = models.OneToOneField(
        LinkageRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="model"
    )
    created_at = models.DateTimeField(_("trained at"), auto_now_add=True)
    parameters = models.TextField(_("parameters (JSON)"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("trained model")
        verbose_name_plural = _("trained models")

    def __str__(self) -> str:
        return f"Model of run {self.run_id}"


class Identity(models.Model):
    """One human being known through several person records (two or more)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"I{self.pk}"


class IdentityMember(models.Model):
    """A person record's place in an identity now (derived from the links in force)."""

    identity = models.ForeignKey(
        Identity, verbose_name=_("identity"), on_delete=models.CASCADE, related_name="members"
    )
    person = models.OneToOneField(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="identity_member"
    )
    # The identity's first record: statistics count every record of the identity under it.
    counted_as = models.BigIntegerField(_("counted as person"))

    class Meta:
        ordering = ["identity", "person"]
        verbose_name = _("identity member")
        verbose_name_plural = _("identity members")

    def __str__(self) -> str:
        return f"{self.person} in {self.identity}"


class Link(models.Model):
    """Two person records judged the same human being. Undoing it (unmerge) keeps the row,
    with who undid it, when and why."""

    person_a = models.ForeignKey(
        Person, verbose_name=_("first record"), on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        Person, verbose_name=_("second record"), on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=LinkSource.choices)
    probability = models.FloatField(_("probability"), null=True, blank=True)
    pattern = models.JSONField(_("agreement pattern"), default=dict, blank=True)
    run = models.ForeignKey(
        LinkageRun,
        verbose_name=_("run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="links",
    )
    created_at = models.DateTimeField(_("accepted at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undo_reason = models.CharField(_("reason for undoing"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("link")
        verbose_name_plural = _("links")
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="linkage_link_ordered"
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b"],
                condition=Q(undone_at__isnull=True),
                name="linkage_link_one_in_force",
            ),
        ]
        indexes = [models.Index(fields=["person_b"], name="linkage_link_b_idx")]

    def __str__(self) -> str:
        return f"{self.person_a_id} = {self.person_b_id}"


class Candidate(models.Model):
    """A pair scored between the thresholds, waiting for (or given) a reviewer's decision.

    `fingerprint` is taken from both records and their identities when the pair is scored; a
    decision is refused when it no longer matches (the records changed meanwhile). Decided
    pairs are the labels the next training reads.
    """

    person_a = models.ForeignKey(
        Person, verbose_name=_("first record"), on_delete=models.CASCADE, related_name="+"
    )
    person_b = models.ForeignKey(
        Person, verbose_name=_("second record"), on_delete=models.CASCADE, related_name="+"
    )
    probability = models.FloatField(_("probability"))
    pattern = models.JSONField(_("agreement pattern"), default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, editable=False)
    run = models.ForeignKey(
        LinkageRun,
        verbose_name=_("run"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidates",
    )
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, default=Decision.PENDING
    )
    created_at = models.DateTimeField(_("scored at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-probability", "id"]
        verbose_name = _("candidate pair")
        verbose_name_plural = _("candidate pairs")
        constraints = [
            models.CheckConstraint(
                condition=Q(person_a__lt=F("person_b")), name="linkage_candidate_ordered"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=Decision.values), name="linkage_candidate_decision_valid"
            ),
            models.UniqueConstraint(
                fields=["person_a", "person_b"],
                condition=Q(decision="pending"),
                name="linkage_candidate_one_pending",
            ),
        ]
        indexes = [
            models.Index(fields=["decision", "-probability"], name="linkage_candidate_queue_idx")
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ? {self.person_b_id}"


class MatchingAgreement(models.Model):
    """What an agreement with a partner (another country's authority) lets ctip encode for
    blind matching with them: the persons in the given roles of cases opened in the period,
    of the given nationalities (none listed: any), while the agreement is in force. The secret
    agreed with the partner is never stored here (docs/security.md)."""

    partner = models.CharField(_("partner"), max_length=80, unique=True)
    roles = models.JSONField(_("roles covered"), default=list)
    nationalities = models.JSONField(_("nationalities covered"), default=list, blank=True)
    cases_from = models.DateField(_("cases opened from"))
    cases_until = models.DateField(_("cases opened until"), null=True, blank=True)
    in_force_until = models.DateField(_("in force until"))
    reference = models.CharField(_("reference of the signed agreement"), max_length=200)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["partner"]
        verbose_name = _("matching agreement")
        verbose_name_plural = _("matching agreements")

    def __str__(self) -> str:
        return self.partner
