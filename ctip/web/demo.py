"""Demo activity for the demo accounts: work in every state, made through the services.

`ctip demo-data` fills the registry in bulk; this gives each demo account its day's work, so
that every page has something to show: referrals sent to the social worker in every state,
tasks due and overdue, case management (a caseworker, notes, follow-up visits, documents and
a photo, needs and risk assessments, care plans whose services became referrals, a child's
best-interest steps and guardian, a case transferred, the notifications these send), an
applied import, a published release and a draft waiting for the secretariat supervisor.
Demo only; synthetic people only. Running it again adds nothing.
"""

import csv
import datetime
import tempfile
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from ctip.access.models import Agency, User
from ctip.exchange.sample import HEADERS, rows
from ctip.exchange.services import import_apply, import_upload, import_validate
from ctip.reference.models import Province
from ctip.referrals import services as referral_services
from ctip.registry import services
from ctip.registry.casework.services import (
    assessment_record,
    case_assign,
    case_note_add,
    case_transfer,
    child_steps_save,
    follow_up_plan,
    follow_up_record,
)
from ctip.registry.files.services import case_attachment_add, person_attachment_add
from ctip.registry.models import Case
from ctip.stats.periods import last_complete_half
from ctip.stats.services import release_create, release_publish, release_sign_off
from ctip.verification.demo import demo_verifications

MARK = "DEMO-ACTIVITY"  # the external id of its case: says the activity exists already


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _victim(officer: User, case: Any, family: str, given: str, km: tuple[str, str]) -> Any:
    person = services.person_create(
        actor=officer,
        registered_by=case.owning_agency,
        family_name_latin=family,
        given_name_latin=given,
        family_name_km=km[0],
        given_name_km=km[1],
        sex="female",
        estimated_age=16,
        citizenships=["KHM"],
        languages=["km"],
    )
    participant = services.participant_add(actor=officer, case=case, person=person, role="victim")
    services.victim_profile_save(
        actor=officer,
        participant=participant,
        trafficking_status="ActualVictimOfTrafficking",
        identified_on=case.opened_on,
        consent_to_share=True,
        consent_recorded_on=case.opened_on,
        exploitation_types=["SexualExploitation"],
    )
    participant.refresh_from_db()
    return participant


def _assess(officer: User, victim: Any, risk: str, reasons: str) -> Any:
    """A needs and risk assessment of a demo victim (synthetic words)."""
    return assessment_record(
        actor=officer,
        participant=victim,
        needs={
            "safety": {"level": "urgent" if risk == "high" else "some", "note": reasons},
            "health": {"level": "some", "note": "Tired and underweight; seen by a nurse."},
            "shelter": {"level": "none", "note": "Lives with her mother."},
            "psychosocial": {"level": "some", "note": "Sleeps badly; agreed to counselling."},
            "legal": {"level": "some", "note": "Witness in the broker's trial."},
            "documents": {"level": "urgent", "note": "The broker kept her identity card."},
            "livelihood": {"level": "some", "note": "Wants to learn a trade."},
            "family_tracing": {"level": "none", "note": ""},
        },
        risk_level=risk,
        risk_reasons=reasons,
    )


def _child_steps(
    officer: User,
    child: Any,
    today: datetime.date,
    *,
    determined: bool,
    guardian: str = "Heng Sokha",
) -> Any:
    """A child's best-interest assessment (and, where `determined`, the determination) and
    the guardian appointed for the child."""
    return child_steps_save(
        actor=officer,
        participant=child,
        assessed_on=today - datetime.timedelta(days=12),
        assessment="Safe at home with the mother; wants to return to school.",
        determined_on=today - datetime.timedelta(days=10) if determined else None,
        determination="Reintegration with the mother, with monthly visits by the social worker."
        if determined
        else "",
        guardian_name=guardian,
        guardian_relationship="parent",
        guardian_agency=Agency.objects.get(code="DOSVY-12"),
        guardian_appointed_on=today - datetime.timedelta(days=11),
    )


