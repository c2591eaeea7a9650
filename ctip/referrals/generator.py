"""A seeded generator of realistic referrals for cases already in the registry (made by
`ctip demo-data`): used for demos and for the dashboard benchmark at millions of rows.

Receivers follow how Cambodian agencies actually share the work (shelter mostly by the
province social affairs department or an NGO, prosecution by the province court, ...);
timings follow each service's deadline, so old referrals are mostly finished and the open,
overdue ones are recent, as in real life.
"""

import datetime
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ctip.access.models import Agency
from ctip.registry.models import CaseShare, Participant

from .choices import DEFAULT_DEADLINES, ReferralStatus, Service
from .models import Referral, ServiceDeadline
from .tallies import tallies_rebuild

# service -> [(weight, agency code or "<KIND>" for the case province's agency of that kind)]
RECEIVERS: dict[str, list[tuple[int, str]]] = {
    Service.SHELTER: [
        (50, "<DOSVY>"),
        (15, "NGO-HAGAR"),
        (15, "NGO-CWCC"),
        (10, "NGO-CHABDAI"),
        (10, "MOSVY"),
    ],
    Service.MEDICAL_CARE: [(60, "MOH"), (20, "NGO-HAGAR"), (20, "NGO-CWCC")],
    Service.PSYCHOSOCIAL_SUPPORT: [(50, "<DOSVY>"), (25, "NGO-HAGAR"), (25, "NGO-CHABDAI")],
    Service.LEGAL_AID: [(70, "NGO-LAC"), (30, "MOJ")],
    Service.FAMILY_TRACING: [(40, "<DOSVY>"), (30, "<PCCT>"), (30, "IO-IOM")],
    Service.REPATRIATION: [
        (30, "MFAIC"),
        (30, "IO-IOM"),
        (15, "FP-THA"),
        (10, "FP-VNM"),
        (5, "FP-CHN"),
        (5, "FP-MYS"),
        (5, "FP-IDN"),
    ],
    Service.REINTEGRATION: [(50, "<DOSVY>"), (30, "NGO-CHABDAI"), (20, "IO-IOM")],
    Service.VOCATIONAL_TRAINING: [(40, "MLVT"), (40, "NGO-CWCC"), (20, "IO-ILO")],
    Service.INVESTIGATION: [(60, "<PAHT>"), (40, "AHTJP")],
    Service.PROSECUTION: [(100, "<COURT>")],
}
SERVICE_WEIGHTS = {
    Service.SHELTER: 18, Service.MEDICAL_CARE: 14, Service.PSYCHOSOCIAL_SUPPORT: 14,
    Service.LEGAL_AID: 10, Service.FAMILY_TRACING: 8, Service.REPATRIATION: 6,
    Service.REINTEGRATION: 10, Service.VOCATIONAL_TRAINING: 6, Service.INVESTIGATION: 8,
    Service.PROSECUTION: 6,
}  # fmt: skip
PROVINCE_PREFIX = {"<DOSVY>": "DOSVY", "<PCCT>": "PCCT", "<PAHT>": "PAHT", "<COURT>": "COURT"}
DECLINE_REASONS = ["No capacity", "Outside our mandate", "Person could not be reached"]
CLOSE_REASONS = ["Person declined the service", "Person moved away", "Service no longer needed"]
COLUMNS = [
    "case_id", "participant_id", "from_agency_id", "to_agency_id", "service", "status",
    "province_id", "shares_identity", "consent_basis", "note", "decline_reason",
    "close_reason", "outcome", "sent_at", "accept_due_on", "due_on", "deadline_stamp",
    "accepted_at", "declined_at", "started_at", "completed_at", "closed_at", "updated_at",
]  # fmt: skip


@dataclass
class GeneratorRun:
    referrals: int
    victims: int
    shares: int


def _agency_maps() -> tuple[dict[str, int], dict[tuple[str, int], int]]:
    by_code: dict[str, int] = {}
    local: dict[tuple[str, int], int] = {}
    for pk, code, province_id in Agency.objects.values_list("id", "code", "province_id"):
        by_code[code] = pk
        prefix = code.split("-")[0]
        if province_id and prefix in PROVINCE_PREFIX.values():
            local[(prefix, province_id)] = pk
    return by_code, local


