"""Value lists of the investigations app: kinds of identifiers, services, roles, relations.

Each kind says which FollowTheMoney schema or property it becomes (docs/investigations.md),
so that an exported network reads the same in Aleph or OpenSanctions tooling.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentifierKind(models.TextChoices):
    """What an identifier is. FollowTheMoney: phone and email are properties of the holder
    (Person.phone, LegalEntity.email); the others are entities of their own."""

    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("E-mail address")
    ACCOUNT = "account", _("Social-media or messaging account")  # FtM UserAccount
    WEBSITE = "website", _("Website")  # FtM LegalEntity.website
    BANK_ACCOUNT = "bank_account", _("Bank account")  # FtM BankAccount
    CRYPTO_WALLET = "crypto_wallet", _("Crypto wallet")  # FtM CryptoWallet
    VEHICLE = "vehicle", _("Vehicle")  # FtM Vehicle (registrationNumber)
    ADDRESS = "address", _("Address")  # FtM Address (full)


class AccountService(models.TextChoices):
    """Where an account lives (FtM UserAccount.service); handles are normalised per service."""

    FACEBOOK = "facebook", _("Facebook")
    TELEGRAM = "telegram", _("Telegram")
    WECHAT = "wechat", _("WeChat")
    WHATSAPP = "whatsapp", _("WhatsApp")
    LINE = "line", _("Line")
    OTHER = "other", _("Other service")


class OrganisationKind(models.TextChoices):
    """FtM Company (registered to trade) or Organization (any other body)."""

    COMPANY = "company", _("Company")
    ORGANISATION = "organisation", _("Organisation")


class InvolvementRole(models.TextChoices):
    """What an organisation did in a case."""

    RECRUITER = "recruiter", _("Recruitment agency or recruiter")
    EMPLOYER = "employer", _("Employer")
    OPERATOR = "operator", _("Operator of a compound")
    TRANSPORT = "transport", _("Transport")
    PAYMENT = "payment", _("Payments or money service")
    OTHER = "other", _("Other")


class RelationKind(models.TextChoices):
    """A tie between persons and organisations, as FtM interval schemata."""

    OWNERSHIP = "ownership", _("Owns")  # FtM Ownership: owner -> asset
    DIRECTORSHIP = "directorship", _("Directs")  # FtM Directorship: director -> organization
    EMPLOYMENT = "employment", _("Works for")  # FtM Employment: employee -> employer
    UNKNOWN = "unknown", _("Linked to")  # FtM UnknownLink: subject -> object


# Relations whose object must be an organisation (FtM: asset, organization, employer).
RELATIONS_TO_ORGANISATIONS = frozenset(
    {RelationKind.OWNERSHIP, RelationKind.DIRECTORSHIP, RelationKind.EMPLOYMENT}
)


class IdentifierProblem(models.TextChoices):
    """Why a value could not be normalised; it is then kept as typed and flagged."""

    NOT_PHONE = "not_phone", _("not a phone number")
    IMPOSSIBLE_PHONE = "impossible_phone", _("not a possible phone number")
    UNASSIGNED_PHONE = "unassigned_phone", _("not a number in use in its country")
    NOT_EMAIL = "not_email", _("not an e-mail address")
    OTHER_SERVICE = "other_service", _("the address belongs to another service")
    UNKNOWN_SERVICE = "unknown_service", _("unknown service")
    NOT_ACCOUNT = "not_account", _("not an account name or profile address")
    NOT_WEBSITE = "not_website", _("not a web address")
    NOT_BANK_ACCOUNT = "not_bank_account", _("not an account number")
    NOT_WALLET = "not_wallet", _("not a wallet address")
    NOT_PLATE = "not_plate", _("not a registration number")
    SHORT_ADDRESS = "short_address", _("too short for an address")