def _referrals(officer: User, social: User, today: datetime.date) -> dict[str, int]:
    """A police case in Phnom Penh with three victims, referred to the province social
    affairs department; the referrals are then moved through every state."""
    police, social_affairs = Agency.objects.get(code="AHTJP"), Agency.objects.get(code="DOSVY-12")
    case = services.case_create(
        actor=officer,
        kind="sexual_exploitation",
        source="operation",
        owning_agency=police,
        province=Province.objects.get(code="KH-12"),
        opened_on=today - datetime.timedelta(days=20),
        summary="Three girls found in a karaoke bar during an operation.",
        external_id=MARK,
    )
    suspect = services.person_create(
        actor=officer,
        registered_by=police,
        family_name_latin="Lim",
        given_name_latin="Vannak",
        sex="male",
        estimated_age=41,
        citizenships=["KHM"],
    )
    services.participant_add(actor=officer, case=case, person=suspect, role="suspect")
    victims = [
        _victim(officer, case, "Chan", "Sreyneang", ("ចាន់", "ស្រីនាង")),
        _victim(officer, case, "Keo", "Malis", ("កែវ", "ម្លិះ")),
        _victim(officer, case, "Sok", "Pisey", ("សុខ", "ពិសី")),
    ]
    plan: list[tuple[Any, ...]] = [
        (victims[0], "shelter", []),  # waits for the social worker's answer
        (victims[0], "reintegration", ["accept"]),
        (victims[1], "shelter", ["accept", "start"]),
        (victims[1], "psychosocial_support", ["accept", "start", "complete"]),
        (victims[2], "shelter", ["decline"]),
        (victims[2], "family_tracing", ["accept", "close"]),
        # The NGO partner's referred victims, identity shared: read without a reveal each.
        (victims[1], "legal_aid", ["accept"], "NGO-CWCC"),
        (victims[2], "legal_aid", [], "NGO-CWCC"),
    ]
    steps = {
        "accept": lambda r: referral_services.referral_accept(actor=social, referral=r),
        "decline": lambda r: referral_services.referral_decline(
            actor=social, referral=r, reason="No place left in the shelter this month."
        ),
        "start": lambda r: referral_services.referral_start(actor=social, referral=r),
        "complete": lambda r: referral_services.referral_complete(
            actor=social, referral=r, outcome="Service given as agreed."
        ),
        "close": lambda r: referral_services.referral_close(
            actor=officer, referral=r, reason="The family was found by the police first."
        ),
    }
    # Sreyneang's best interests were determined and a guardian appointed: her reintegration
    # may be referred (decision 0150); her care plan's services become her referrals.
    _child_steps(officer, victims[0], today, determined=True, guardian="Chan Sophal")
    _assess(officer, victims[0], "high", "The bar's owner has threatened her family.")
    planned = {
        service: referral_services.care_plan_item_add(
            actor=officer, participant=victims[0], service=service, goal=goal
        )
        for service, goal in [
            ("shelter", "A safe place to stay while the case is investigated."),
            ("reintegration", "Back with her family and at school by the next term."),
            ("legal_aid", "A lawyer for the trial of the bar's owner."),
        ]
    }
    counts: dict[str, int] = {}
    in_service = None
    ngo = _user("ngo.partner")
    for participant, service, moves, *receiver in plan:
        to_agency = Agency.objects.get(code=receiver[0]) if receiver else social_affairs
        common: dict[str, Any] = {
            "actor": officer,
            "from_agency": police,
            "to_agency": to_agency,
            "shares_identity": True,
            "note": "Referred after the operation.",
        }
        if participant == victims[0]:
            referral = referral_services.care_plan_refer(item=planned[service], **common)
        else:
            referral = referral_services.referral_send(
                participant=participant, service=service, **common
            )
        for move in moves:
            if receiver:  # only the accept step goes to another receiver here
                referral = referral_services.referral_accept(actor=ngo, referral=referral)
                continue
            referral = steps[move](referral)
        counts[referral.status] = counts.get(referral.status, 0) + 1
        if referral.status == "in_progress" and in_service is None:
            in_service = referral
    for title, days, who in [
        ("Take the victims' statements", -2, officer),
        ("Ask the court for a search warrant", 3, officer),
        ("Visit the shelter", 5, None),
    ]:
        referral_services.task_create(
            actor=officer,
            case=case,
            title=title,
            owner_agency=police,
            due_on=today + datetime.timedelta(days=days),
            assigned_to=who,
        )
    if in_service is not None:
        # The receiving agency plans its own work on the referral it serves (decision 0510).
        referral_services.task_create(
            actor=social,
            case=case,
            referral=in_service,
            title="Find a school place near the shelter",
            owner_agency=social_affairs,
            due_on=today + datetime.timedelta(days=7),
            assigned_to=social,
        )
        # The referral's own notes, one from each side (decision 0510).
        referral_services.referral_note_add(
            actor=social,
            referral=in_service,
            text="Settled in; sleeps badly. A counsellor sees her twice a week.",
        )
        referral_services.referral_note_add(
            actor=officer,
            referral=in_service,
            text="The court hearing is set for next month; she may be asked to attend.",
        )
    return counts


