"""Reports in: the public form's rules (validation, receipt codes, proof of work, limits), what
operators record, and the conversation both ways."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from ctip.audit.models import AuditEvent
from ctip.intake import services
from ctip.intake.choices import Answer, Author, Channel, KeyKind, Priority, Trust
from ctip.intake.models import Report, ReportKey, ReportMessage
from ctip.intake.proof import issue_challenge, solve
from ctip.intake.receipts import normalise_receipt_code
from ctip.intake.services.reports import Throttled, report_by_receipt
from ctip.reference import gazetteer

pytestmark = pytest.mark.django_db


def village_code() -> str:
    district = gazetteer.children("18")[0]
    return gazetteer.children(gazetteer.children(district.code)[0].code)[0].code


def submit(**fields):
    data = services.ReportInput(what=fields.pop("what", "Workers locked in a compound"), **fields)
    return services.report_submit_public(data=data, language="en")


def test_a_public_report_is_stored_encrypted_with_only_a_hash_of_its_receipt():
    sent = submit(
        place_code=village_code(),
        phones=["012 345 678"],
        accounts=["@recruiter_kh"],
        danger_now=Answer.YES,
    )
    code = sent.receipt_code
    assert len(code) == 16 and code.isdigit()
    report = Report.objects.get(pk=sent.report.pk)
    assert report.channel == Channel.WEB and report.trust == Trust.NO_SCRIPT
    assert report.priority == Priority.URGENT
    assert report.province.code == "KH-18"
    assert report.receipt_hash.startswith("argon2id$") and code not in report.receipt_hash
    with connection.cursor() as cursor:
        cursor.execute("SELECT what, phones, receipt_hash FROM intake_report")
        what, phones, stored_hash = cursor.fetchone()
    assert "compound" not in what and "345" not in phones  # encrypted at rest
    assert code not in stored_hash
    assert {k.kind for k in ReportKey.objects.filter(report=report)} == {
        KeyKind.PHONE,
        KeyKind.ACCOUNT,
        KeyKind.PLACE,
    }
    # The receipt code opens it, typed with spaces too; a wrong one opens nothing.
    spaced = " ".join(code[i : i + 4] for i in range(0, 16, 4))
    assert report_by_receipt(code=spaced) == report
    assert report_by_receipt(code="0" * 16) is None
    assert report_by_receipt(code="not a code") is None
    event = AuditEvent.objects.get(object_type="intake.report", object_id=str(report.pk))
    assert event.actor_id is None and event.actor_username == ""


def test_an_empty_or_hostile_report_is_refused_naming_the_fields():
    with pytest.raises(ValidationError) as refused:
        services.report_submit_public(
            data=services.ReportInput(
                what="   ",
                place_code="99999",
                pin="north of the river",
                phones=["1"] * 11,
                child_involved="maybe",
                people_count=-3,
            ),
            language="en",
        )
    fields = set(refused.value.message_dict)
    assert {"what", "place_code", "pin", "phones", "child_involved", "people_count"} <= fields
    with pytest.raises(ValidationError) as refused:
        submit(what="x" * 5001)
    assert "what" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        submit(what="evil \u202e text")
    assert "what" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.report_submit_public(data=services.ReportInput(what="x"), language="xx")
    assert Report.objects.count() == 0


def test_priority_rules():
    assert submit(danger_now=Answer.YES).report.priority == Priority.URGENT
    assert submit(child_involved=Answer.YES).report.priority == Priority.HIGH
    assert submit(people_count=200).report.priority == Priority.HIGH
    assert submit(people_count=3).report.priority == Priority.NORMAL


def test_proof_of_work_gives_trust_once(settings):
    settings.CTIP_INTAKE_POW_BITS = 8
    challenge = issue_challenge()
    solution = solve(challenge.token, challenge.difficulty)
    data = services.ReportInput(what="Forced to scam people online")
    first = services.report_submit_public(
        data=data, language="zh-hans", challenge=challenge.token, solution=solution
    )
    assert first.report.trust == Trust.PROOF_OF_WORK
    # The same solution again is a replay: accepted, but as lower trust.
    again = services.report_submit_public(
        data=data, language="zh-hans", challenge=challenge.token, solution=solution
    )
    assert again.report.trust == Trust.NO_SCRIPT
    forged = services.report_submit_public(
        data=data, language="vi", challenge=challenge.token[:-2] + "00", solution=solution
    )
    assert forged.report.trust == Trust.NO_SCRIPT


def test_global_limits_refuse_floods_without_knowing_who(settings):
    settings.CTIP_INTAKE_NOSCRIPT_PER_MINUTE = 2
    submit()
    submit()
    with pytest.raises(Throttled):
        submit()
    assert Report.objects.count() == 2
    settings.CTIP_INTAKE_LOOKUP_PER_MINUTE = 3
    for _ in range(3):
        assert report_by_receipt(code="1234567890123456") is None
    with pytest.raises(Throttled):
        report_by_receipt(code="1234567890123456")


def test_receipt_codes_in_other_digits_and_bad_shapes():
    assert normalise_receipt_code("១២៣៤ ៥៦៧៨ ៩០១២ ៣៤៥៦") == "1234567890123456"
    assert normalise_receipt_code("1234-5678-9012-3456") == "1234567890123456"
    assert normalise_receipt_code("123") is None
    assert normalise_receipt_code("abcd" * 4) is None
    assert normalise_receipt_code("1" * 10_000) is None


def test_operators_record_calls_with_their_channel(make_member):
    officer = make_member("intake_officer", "AHTJP")
    recorded = services.report_record(
        actor=officer,
        channel=Channel.HOTLINE,
        language="km",
        data=services.ReportInput(what="Caller's sister held in Sihanoukville"),
    )
    report = recorded.report
    assert report.channel == Channel.HOTLINE and report.trust == Trust.STAFF
    assert report.recorded_by == officer and report.recorded_agency.code == "AHTJP"
    assert len(recorded.receipt_code) == 16
    with pytest.raises(ValidationError) as refused:
        services.report_record(
            actor=officer, channel=Channel.WEB, language="km", data=services.ReportInput(what="x")
        )
    assert "channel" in refused.value.message_dict
    outsider = make_member("case_officer", "PAHT-12")
    with pytest.raises(PermissionDenied):
        services.report_record(
            actor=outsider,
            channel=Channel.HOTLINE,
            language="km",
            data=services.ReportInput(what="x"),
        )
    assert AuditEvent.objects.filter(actor_id=outsider.pk, action="denied").exists()


def test_the_conversation_goes_both_ways(make_member):
    officer = make_member("intake_officer", "AHTJP")
    sent = submit()
    report = report_by_receipt(code=sent.receipt_code)
    services.report_message_staff(actor=officer, report=report, body="Which floor?")
    services.report_reply_public(report=report, body="The fourth floor.")
    messages = list(ReportMessage.objects.filter(report=report))
    assert [m.author for m in messages] == [Author.STAFF, Author.REPORTER]
    assert messages[1].staff_user is None
    with pytest.raises(ValidationError):
        services.report_reply_public(report=report, body="  ")
    no_receipt = services.report_record(
        actor=officer,
        channel=Channel.WALK_IN,
        language="km",
        data=services.ReportInput(what="walk-in"),
        give_receipt=False,
    ).report
    with pytest.raises(ValidationError):
        services.report_message_staff(actor=officer, report=no_receipt, body="Hello")


def test_time_to_triage_overall_is_the_median_of_all_reports_not_a_sum(make_member):
    # Per-channel medians do not add up: the half-year report showed their sum as the total.
    import datetime

    from django.utils import timezone

    from ctip.intake.indicators import time_to_triage_query
    from ctip.stats.periods import parse_period

    officer = make_member("intake_officer", "AHTJP")
    received = timezone.now().replace(month=3, day=1, hour=0, minute=0, second=0, microsecond=0)
    hours = {Channel.HOTLINE: [1, 2, 3], Channel.FACEBOOK: [10, 20]}
    for channel, waits in hours.items():
        for wait in waits:
            report = services.report_record(
                actor=officer,
                channel=channel,
                language="km",
                data=services.ReportInput(what="Workers locked in a compound"),
            ).report
            Report.objects.filter(pk=report.pk).update(
                received_at=received,
                triaged_at=received + datetime.timedelta(hours=wait),
            )
    period = parse_period(f"{received.year}H1")
    cube = time_to_triage_query(Report.objects.none(), (period,))[period]
    assert cube.by("channel") == {Channel.FACEBOOK: 15.0, Channel.HOTLINE: 2.0}
    assert cube.total == 3.0  # the median of 1, 2, 3, 10, 20; the sum of medians was 17
