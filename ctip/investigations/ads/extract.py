"""The phones, accounts and e-mail addresses an advertisement names, found in its text.

Phone numbers are found by `phonenumbers`' own matcher (Cambodia the default region, so
012 345 678 is found as +855 12 345 678); accounts from profile links (t.me/…, wa.me/…,
facebook.com/…, line.me/…) and from "@handle" where the text names the service; e-mail
addresses by their shape. What is found is recorded through the investigations services like a
typed identifier, so the ad joins the cases that record the same number or account.
"""

import re

import phonenumbers

from ctip.investigations.choices import AccountService, IdentifierKind

MAX_FOUND = 20
_LINK = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|wa\.me|facebook\.com|fb\.com|line\.me/ti/p)"
    r"/[~\w.+-]{2,64}",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w.@])@([a-z0-9_]{4,32})\b", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+\b")
_SERVICE_WORDS = {
    AccountService.TELEGRAM: ("telegram", "飞机", "电报", "តេឡេក្រាម"),
    AccountService.LINE: ("line", "ไลน์"),
    AccountService.WECHAT: ("wechat", "微信", "weixin"),
}


def _service_named(text: str) -> str:
    lowered = text.lower()
    named = [
        service for service, words in _SERVICE_WORDS.items() if any(w in lowered for w in words)
    ]
    return named[0] if len(named) == 1 else AccountService.OTHER


def identifiers_in(text: str) -> list[tuple[str, str, str]]:
    """(kind, value as written, service) of the phones, accounts and e-mails in the text."""
    text = (text or "")[:20_000]
    found: list[tuple[str, str, str]] = []
    emails = [match.group(0) for match in _EMAIL.finditer(text)]
    found.extend((IdentifierKind.EMAIL, email, "") for email in emails)
    for match in _LINK.finditer(text):
        found.append((IdentifierKind.ACCOUNT, match.group(0), ""))
    service = _service_named(text)
    masked = _EMAIL.sub(" ", text)
    for match in _HANDLE.finditer(masked):
        found.append((IdentifierKind.ACCOUNT, match.group(1), service))
    matcher = phonenumbers.PhoneNumberMatcher(text, "KH", leniency=phonenumbers.Leniency.VALID)
    for number in matcher:
        found.append((IdentifierKind.PHONE, number.raw_string, ""))
    unique: list[tuple[str, str, str]] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique[:MAX_FOUND]
