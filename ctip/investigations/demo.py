"""Demo network for the investigations pages: recruiters, companies, phone numbers, accounts
and a scam compound recurring across cases of several agencies in several provinces.

Synthetic only: names, numbers, accounts and companies are invented (numbers in ranges
that look Cambodian, Thai and Chinese). Everything goes through the services, as a user's
recording would, so the demo also raises the connection alerts the national police's
investigators (demo account `ahtjp.investigator`) find on their page. Running it again
adds nothing (the compound's external id says the network exists).
"""

import datetime
import io
import json
from typing import Any

from django.db import transaction
from PIL import Image, ImageDraw

from ctip.access.actors import COMMAND_LINE
from ctip.access.models import User
from ctip.reference.models import Country, Province
from ctip.registry import services as registry_services
from ctip.registry.choices import CLOSED_STATUSES
from ctip.registry.models import Case, Person
from ctip.screening.models import Operation

from . import services
from .ftm.importer import network_import
from .ftm.partners import network_package_send
from .ftm.selectors import packages
from .models import Compound

MARK = "DEMO-INVESTIGATIONS"
# The recruitment agency's id, which the partner's file below names.
LUCKY_STAR = "demo-lucky-star-recruitment"
# The provinces the network spans: Preah Sihanouk (the compound), Phnom Penh, Siem Reap,
# Banteay Meanchey (the Thai border), Kampong Cham, Battambang.
PROVINCES = ["KH-18", "KH-12", "KH-17", "KH-1", "KH-3", "KH-2"]

RECRUITERS = [
    # (family, given, Khmer family, Khmer given, sex, age, citizenship, aliases)
    ("Chan", "Dara", "ចាន់", "ដារា", "male", 38, "KHM", ["Boss Dara", "Dara Chan"]),
    ("Li", "Wei", "", "", "male", 45, "CHN", ["Lee Wei", "Ah Wei"]),
    ("Sok", "Pisey", "សុខ", "ពិសី", "female", 29, "KHM", ["Pisey Sok"]),
]


def _cases() -> list[Case]:
    """Open cases to hang the network on: national police (AHTJP) cases in the first four
    provinces (the demo investigator's agency: visible to them), and province police or
    NGO cases in the others (visible to their own officers; counted for the investigator)."""
    chosen: list[Case] = []
    open_cases = Case.objects.exclude(status__in=CLOSED_STATUSES).order_by("id")
    for code in PROVINCES[:4]:
        found = open_cases.filter(owning_agency__code="AHTJP", province__code=code).first()
        if found is not None:
            chosen.append(found)
    for code in PROVINCES:
        found = (
            open_cases.filter(province__code=code)
            .exclude(owning_agency__code="AHTJP")
            .exclude(pk__in=[c.pk for c in chosen])
            .first()
        )
        if found is not None:
            chosen.append(found)
    return chosen


def _suspect(case: Case, recruiter: tuple[Any, ...], phone: str) -> Person:
    """The recruiter as this case's agency registers him, with the phone he gave them (as
    they typed it): with the names and age, what `ctip linkage run` needs to find the same
    man in every case (the network then draws him once, decision 0705)."""
    family, given, family_km, given_km, sex, age, country, aliases = recruiter
    person = registry_services.person_create(
        phone=phone,
        actor=COMMAND_LINE,
        registered_by=case.owning_agency,
        family_name_latin=family,
        given_name_latin=given,
        family_name_km=family_km,
        given_name_km=given_km,
        sex=sex,
        estimated_age=age,
        citizenships=[country],
        aliases=aliases,
    )
    registry_services.participant_add(actor=COMMAND_LINE, case=case, person=person, role="suspect")
    return person


def _screenshot() -> bytes:
    """A drawn stand-in for the screenshot of the ad (no real post is copied)."""
    image = Image.new("RGB", (480, 270), "#f0f2f5")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 480, 40), fill="#1877f2")
    draw.text((12, 12), "Lucky Star Jobs KH", fill="#ffffff")
    for line, text in enumerate(
        ["Customer service staff wanted", "$1500 / month, no experience", "Travel paid",
         "Telegram @GoldJob_HR  012 345 678"]
    ):  # fmt: skip
        draw.text((12, 60 + 28 * line), text, fill="#1c1e21")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@transaction.atomic
