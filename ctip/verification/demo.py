"""Demo verifications for the demo accounts, made through the services: one submitted with
evidence and awaiting the secretariat supervisor's sign-off, and one signed off with its
public summary published. Demo only; synthetic people only. Running it again adds nothing."""

import datetime
import io
from typing import Any

from django.db import transaction

from ctip.access.models import Agency, User
from ctip.intake import services as intake_services

from . import services
from .models import Verification


def _drawn_photo() -> bytes:
    """A drawn stand-in for a photo of a closed door (demo data carry no real images)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (214, 208, 196))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 40, 220, 240), fill=(96, 72, 52))
    draw.rectangle((120, 90, 200, 130), fill=(250, 250, 250))
    draw.text((128, 102), "FOR RENT", fill=(180, 20, 20))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _ordered_matter(intake: User, what: str, place_code: str, language: str, phone: str) -> Any:
    """A hotline call, grouped into a matter, assigned to AHTJP, verification ordered."""
    report = intake_services.report_record(
        actor=intake,
        channel="hotline",
        language=language,
        data=intake_services.ReportInput(what=what, place_code=place_code, phones=[phone]),
    ).report
    matter = intake_services.matter_create(actor=intake, reports=[report])
    intake_services.matter_assign(
        actor=intake, matter=matter, agency=Agency.objects.get(code="AHTJP")
    )
    return intake_services.matter_decide(
        actor=intake, matter=matter, outcome="verification_ordered"
    )


def _visited(officer: User, partner: User, matter: Any, today: datetime.date, plan: str) -> Any:
    verification = services.verification_order(
        actor=officer, matter=matter, plan=plan, planned_for=today
    )
    services.team_member_add(
        actor=officer,
        verification=verification,
        user=officer,
        agency=Agency.objects.get(code="AHTJP"),
        role="lead",
    )
    services.team_member_add(
        actor=officer,
        verification=verification,
        user=partner,
        agency=Agency.objects.get(code="PAHT-18"),
    )
    services.visit_record(
        actor=officer,
        verification=verification,
        visited_on=today,
        notes="Entered with the province police at 09:00; spoke with the workers apart.",
    )
    return verification


def demo_verifications(*, today: datetime.date) -> dict[str, str]:
    """Make the two demo verifications once; returns their references and states."""
    if Verification.objects.exists():
        return {}
    intake, officer = _user("ahtjp.intake"), _user("ahtjp.officer")
    partner, signer = _user("paht18.officer"), _user("ncct.supervisor")
    with transaction.atomic():
        held = _ordered_matter(
            intake,
            "About thirty workers kept in a building near the port; guards took their phones.",
            "18010101",
            "km",
            "+855 12 555 010",
        )
        waiting = _visited(officer, partner, held, today, "Joint visit with the province police.")
        services.finding_add(
            actor=officer,
            verification=waiting,
            kind="observation",
            description="Gate locked from outside; guard post; dormitory for about thirty.",
        )
        services.finding_add(
            actor=officer,
            verification=waiting,
            kind="statement",
            description="Statement of a worker: passport kept by the manager, a debt of "
            "2,000 USD for the journey, beaten when targets were missed.",
            taken_on=today,
            upload=b"Statement taken on site (synthetic demo text).\n"
            b"The manager keeps our passports. We owe 2,000 USD for the journey.\n"
            b"When we miss the targets the guards beat us.\n",
            file_name="statement.txt",
        )
        services.found_person_add(
            actor=officer,
            verification=waiting,
            role="victim",
            family_name_latin="Nguyen",
            given_name_latin="Van An",
            sex="male",
            estimated_age=23,
            citizenship="VNM",
        )
        services.found_person_add(
            actor=officer,
            verification=waiting,
            role="suspect",
            family_name_latin="Lim",
            given_name_latin="Chea",
            sex="male",
            estimated_age=41,
            citizenship="KHM",
        )
        services.verification_submit(
            actor=officer,
            verification=waiting,
            outcome="substantiated",
            sign_off_agency=Agency.objects.get(code="NCCT"),
            note="Documents confiscated, debt bondage and violence: indicators of trafficking.",
        )

        empty = _ordered_matter(
            intake,
            "Girls said to be kept in a karaoke bar on the main road.",
            "12010101",
            "en",
            "+855 97 555 020",
        )
        published = _visited(officer, partner, empty, today, "Evening visit, plain clothes.")
        services.finding_add(
            actor=officer,
            verification=published,
            kind="photo",
            description="The premises closed and empty; a for-rent sign on the door.",
            upload=_drawn_photo(),
            file_name="premises.jpg",
        )
        services.verification_submit(
            actor=officer,
            verification=published,
            outcome="not_substantiated",
            reason="situation_ended",
            note="Neighbours say the bar closed two months ago; no one found on site.",
            sign_off_agency=Agency.objects.get(code="NCCT"),
        )
        services.verification_sign_off(actor=signer, verification=published, note="Agreed.")
        services.summary_publish(
            actor=signer,
            verification=published,
            text="The premises were found closed and empty; the situation had ended before "
            "the visit. No one was found on site.",
        )
    return {
        waiting.reference: waiting.get_status_display(),
        published.reference: f"{published.get_status_display()}, summary published",
    }