def _rows(
    rng: random.Random,
    count: int,
    victims: list[tuple[int, int, int, int]],
    now: datetime.datetime,
    span_days: int,
) -> Iterator[tuple[Any, ...]]:
    """Rows in COLUMNS order. Reads what it needs before yielding the first row, because on
    PostgreSQL the rows are consumed while the connection is busy with COPY."""
    by_code, local = _agency_maps()
    deadlines = {
        s: (d.days_to_accept, d.days_to_complete)
        for s, d in ((d.service, d) for d in ServiceDeadline.objects.all())
    }
    services = list(SERVICE_WEIGHTS)
    weights = [SERVICE_WEIGHTS[s] for s in services]
    receivers = {
        s: ([code for _w, code in options], [w for w, _c in options])
        for s, options in RECEIVERS.items()
    }
    tz = timezone.get_current_timezone()
    span = span_days * 86400
    hour = datetime.timedelta(hours=1)
    for _ in range(count):
        case_id, participant_id, province_id, owner_id = victims[rng.randrange(len(victims))]
        to_id = None
        while to_id is None:
            service = rng.choices(services, weights)[0]
            codes, code_weights = receivers[service]
            first = rng.choices(codes, code_weights)[0]
            # The drawn receiver first, then the service's other usual receivers.
            for code in [first, *codes]:
                if code in PROVINCE_PREFIX:
                    candidate = local.get((PROVINCE_PREFIX[code], province_id))
                else:
                    candidate = by_code.get(code)
                if candidate is not None and candidate != owner_id:
                    to_id = candidate
                    break
        accept_days, complete_days = deadlines.get(service, DEFAULT_DEADLINES[service])
        sent_at = now - datetime.timedelta(seconds=rng.random() * span)
        sent_day = sent_at.astimezone(tz).date()
        accept_due = sent_day + datetime.timedelta(days=accept_days)
        due = sent_day + datetime.timedelta(days=complete_days)
        status = ReferralStatus.SENT
        accepted_at = declined_at = started_at = completed_at = closed_at = None
        decline_reason = close_reason = ""
        # Most agencies answer within a day or two; a tail answers late.
        answer = sent_at + hour * rng.lognormvariate(3.0, 1.1)
        if answer <= now:
            if rng.random() < 0.08:
                status, declined_at, decline_reason = (
                    ReferralStatus.DECLINED,
                    answer,
                    rng.choice(DECLINE_REASONS),
                )
            else:
                status, accepted_at = ReferralStatus.ACCEPTED, answer
                start = answer + hour * rng.lognormvariate(2.5, 1.0)
                if start <= now:
                    status, started_at = ReferralStatus.IN_PROGRESS, start
                    finish = sent_at + datetime.timedelta(
                        days=complete_days * rng.uniform(0.3, 1.3)
                    )
                    finish = max(finish, start + hour)
                    if finish <= now:
                        if rng.random() < 0.06:
                            status, closed_at, close_reason = (
                                ReferralStatus.CLOSED,
                                finish,
                                rng.choice(CLOSE_REASONS),
                            )
                        else:
                            status, completed_at = ReferralStatus.COMPLETED, finish
        elif rng.random() < 0.03:
            status, closed_at, close_reason = ReferralStatus.CLOSED, now, rng.choice(CLOSE_REASONS)
        updated = closed_at or completed_at or started_at or accepted_at or declined_at or sent_at
        yield (
            case_id, participant_id, owner_id, to_id, service, status, province_id, False,
            "not_needed", "", decline_reason, close_reason, "", sent_at, accept_due, due,
            "generated", accepted_at, declined_at, started_at, completed_at, closed_at, updated,
        )  # fmt: skip


def generate_referrals(
    *,
    count: int,
    seed: int,
    span_days: int = 3 * 365,
    as_of: datetime.datetime | None = None,
    progress: bool = False,
) -> GeneratorRun:
    """Add `count` referrals to the victims of existing cases, then share each case with its
    receivers and rebuild the dashboard tallies. The same seed and as-of date give the same rows."""
    rng = random.Random(seed)
    now = as_of or timezone.now()
    victims = list(
        Participant.objects.filter(role="victim")
        .order_by("pk")
        .values_list("case_id", "pk", "case__province_id", "case__owning_agency_id")
    )
    if not victims:
        raise ValueError("No victims in the registry: run `ctip demo-data` first.")
    rows = _rows(rng, count, victims, now, span_days)
    first = next(rows, None)  # runs the generator's queries now, before COPY holds the line
    rows = itertools.chain([first] if first is not None else [], rows)
    if progress:
        from tqdm import tqdm

        rows = iter(tqdm(rows, total=count, unit="referral"))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            table = Referral._meta.db_table
            with connection.cursor() as cursor:
                with cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                shares_table = CaseShare._meta.db_table
                cursor.execute(
                    f"INSERT INTO {shares_table} (case_id, agency_id, reason, created_at) "
                    f"SELECT DISTINCT case_id, to_agency_id, 'referral', now() FROM {table} "
                    "ON CONFLICT (case_id, agency_id) DO NOTHING"
                )
                shares = cursor.rowcount
        else:
            batch: list[Referral] = []
            for row in rows:
                batch.append(Referral(**dict(zip(COLUMNS, row, strict=True))))
                if len(batch) >= 5000:
                    Referral.objects.bulk_create(batch)
                    batch = []
            Referral.objects.bulk_create(batch)
            pairs = set(Referral.objects.values_list("case_id", "to_agency_id"))
            created = CaseShare.objects.bulk_create(
                [CaseShare(case_id=c, agency_id=a, reason="referral") for c, a in pairs],
                ignore_conflicts=True,
            )
            shares = len(created)
        tallies_rebuild()
    return GeneratorRun(referrals=count, victims=len(victims), shares=shares)