def demo_network() -> dict[str, Any]:
    """Record the demo network; {} if it exists already or there are too few open cases."""
    if Compound.objects.filter(external_id=MARK).exists():
        return {}
    cases = _cases()
    if len(cases) < 6:
        return {}
    actor = COMMAND_LINE
    today = datetime.date.today()
    khm = Country.objects.filter(alpha3="KHM").first()
    compound = services.compound_create(
        actor=actor,
        name="Golden Fortune Compound",
        aliases=["GF Park", "Kompleks Golden Fortune"],
        province=Province.objects.get(code="KH-18"),
        location_code="180102",  # Lekh Pir commune, Krong Preah Sihanouk (gazetteer)
        latitude=10.62717,
        longitude=103.50881,
        description="Walled compound of six blocks; workers' dormitories on floors 3 to 8.",
        external_id=MARK,
    )
    operator = services.organisation_create(
        actor=actor,
        name="Golden Fortune Technology Co., Ltd.",
        registration_number="00051234",
        jurisdiction=khm,
        aliases=["GF Tech"],
    )
    recruiter_company = services.organisation_create(
        actor=actor,
        name="Lucky Star Recruitment Agency",
        registration_number="00067890",
        jurisdiction=khm,
        external_id=LUCKY_STAR,
    )
    landlord = services.organisation_create(
        actor=actor, name="Prince Bay Development", kind="company", registration_number="00043210"
    )
    services.compound_operator_add(
        actor=actor, compound=compound, organisation=operator, since=datetime.date(2021, 3, 1)
    )
    services.compound_operator_add(actor=actor, compound=compound, organisation=landlord)

    # Each recruiter is a suspect in several cases; what they used recurs across them.
    dara_typed = ["012 345 678", "+855 12 345 678", "855-12-345-678", "(012) 345678"]
    dara, wei, pisey = (
        [
            _suspect(case, RECRUITERS[0], typed)
            for case, typed in zip(cases[0:4], dara_typed, strict=True)
        ],
        [_suspect(case, RECRUITERS[1], "+86 138 0013 8000") for case in cases[2:7]],
        [_suspect(case, RECRUITERS[2], "097 888 1234") for case in cases[4:]],
    )
    uses = 0

    def record(case: Case, kind: str, value: str, service: str = "", **holder: Any) -> None:
        nonlocal uses
        services.identifier_record(
            actor=actor,
            case=case,
            kind=kind,
            value=value,
            service=service,
            seen_on=today - datetime.timedelta(days=30),
            **holder,
        )
        uses += 1

    # Dara's phone, typed differently in each case: one number, four cases, four provinces.
    for case, person, typed in zip(cases[0:4], dara, dara_typed, strict=True):
        record(case, "phone", typed, person=person)
        record(case, "account", "https://t.me/GoldJob_HR", person=person)
    for case, person in zip(cases[2:7], wei, strict=False):
        record(case, "phone", "+86 138 0013 8000", person=person)
        record(case, "account", "wxid_goldfortune88", "wechat", person=person)
        record(case, "crypto_wallet", "TQn9Y2khEsLJW1ChVWFMSMeRDow5KcbLSE", "USDT", person=person)
    for case, person in zip(cases[4:], pisey, strict=False):
        record(case, "phone", "097 888 1234", person=person)
        record(case, "account", "https://www.facebook.com/luckystar.jobs.kh", person=person)
        record(case, "bank_account", "000 123 456", "ABA Bank", person=person)
        # Half a number copied from a torn poster: kept as typed and flagged, not dropped.
        record(case, "phone", "097 88", person=person)
    record(cases[1], "vehicle", "2AB-1234")
    record(cases[5], "vehicle", "2ab 1234")
    record(cases[0], "address", "Ou Tres, Sangkat Pir, Krong Preah Sihanouk")

    for case in cases:
        services.compound_involve(actor=actor, case=case, compound=compound)
    for case in cases[0:5]:
        services.organisation_involve(
            actor=actor, case=case, organisation=recruiter_company, role="recruiter"
        )
    for case in cases[2:]:
        services.organisation_involve(
            actor=actor, case=case, organisation=operator, role="operator"
        )
    services.relation_create(
        actor=actor, case=cases[2], kind="directorship", subject=wei[0], object=operator,
        role="director",
    )  # fmt: skip
    services.relation_create(
        actor=actor, case=cases[0], kind="employment", subject=dara[0], object=recruiter_company,
        role="recruiter",
    )  # fmt: skip
    services.relation_create(
        actor=actor, case=cases[4], kind="ownership", subject=landlord, object=operator,
        role="51 %",
    )  # fmt: skip
    services.job_ad_record(
        actor=actor,
        agency=cases[0].owning_agency,
        case=cases[0],
        url="https://www.facebook.com/luckystar.jobs.kh/posts/1001",
        service="Facebook",
        language="km",
        seen_on=today - datetime.timedelta(days=45),
        text=(
            "ត្រូវការបុគ្គលិកបម្រើអតិថិជន ប្រាក់ខែ $1500 មិនត្រូវការបទពិសោធន៍ "
            "ធ្វើការនៅក្រុងព្រះសីហនុ ក្រុមហ៊ុនចេញថ្លៃធ្វើដំណើរ។ Customer service staff wanted, "
            "$1500 a month, no experience needed, travel paid. Age 18-30, Chinese or English "
            "a plus. Contact Telegram @GoldJob_HR or 012 345 678 only."
        ),
        identifiers=[
            ("phone", "012 345 678", ""),
            ("account", "https://t.me/GoldJob_HR", ""),
        ],
        organisations=[recruiter_company],
        screenshot=_screenshot(),
        screenshot_name="lucky-star-post.png",
    )
    imported = _partner_import(cases)
    return {
        "cases": len(cases),
        "provinces": len({case.province_id for case in cases}),
        "identifiers recorded": uses,
        "compound": compound.name,
        **({"persons imported by the investigator": imported} if imported else {}),
        "operations against it": demo_operations(),
    }


