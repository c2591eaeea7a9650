"""Normal forms of identifiers, so that one number or account typed two ways is one row.

Phone numbers go through `phonenumbers` (Cambodia the default region: 012 345 678 and
+855 12 345 678 are both +85512345678). Accounts reduce a handle or a profile URL of a known
service to the handle (t.me/Recruiter_88, @recruiter_88 and https://telegram.me/recruiter_88
are one Telegram account). A value that cannot be normalised is kept as typed and flagged:
FollowTheMoney's own cleaning drops an unparseable phone number silently, which would lose
exactly the odd numbers that traffickers use.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import phonenumbers

from .choices import AccountService, IdentifierKind, IdentifierProblem

DEFAULT_REGION = "KH"
MAX_VALUE_LENGTH = 500


@dataclass(frozen=True)
class Normalised:
    """An identifier's normal form: `value` is what is stored and compared; `service` the
    account's service, bank or currency in normal form; `region` the phone's country (ISO
    alpha-2); `problem` says why a value could not be normalised (kept as typed)."""

    kind: str
    value: str
    service: str = ""
    region: str = ""
    problem: str = ""

    @property
    def is_valid(self) -> bool:
        return not self.problem

    def key(self) -> str:
        """What the blind index hashes: kind, service and value, unambiguously separated."""
        return f"{self.kind}\x1f{self.service}\x1f{self.value}"


def _clean(text: str) -> str:
    """NFC, no control characters, inner whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in " \t")
    return re.sub(r"\s+", " ", text).strip()


def _as_typed(kind: str, text: str, service: str, problem: IdentifierProblem) -> Normalised:
    # Kept as typed, compared without spaces and case so that the same typing matches itself.
    squeezed = re.sub(r"[\s\-().]", "", text).lower()
    return Normalised(kind, squeezed, service, "", problem.value)


