"""Identifiers, organisations and compounds recorded in cases, the ties between them, job
advertisements, and the alerts raised when a new case shares an identifier with an open one.

An identifier (a phone number, an account...) is one row however many cases record it; each
case that records it has a use. Sharing across cases is then one join on the uses, which is
what "which cases share an identifier with this one" asks (bench/investigations.py). Every
use, involvement and relation belongs to a case, so it is visible exactly when its case is
(access.policies); organisations and compounds themselves are not personal data.

The shapes follow FollowTheMoney (docs/investigations.md): Organisation is Company or
Organization, Relation is Ownership, Directorship, Employment or UnknownLink, identifiers are
Phone/Email properties or UserAccount, BankAccount, CryptoWallet, Vehicle, Address entities.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency
from ctip.reference.models import Country, Province
from ctip.registry.fields import EncryptedTextField
from ctip.registry.models import Case, Person, StoredFile

from .choices import (
    IdentifierKind,
    IdentifierProblem,
    InvolvementRole,
    OrganisationKind,
    RelationKind,
)


class Identifier(models.Model):
    """A phone number, e-mail address, account, website, bank account, wallet, vehicle or
    address, once, in normal form. The value is encrypted; `value_index` (a keyed hash of
    kind, service and normal form) finds it and makes it unique."""

    kind = models.CharField(_("kind"), max_length=20, choices=IdentifierKind.choices)
    # FtM UserAccount.service (an AccountService), BankAccount.bankName, CryptoWallet.currency.
    service = models.CharField(_("service, bank or currency"), max_length=60, blank=True)
    value = EncryptedTextField(_("value"))
    as_typed = EncryptedTextField(_("as typed"), blank=True)
    value_index = models.CharField(max_length=32, editable=False, unique=True)
    # False: the value could not be normalised (a phone number that does not parse); it is kept
    # as typed and flagged, never dropped, and matches only the same typing.
    is_valid = models.BooleanField(_("normalised"), default=True)
    problem = models.CharField(
        _("problem"), max_length=20, choices=IdentifierProblem.choices, blank=True
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=IdentifierKind.values), name="identifier_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Organisation(models.Model):
    """A company or other organisation met in cases: recruiters, employers, compound operators.
    Not personal data: its name and registration are stored in clear and searched by key."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY
    )
    name = models.CharField(_("name"), max_length=300)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    name_key = models.CharField(max_length=300, editable=False, db_index=True)
    registration_number = models.CharField(_("registration number"), max_length=80, blank=True)
    registration_key = models.CharField(max_length=80, editable=False, blank=True)
    jurisdiction = models.ForeignKey(
        Country,
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # An id given by another tool (an FtM entity id) so that a re-import finds the same row.
    external_id = models.CharField(
        _("external id"), max_length=200, null=True, blank=True, unique=True
    )
    recorded_by_agency = models.ForeignKey(
        Agency,
        verbose_name=_("recorded by agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "registration_key"],
                condition=~Q(registration_key=""),
                name="organisation_unique_registration",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=OrganisationKind.values), name="organisation_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Compound(models.Model):
    """A place where people are held and made to work (a scam compound, a casino, a factory):
    its gazetteer location, the organisations operating it; cases found there say who was."""

    name = models.CharField(_("name"), max_length=300)
    aliases = models.JSONField(_("other names"), default=list, blank=True)
    province = models.ForeignKey(
        Province,
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The gazetteer's code of the most precise unit known (district, commune or village).
    location_code = models.CharField(_("gazetteer code"), max_length=20, blank=True)
    location_name = models.CharField(_("place"), max_length=300, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    description = models.TextField(_("description"), blank=True)
    operators: "models.ManyToManyField[Organisation, CompoundOperator]" = models.ManyToManyField(
        Organisation,
        through="CompoundOperator",
        related_name="compounds",
        verbose_name=_("operated by"),
    )
    external_id = models.CharField(
        _("external id"), max_length=200, null=True, blank=True, unique=True
    )
    recorded_by_agency = models.ForeignKey(
        Agency,
        verbose_name=_("recorded by agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("compound")
        verbose_name_plural = _("compounds")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="compound_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="compound_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CompoundOperator(models.Model):
    """An organisation operating a compound, over a period where known."""

    compound = models.ForeignKey(
        Compound, verbose_name=_("compound"), on_delete=models.CASCADE, related_name="operations"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="operated",
    )
    since = models.DateField(_("since"), null=True, blank=True)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["compound", "organisation"]
        verbose_name = _("compound operator")
        verbose_name_plural = _("compound operators")
        constraints = [
            models.UniqueConstraint(
                fields=["compound", "organisation"], name="compoundoperator_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} operates {self.compound}"


class IdentifierUse(models.Model):
    """An identifier recorded in a case: the case's own (a number victims were called from),
    a participant's, or an organisation's. The case is what makes it visible."""

    case_path = "case"
    # A referral opens the referred persons' part of a case; suspects' phones are not part of
    # it, so referral_part is left unset (access.policies: a referral never opens these).

    # Not indexed alone: the two indexes below lead with each of them.
    identifier = models.ForeignKey(
        Identifier,
        verbose_name=_("identifier"),
        on_delete=models.PROTECT,
        related_name="uses",
        db_index=False,
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="identifier_uses",
        db_index=False,
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identifier_uses",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identifier_uses",
    )
    note = EncryptedTextField(_("note"), blank=True)
    seen_on = models.DateField(_("seen on"), null=True, blank=True)
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
        ordering = ["case", "identifier", "id"]
        verbose_name = _("identifier in a case")
        verbose_name_plural = _("identifiers in cases")
        indexes = [
            # Both directions of the sharing join: a case's identifiers, an identifier's cases.
            models.Index(fields=["case", "identifier"], name="identifieruse_case_idx"),
            models.Index(fields=["identifier", "case"], name="identifieruse_identifier_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier", "case"],
                condition=Q(person__isnull=True, organisation__isnull=True),
                name="identifieruse_unique_case",
            ),
            models.UniqueConstraint(
                fields=["identifier", "case", "person"],
                condition=Q(person__isnull=False),
                name="identifieruse_unique_person",
            ),
            models.UniqueConstraint(
                fields=["identifier", "case", "organisation"],
                condition=Q(organisation__isnull=False),
                name="identifieruse_unique_organisation",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=True) | Q(organisation__isnull=True),
                name="identifieruse_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.identifier} in {self.case}"


class OrganisationInvolvement(models.Model):
    """An organisation's part in a case: it recruited, employed, operated, carried, paid."""

    case_path = "case"

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="involvements",
        db_index=False,  # orginvolvement_org_idx leads with it
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="organisation_involvements",
    )
    role = models.CharField(_("role"), max_length=20, choices=InvolvementRole.choices)
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
        ordering = ["case", "organisation", "role"]
        verbose_name = _("organisation in a case")
        verbose_name_plural = _("organisations in cases")
        indexes = [
            models.Index(fields=["organisation", "case"], name="orginvolvement_org_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "case", "role"], name="orginvolvement_unique_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()}) in {self.case}"


class CompoundInvolvement(models.Model):
    """A case that took place at a compound: people were recruited to it, held or found there."""

    case_path = "case"

    compound = models.ForeignKey(
        Compound,
        verbose_name=_("compound"),
        on_delete=models.PROTECT,
        related_name="involvements",
        db_index=False,  # compoundinvolvement_unique leads with it
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="compound_involvements",
    )
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
        ordering = ["case", "compound"]
        verbose_name = _("compound in a case")
        verbose_name_plural = _("compounds in cases")
        indexes = [models.Index(fields=["compound", "case"], name="compoundinvolvement_idx")]
        constraints = [
            models.UniqueConstraint(fields=["compound", "case"], name="compoundinvolvement_unique")
        ]

    def __str__(self) -> str:
        return f"{self.compound} in {self.case}"


class Relation(models.Model):
    """A tie recorded in a case between a person or organisation (the subject) and another
    (the object): FtM Ownership (owner, asset), Directorship (director, organization),
    Employment (employee, employer) or UnknownLink (subject, object)."""

    case_path = "case"

    kind = models.CharField(_("kind"), max_length=20, choices=RelationKind.choices)
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="relations"
    )
    subject_person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_subject",
    )
    subject_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_subject",
    )
    object_person = models.ForeignKey(
        Person,
        verbose_name=_("related person"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_object",
    )
    object_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("related organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relations_as_object",
    )
    role = models.CharField(_("role"), max_length=200, blank=True)  # "director", "50 %"
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("until"), null=True, blank=True)
    external_id = models.CharField(
        _("external id"), max_length=200, null=True, blank=True, unique=True
    )
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
        ordering = ["case", "kind", "id"]
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=RelationKind.values), name="relation_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    Q(subject_person__isnull=False, subject_organisation__isnull=True)
                    | Q(subject_person__isnull=True, subject_organisation__isnull=False)
                ),
                name="relation_one_subject",
            ),
            models.CheckConstraint(
                condition=(
                    Q(object_person__isnull=False, object_organisation__isnull=True)
                    | Q(object_person__isnull=True, object_organisation__isnull=False)
                ),
                name="relation_one_object",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="relation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in {self.case}"


class JobAd(models.Model):
    """A job advertisement seen online (pasted or imported): where, its text, its screenshot,
    and the identifiers and organisations it names. Its red flags are the ads package's."""

    case_path = "case"

    case = models.ForeignKey(
        Case,
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="job_ads",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("recorded by agency"), on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(_("address (URL)"), max_length=2000, blank=True)
    service = models.CharField(_("where it was posted"), max_length=60, blank=True)
    text = models.TextField(_("text of the advertisement"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    seen_on = models.DateField(_("seen on"), null=True, blank=True)
    # Kept in the shared encrypted file store (metadata stripped); readable with the ad.
    screenshot = models.ForeignKey(
        StoredFile,
        verbose_name=_("screenshot"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_ads",
    )
    identifiers = models.ManyToManyField(
        Identifier, verbose_name=_("identifiers named"), related_name="job_ads", blank=True
    )
    organisations = models.ManyToManyField(
        Organisation, verbose_name=_("organisations named"), related_name="job_ads", blank=True
    )
    external_id = models.CharField(
        _("external id"), max_length=200, null=True, blank=True, unique=True
    )
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
        ordering = ["-seen_on", "-id"]
        verbose_name = _("job advertisement")
        verbose_name_plural = _("job advertisements")

    def __str__(self) -> str:
        return f"Job advertisement {self.pk}"


class ConnectionAlert(models.Model):
    """Raised for an investigator of the agency owning an open case when a new case records
    an identifier that case already has. The in-app notice is this row (see services)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="connection_alerts",
    )
    identifier = models.ForeignKey(
        Identifier, verbose_name=_("identifier"), on_delete=models.CASCADE, related_name="+"
    )
    open_case = models.ForeignKey(
        Case, verbose_name=_("open case"), on_delete=models.CASCADE, related_name="+"
    )
    new_case = models.ForeignKey(
        Case, verbose_name=_("new case"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("connection alert")
        verbose_name_plural = _("connection alerts")
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="connectionalert_inbox_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "identifier", "open_case", "new_case"],
                name="connectionalert_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.new_case} shares an identifier with {self.open_case}"


# Sanctions screening keeps its tables in its own package (ctip/investigations/sanctions).
from .sanctions.models import ListedEntity, ScreeningHit, WatchList  # noqa: E402

__all__ = [
    "Compound",
    "CompoundInvolvement",
    "CompoundOperator",
    "ConnectionAlert",
    "Identifier",
    "IdentifierUse",
    "JobAd",
    "ListedEntity",
    "Organisation",
    "OrganisationInvolvement",
    "Relation",
    "ScreeningHit",
    "WatchList",
]