# A partner's Aleph export (FollowTheMoney lines): the Thai recruiter who sends workers over
# the Poipet border to the compound's recruiters, his company and its phone.
PARTNER_FILE = [
    {"id": "th-aleph-recruiter-1", "schema": "Person",
     "properties": {"name": ["Somchai Wongsa"], "firstName": ["Somchai"],
                    "lastName": ["Wongsa"], "nationality": ["th"], "birthDate": ["1981"],
                    "phone": ["+66 81 234 5678"], "alias": ["Ah Chai"]}},
    {"id": "th-aleph-company-1", "schema": "Company",
     "properties": {"name": ["Siam Golden Manpower Co., Ltd."], "jurisdiction": ["th"],
                    "registrationNumber": ["0105561234567"], "phone": ["+66 2 123 4567"]}},
    {"id": "th-aleph-directorship-1", "schema": "Directorship",
     "properties": {"director": ["th-aleph-recruiter-1"],
                    "organization": ["th-aleph-company-1"], "role": ["managing director"]}},
    {"id": "th-aleph-link-1", "schema": "UnknownLink",
     "properties": {"subject": ["th-aleph-company-1"], "object": [LUCKY_STAR],
                    "role": ["sends recruits to"]}},
]  # fmt: skip


def _partner_import(cases: list[Case]) -> int:
    """The demo investigator imports the partner's file into the network's first case of
    their agency (decision 0703): a person registered by an investigator, through the
    registry's services, with the possible-match check."""
    investigator = User.objects.filter(username="ahtjp.investigator", is_active=True).first()
    case = next((c for c in cases if c.owning_agency.code == "AHTJP"), None)
    if investigator is None or case is None:
        return 0
    lines = [json.dumps(row, ensure_ascii=False).encode() for row in PARTNER_FILE]
    counts = network_import(
        actor=investigator, case=case, lines=lines, file_name="partner-aleph-export.ftm.json"
    )
    return counts["persons"]


@transaction.atomic
def demo_operations() -> int:
    """Record the screening demo's raids in Preah Sihanouk (`ctip demo-screening`, run
    before) as cases at the demo compound, so that its page shows the operations against it
    and the people found by nationality. Running it again adds nothing."""
    compound = Compound.objects.filter(external_id=MARK).first()
    if compound is None:
        return 0
    operations = Operation.objects.filter(province__code="KH-18").exclude(
        case__compound_involvements__compound=compound
    )
    count = 0
    for operation in operations.select_related("case"):
        services.compound_involve(
            actor=COMMAND_LINE,
            case=operation.case,
            compound=compound,
            note="Raid on the compound's blocks (screening's operation).",
        )
        count += 1
    return count


def demo_package(partner: str) -> str:
    """The demo investigator sends the network of the demo network's first case of their
    agency to `partner` (an agreement must be in force: `ctip linkage agreement`), so that
    the network packages page lists one. Running it again sends nothing; returns the case's
    reference, or "" when nothing was sent."""
    investigator = User.objects.filter(username="ahtjp.investigator", is_active=True).first()
    compound = Compound.objects.filter(external_id=MARK).first()
    if investigator is None or compound is None:
        return ""
    if any(entry.sent and entry.partner == partner for entry in packages(actor=investigator)):
        return ""
    case = (
        Case.objects.filter(owning_agency__code="AHTJP", compound_involvements__compound=compound)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("pk")
        .first()
    )
    if case is None:
        return ""
    network_package_send(actor=investigator, case=case, partner=partner)
    return case.reference
