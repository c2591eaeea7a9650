"""Normal forms: one number or account typed several ways is one identifier."""

import pytest

from ctip.investigations import normalise
from ctip.investigations.choices import IdentifierKind


@pytest.mark.parametrize(
    "typed",
    ["012 345 678", "+855 12 345 678", "00855 12 345 678", "(012) 345-678", "+85512345678"],
)
def test_cambodian_number_typed_any_way_is_one(typed: str) -> None:
    found = normalise.phone(typed)
    assert found.value == "+85512345678"
    assert found.is_valid
    assert found.region == "KH"


def test_foreign_number_keeps_its_country() -> None:
    found = normalise.phone("+66 81 234 5678")
    assert (found.value, found.region) == ("+66812345678", "TH")


@pytest.mark.parametrize("typed", ["call me", "12", "+855 abc"])
def test_unparseable_number_is_kept_as_typed_and_flagged(typed: str) -> None:
    found = normalise.phone(typed)
    assert not found.is_valid
    assert found.problem
    assert found.value  # never dropped


def test_same_odd_typing_meets_itself() -> None:
    assert normalise.phone("ph: 12-ab").value == normalise.phone("PH: 12 AB").value


@pytest.mark.parametrize(
    ("typed", "service", "handle"),
    [
        ("https://t.me/Recruiter_88", "", "recruiter_88"),
        ("@recruiter_88", "telegram", "recruiter_88"),
        ("telegram.me/recruiter_88", "", "recruiter_88"),
        ("https://www.facebook.com/jobs.thailand.hr/", "", "jobs.thailand.hr"),
        ("https://facebook.com/profile.php?id=100089", "", "100089"),
        ("https://line.me/ti/p/~goodjob", "", "goodjob"),
        ("wxid_abc123", "wechat", "wxid_abc123"),
    ],
)
def test_account_urls_and_handles_meet(typed: str, service: str, handle: str) -> None:
    found = normalise.account(typed, service)
    assert found.value == handle
    assert found.is_valid


def test_whatsapp_account_is_its_phone_number() -> None:
    by_link = normalise.account("https://wa.me/85512345678")
    by_number = normalise.account("012 345 678", "whatsapp")
    assert by_link.value == by_number.value == "+85512345678"
    assert by_link.service == "whatsapp"


def test_account_url_of_another_service_is_flagged() -> None:
    found = normalise.account("https://t.me/someone", "facebook")
    assert not found.is_valid


def test_email_and_website() -> None:
    assert normalise.email("Jobs.Recruit+thai@GMail.com").value == "jobsrecruit@gmail.com"
    assert not normalise.email("not-an-email").is_valid
    assert normalise.website("HTTPS://www.Good-Jobs.example/apply/").value == (
        "good-jobs.example/apply"
    )


def test_bank_wallet_vehicle_address() -> None:
    assert normalise.bank_account("001 234-567", "aba bank").value == "001234567"
    assert normalise.bank_account("001 234-567", "aba bank").service == "ABA BANK"
    wallet = "0xAbCdEf0123456789abcdef0123456789ABCDEF01"
    assert normalise.crypto_wallet(wallet, "usdt").value == wallet.lower()
    assert normalise.vehicle("2A-1234").value == "2A1234"
    assert normalise.address("St. 271, Sangkat Tuol Tumpung").value == (
        "st 271 sangkat tuol tumpung"
    )


def test_unknown_kind_and_empty_value_refused() -> None:
    with pytest.raises(ValueError):
        normalise.normalise("fax", "123")
    with pytest.raises(ValueError):
        normalise.normalise(IdentifierKind.PHONE, "   ")


def test_display_groups_the_number() -> None:
    assert normalise.display(IdentifierKind.PHONE, "+85512345678") == "+855 12 345 678"