def _photo() -> bytes:
    """A drawn picture standing in for a photo of a rescue site, with a GPS tag as phones
    write it: the file store strips it (synthetic, no real place)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (214, 226, 233))
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 120, 420, 300), fill=(120, 94, 70))
    draw.polygon([(40, 130), (240, 30), (440, 130)], fill=(150, 40, 40))
    draw.rectangle((210, 200, 270, 300), fill=(60, 45, 30))
    exif = Image.Exif()
    exif[0x0110] = "DemoPhone"
    exif[0x8825] = {1: "N", 2: (11.0, 33.0, 0.0), 3: "E", 4: (104.0, 55.0, 0.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _casework(officer: User, supervisor: User, today: datetime.date) -> dict[str, int]:
    """Case management on a police case: a caseworker assigned, notes, follow-up visits,
    documents and a photo; and a second case transferred to the social affairs department."""

    police = Agency.objects.get(code="AHTJP")
    case = services.case_create(
        actor=officer,
        kind="trafficking",
        source="hotline",
        owning_agency=police,
        province=Province.objects.get(code="KH-12"),
        opened_on=today - datetime.timedelta(days=40),
        summary="A young woman promised factory work across the border was held and made to work.",
    )
    victim = _victim(officer, case, "Heng", "Dalin", ("ហេង", "ដាលីន"))
    case_assign(actor=supervisor, case=case, caseworker=officer)
    _assess(officer, victim, "high", "The broker still calls her mother's phone.")
    _assess(officer, victim, "medium", "Back home; the broker was arrested last week.")
    _child_steps(officer, victim, today, determined=False)
    referral_services.care_plan_item_add(
        actor=officer,
        participant=victim,
        service="vocational_training",
        goal="A sewing course near home, so that she is not recruited again.",
        due_on=today + datetime.timedelta(days=60),
    )
    case_note_add(
        actor=officer,
        case=case,
        text="Met Dalin and her mother at home; both want her back at school.",
    )
    case_note_add(
        actor=officer,
        case=case,
        participant=victim,
        sensitivity="testimony",
        text="She described how the broker kept her passport and her wages for three months.",
    )
    done = follow_up_plan(
        actor=officer,
        case=case,
        kind="home_visit",
        participant=victim,
        due_on=today - datetime.timedelta(days=7),
    )
    follow_up_record(
        actor=officer,
        follow_up=done,
        status="done",
        done_on=today - datetime.timedelta(days=7),
        outcome="Living with her mother; enrolled in vocational training.",
    )
    follow_up_plan(
        actor=supervisor,
        case=case,
        kind="phone_call",
        participant=victim,
        caseworker=officer,
        due_on=today + datetime.timedelta(days=3),
    )
    case_attachment_add(
        actor=officer,
        case=case,
        upload=_photo(),
        name="rescue-site.jpg",
        description="The house where she was held (taken during the rescue).",
    )
    case_attachment_add(
        actor=officer,
        case=case,
        participant=victim,
        name="statement-summary.txt",
        upload=b"Summary of the statement taken on arrival (synthetic demo text).\n",
    )
    person_attachment_add(
        actor=officer,
        person=victim.person,
        upload=_photo(),
        name="identity-photo.jpg",
        description="Photo for the identity card application.",
    )
    moved = services.case_create(
        actor=officer,
        kind="forced_labour",
        source="ngo",
        owning_agency=police,
        province=Province.objects.get(code="KH-12"),
        opened_on=today - datetime.timedelta(days=15),
        summary="A boy returned from a fishing boat; no criminal investigation to follow.",
    )
    boy = _victim(officer, moved, "Nhem", "Sopheak", ("ញឹម", "សុភ័ក្រ"))
    _child_steps(officer, boy, today, determined=False, guardian="Nhem Chanthou")
    case_transfer(
        actor=supervisor,
        case=moved,
        to_agency=Agency.objects.get(code="DOSVY-12"),
        reason="Care and reintegration only: the social affairs department carries the case.",
    )
    return {
        "notes": 2,
        "follow_ups": 2,
        "attachments": 3,
        "assessments": 2,
        "care plan services": 1,
        "child steps": 2,
        "transfers": 1,
    }


def _import(officer: User) -> Any:
    """A small spreadsheet of cases from a partner, checked and applied like an upload."""
    agency = Agency.objects.get(code="AHTJP")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "partner-cases.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(rows(12, seed=7, prefix="DEMO"))
        batch = import_upload(
            actor=officer, path=path, file_name=path.name, agency=agency, layout="htcds"
        )
    batch = import_validate(actor=officer, batch=batch)
    return import_apply(actor=officer, batch=batch, skip_rejected=True)


def _releases(analyst: User, supervisor: User, today: datetime.date) -> list[Any]:
    """Last half-year's release published, and this year's first draft awaiting sign-off."""
    half = last_complete_half(today)
    published = release_create(actor=analyst, period=half.label, protection="suppression")
    release_sign_off(actor=supervisor, release=published)
    published = release_publish(actor=supervisor, release=published)
    draft = release_create(actor=analyst, period=half.previous().label, protection="suppression")
    return [published, draft]


def demo_activity(*, today: datetime.date | None = None) -> dict[str, Any]:
    """Create the activity once; returns what was made (empty when it exists already)."""
    today = today or timezone.localdate()
    # Verifications keep their own once-check, so an older demo database gains them too.
    verifications = demo_verifications(today=today)
    if Case.objects.filter(external_id=MARK).exists():
        return {"verifications": verifications} if verifications else {}
    officer, social = _user("ahtjp.officer"), _user("dosvy12.social")
    with transaction.atomic():
        referrals = _referrals(officer, social, today)
        casework = _casework(officer, _user("ahtjp.supervisor"), today)
    batch = _import(officer)
    with transaction.atomic():
        releases = _releases(_user("ncct.analyst"), _user("ncct.supervisor"), today)
    return {
        "verifications": verifications,
        "referrals": referrals,
        "case management": casework,
        "import": f"{batch.file_name}: {batch.get_status_display()}",
        "releases": [f"{r.period} {r.get_status_display()}" for r in releases],
    }