def phone(text: str, region: str = DEFAULT_REGION) -> Normalised:
    """E.164 form of a phone number; unparseable or impossible numbers are kept as typed."""
    kind = IdentifierKind.PHONE
    cleaned = _clean(text)
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]
    try:
        number = phonenumbers.parse(cleaned, region or DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return _as_typed(kind, cleaned, "", IdentifierProblem.NOT_PHONE)
    if not phonenumbers.is_possible_number(number):
        return _as_typed(kind, cleaned, "", IdentifierProblem.IMPOSSIBLE_PHONE)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    found = phonenumbers.region_code_for_number(number) or ""
    if not phonenumbers.is_valid_number(number):
        # Possible but unassigned ranges are kept normalised (so both typings meet) and flagged.
        return Normalised(kind, e164, "", found, IdentifierProblem.UNASSIGNED_PHONE)
    return Normalised(kind, e164, "", found)


def phone_display(value: str) -> str:
    """The international form to show (+855 12 345 678); anything else unchanged."""
    if not value.startswith("+"):
        return value
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(text: str) -> Normalised:
    """Lower case; Gmail's dots and +tags are one mailbox, so they are removed there."""
    kind = IdentifierKind.EMAIL
    cleaned = _clean(text).lower().removeprefix("mailto:")
    if not EMAIL.match(cleaned):
        return _as_typed(kind, cleaned, "", IdentifierProblem.NOT_EMAIL)
    local, domain = cleaned.rsplit("@", 1)
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.split("+", 1)[0].replace(".", ""), "gmail.com"
    return Normalised(kind, f"{local}@{domain}")


# Hosts of each service's profile URLs, and the URL path part that holds the handle.
SERVICE_HOSTS: dict[str, tuple[str, ...]] = {
    AccountService.FACEBOOK: ("facebook.com", "fb.com", "m.facebook.com", "web.facebook.com"),
    AccountService.TELEGRAM: ("t.me", "telegram.me", "telegram.dog"),
    AccountService.WHATSAPP: ("wa.me", "api.whatsapp.com", "chat.whatsapp.com"),
    AccountService.LINE: ("line.me", "page.line.me"),
    AccountService.WECHAT: ("weixin.qq.com", "u.wechat.com"),
}
HANDLE = re.compile(r"^[\w.\-]{1,100}$")


def service_of_url(text: str) -> str:
    """The account service a profile URL belongs to, or ""."""
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.")
    for service, hosts in SERVICE_HOSTS.items():
        if host in hosts:
            return service
    return ""


def _handle_from_url(service: str, text: str) -> str:
    parts = urlsplit(text if "//" in text else f"//{text}")
    path = [p for p in parts.path.split("/") if p]
    query = dict(q.split("=", 1) for q in parts.query.split("&") if "=" in q)
    if service == AccountService.FACEBOOK:
        if path[:1] == ["profile.php"] and query.get("id"):
            return query["id"]
        if path[:1] == ["people"] and len(path) >= 3:
            return path[2]
    if service == AccountService.WHATSAPP and query.get("phone"):
        return query["phone"]
    if service == AccountService.LINE and path[:2] == ["ti", "p"] and len(path) >= 3:
        return path[2]
    if service == AccountService.LINE and path[:1] == ["R"] and len(path) >= 3:
        return path[-1]
    return path[-1] if path else ""


def account(text: str, service: str = "") -> Normalised:
    """A social-media or messaging account: the service and the handle in lower case.

    A profile URL of a known service names both; `service` is then checked against it. A
    WhatsApp account is a phone number, so its handle is the number's E.164 form.
    """
    kind = IdentifierKind.ACCOUNT
    cleaned = _clean(text)
    from_url = service_of_url(cleaned) if ("/" in cleaned or "." in cleaned) else ""
    if from_url:
        if service and service != from_url:
            return _as_typed(kind, cleaned, service, IdentifierProblem.OTHER_SERVICE)
        service = from_url
        handle = _handle_from_url(service, cleaned)
        if service == AccountService.WHATSAPP and handle.isdigit():
            handle = f"+{handle}"  # wa.me links carry the international number without "+"

    else:
        handle = cleaned
    service = service or AccountService.OTHER
    if service not in AccountService.values:
        return _as_typed(kind, cleaned, AccountService.OTHER, IdentifierProblem.UNKNOWN_SERVICE)
    handle = handle.strip().lstrip("@~").lower()
    if service == AccountService.WHATSAPP:
        number = phone(handle)
        if number.is_valid:
            return Normalised(kind, number.value, service, number.region)
        return _as_typed(kind, handle, service, IdentifierProblem.NOT_PHONE)
    if not HANDLE.match(handle):
        return _as_typed(kind, cleaned, service, IdentifierProblem.NOT_ACCOUNT)
    return Normalised(kind, handle, service)


def website(text: str) -> Normalised:
    """Scheme and "www." dropped, host lower case, no trailing slash, no fragment."""
    kind = IdentifierKind.WEBSITE
    cleaned = _clean(text)
    parts = urlsplit(cleaned if "//" in cleaned else f"//{cleaned}")
    try:
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        host = ""
    if not host or "." not in host or " " in host:
        return _as_typed(kind, cleaned, "", IdentifierProblem.NOT_WEBSITE)
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return Normalised(kind, f"{host}{path}{query}")


def _alnum_upper(text: str) -> str:
    return "".join(ch for ch in _clean(text).upper() if ch.isalnum())


def bank_account(text: str, bank: str = "") -> Normalised:
    """Account number without spaces or dashes (an IBAN likewise); bank name in capitals."""
    kind = IdentifierKind.BANK_ACCOUNT
    number = _alnum_upper(text)
    service = " ".join(_clean(bank).upper().split())
    if not number or not any(ch.isdigit() for ch in number):
        return _as_typed(kind, _clean(text), service, IdentifierProblem.NOT_BANK_ACCOUNT)
    return Normalised(kind, number, service)


def crypto_wallet(text: str, currency: str = "") -> Normalised:
    """A wallet address as written (addresses are case-sensitive in some chains), trimmed;
    hexadecimal (Ethereum-style) addresses in lower case, which is how they compare."""
    kind = IdentifierKind.CRYPTO_WALLET
    cleaned = _clean(text).replace(" ", "")
    service = _alnum_upper(currency)
    if not re.fullmatch(r"[A-Za-z0-9]{20,120}", cleaned):
        return _as_typed(kind, cleaned, service, IdentifierProblem.NOT_WALLET)
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", cleaned):
        cleaned = cleaned.lower()
    return Normalised(kind, cleaned, service)


def vehicle(text: str) -> Normalised:
    """A registration plate: letters and digits in capitals (Khmer letters kept)."""
    kind = IdentifierKind.VEHICLE
    plate = _alnum_upper(text)
    if not plate:
        return _as_typed(kind, _clean(text), "", IdentifierProblem.NOT_PLATE)
    return Normalised(kind, plate)


def address(text: str) -> Normalised:
    """An address in lower case with punctuation reduced to spaces (typed addresses vary)."""
    kind = IdentifierKind.ADDRESS
    cleaned = re.sub(r"[\s,.;:#/\\-]+", " ", _clean(text).lower()).strip()
    if len(cleaned) < 3:
        return _as_typed(kind, _clean(text), "", IdentifierProblem.SHORT_ADDRESS)
    return Normalised(kind, cleaned)


def normalise(kind: str, text: str, service: str = "") -> Normalised:
    """The normal form of any identifier kind (`service`: the account's service, bank name or
    currency). Raises ValueError for an unknown kind or an empty or over-long value."""
    if kind not in IdentifierKind.values:
        raise ValueError(kind)
    if not _clean(text):
        raise ValueError("empty")
    if len(text) > MAX_VALUE_LENGTH:
        raise ValueError("too long")
    if kind == IdentifierKind.PHONE:
        return phone(text)
    if kind == IdentifierKind.EMAIL:
        return email(text)
    if kind == IdentifierKind.ACCOUNT:
        return account(text, service)
    if kind == IdentifierKind.WEBSITE:
        return website(text)
    if kind == IdentifierKind.BANK_ACCOUNT:
        return bank_account(text, service)
    if kind == IdentifierKind.CRYPTO_WALLET:
        return crypto_wallet(text, service)
    if kind == IdentifierKind.VEHICLE:
        return vehicle(text)
    return address(text)


def display(kind: str, value: str) -> str:
    """How a stored normal form is shown (phone numbers grouped, others as stored)."""
    if kind == IdentifierKind.PHONE:
        return phone_display(value)
    if kind == IdentifierKind.ACCOUNT and value.startswith("+"):
        return phone_display(value)
    return value


def registration_key(text: str) -> str:
    """A company registration number compared without spaces, dashes or case."""
    return _alnum_upper(text)


def name_key(text: str) -> str:
    """An organisation's name for searching: lower case, single spaces, no punctuation."""
    return " ".join(re.sub(r"[^\w\s]", " ", _clean(text).lower()).split())
