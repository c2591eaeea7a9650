"""Users, agencies and the memberships that tie a user to an agency with a role."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ctip.reference.models import BilingualLabelMixin, Country, Province

from .choices import AgencyKind, AgencyLevel, NotificationKind, Role, TokenScope


class User(AbstractUser):
    """A staff account. Rights come from memberships, never from fields on the user."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        default="en",
        choices=[("en", "English"), ("km", "ខ្មែរ")],
    )

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Agency(BilingualLabelMixin, models.Model):
    """A ministry, police unit, court, province committee, NGO or foreign partner."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_km = models.CharField(_("name (Khmer)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=AgencyKind.choices)
    level = models.CharField(_("level"), max_length=12, choices=AgencyLevel.choices)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, null=True, blank=True
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, null=True, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(level="province") | models.Q(province__isnull=False),
                name="agency_province_level_has_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name_en}"


class Membership(models.Model):
    """A user's role in one agency. A user may hold several."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user__username", "agency__code", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency", "role"], name="membership_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency.code} ({self.get_role_display()})"


class RevealGrant(models.Model):
    """A user's time-limited right to read one record's masked fields in clear.

    Created only by services.identity_reveal, after a stated reason and re-authentication;
    the audit trail holds the same facts, this row only makes the reveal take effect.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="reveal_grants"
    )
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64)
    sensitivity = models.CharField(_("sensitivity"), max_length=20)
    reason = models.CharField(_("reason"), max_length=500)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        ordering = ["-granted_at"]
        verbose_name = _("reveal grant")
        verbose_name_plural = _("reveal grants")
        indexes = [
            models.Index(fields=["user", "expires_at"], name="revealgrant_user_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="revealgrant_reason_required"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} reveals {self.sensitivity} of {self.object_type}:{self.object_id}"


class DeviceToken(models.Model):
    """A per-device secret (an app password) for ODK Collect or Kobo, issued by an administrator.

    Only a SHA-256 hash of the secret is stored (the secret is 192 random bits, so a slow
    hash adds nothing); the secret is shown once, when issued. It opens only its scope (the
    OpenRosa endpoints), never a web or API session. See decision 0403.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="device_tokens"
    )
    name = models.CharField(_("device"), max_length=100)
    scope = models.CharField(
        _("scope"), max_length=20, choices=TokenScope.choices, default=TokenScope.OPENROSA
    )
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    hint = models.CharField(_("last characters"), max_length=4)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["user__username", "-created_at"]
        verbose_name = _("device token")
        verbose_name_plural = _("device tokens")

    def __str__(self) -> str:
        return f"{self.user.username}: {self.name} (…{self.hint})"


class Notification(models.Model):
    """A line in one user's notifications (the bell in the menu): what happened and where.

    `text` is the English message with %(name)s placeholders filled from `params` when shown,
    translated then into the reader's language. It names records by reference (a case
    number), never a person: it is stored as written, unlike the registry's identity fields.
    """

    recipient = models.ForeignKey(
        User,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    text = models.CharField(_("text"), max_length=300)
    params = models.JSONField(_("values in the text"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values),
                name="notification_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.recipient}"

    @property
    def message(self) -> str:
        """The text in the active language, with its values filled in."""
        from django.utils.translation import gettext

        template = gettext(self.text)
        values = {key: gettext(value) for key, value in self.params.items()}
        try:
            return template % values if values else template
        except (KeyError, TypeError, ValueError):
            return self.text
