"""Every write of the linkage app: accepting and undoing links, review decisions, batch runs.

Person records are only ever read here. Each service runs in one transaction and is audited;
refusals are audited too (audited_atomic keeps their event through the rollback).
"""

import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ctip.access.choices import Role
from ctip.access.policies import actor_scope
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record, audited_atomic, refusal
from ctip.registry.choices import ParticipantRole
from ctip.registry.models import Person

from . import engine_api, identities, records
from .choices import Decision, LinkSource, RunStatus
from .models import (
    Candidate,
    IdentityMember,
    Link,
    LinkageRun,
    MatchingAgreement,
    TrainedModel,
)

REASON_MAX = 500


def thresholds() -> tuple[float, float]:
    """(lower, upper): pairs at or above `upper` are accepted, the band between is reviewed."""
    return settings.CTIP_LINKAGE_LOWER, settings.CTIP_LINKAGE_UPPER


def may_review(actor: Any) -> bool:
    return actor_scope(actor).has_role(Role.LINKAGE_REVIEWER)


def _require_reviewer(actor: Any, *, wanted: str, obj: Any = None) -> None:
    if not may_review(actor):
        raise refusal(
            PermissionDenied(_("Only linkage reviewers may do this.")),
            actor=actor,
            action=AuditAction.DENIED,
            obj=obj,
            object_type="" if obj is not None else "linkage.candidate",
            detail={"wanted": wanted},
        )


def ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


# --- what a decision was made on -------------------------------------------------------------


def _states(person_ids: list[int]) -> dict[int, str]:
    """A short statement of each record as it stands: when it last changed, how many documents
    it has and which identity it is in. Any change to these changes the fingerprint."""
    rows = (
        Person.objects.filter(pk__in=person_ids)
        .annotate(documents_count=Count("documents"))
        .values_list("pk", "updated_at", "documents_count")
    )
    groups = dict(
        IdentityMember.objects.filter(person_id__in=person_ids).values_list(
            "person_id", "identity_id"
        )
    )
    return {
        pk: f"{pk}:{updated.isoformat()}:{docs}:{groups.get(pk, 0)}" for pk, updated, docs in rows
    }


def _fingerprint(states: dict[int, str], a: int, b: int) -> str:
    return hashlib.sha256(f"{states.get(a, '')}|{states.get(b, '')}".encode()).hexdigest()


def pair_fingerprint(a: int, b: int) -> str:
    """The fingerprint of the pair now; a decision is taken only on the one it was shown."""
    return _fingerprint(_states([a, b]), a, b)


# --- links and identities --------------------------------------------------------------------


def _link_create(
    *,
    actor: Any,
    a: int,
    b: int,
    source: str,
    probability: float | None = None,
    pattern: dict[str, Any] | None = None,
    run: LinkageRun | None = None,
) -> Link:
    first, second = ordered(a, b)
    link = Link.objects.create(
        person_a_id=first,
        person_b_id=second,
        source=source,
        probability=probability,
        pattern=pattern or {},
        run=run,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return link


@audited_atomic
def candidate_decide(
    *, actor: Any, candidate: Candidate, decision: str, fingerprint: str
) -> Candidate:
    """A reviewer's decision on a pair: same person (linked at once), different, or not sure.

    Refused when the pair was decided already or changed since it was shown (the fingerprint
    the reviewer saw is not the pair's now): the decision would be about other records.
    """
    locked = Candidate.objects.select_for_update().filter(pk=candidate.pk).first()
    _require_reviewer(actor, wanted=f"decide:{decision}", obj=locked or candidate)
    if locked is None:
        raise ValidationError({"decision": [_("This pair is no longer in the queue.")]})
    if decision not in (Decision.SAME, Decision.DIFFERENT, Decision.UNSURE):
        raise ValidationError({"decision": [_("Choose same person, different or not sure.")]})
    if locked.decision != Decision.PENDING:
        raise refusal(
            ValidationError(
                {
                    "decision": [
                        _("This pair was decided already (%(d)s).")
                        % {"d": locked.get_decision_display()}
                    ]
                }
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=locked,
            detail={"wanted": decision, "why": "decided"},
        )
    now = pair_fingerprint(locked.person_a_id, locked.person_b_id)
    if fingerprint != locked.fingerprint or now != locked.fingerprint:
        raise refusal(
            ValidationError(
                {
                    "decision": [
                        _(
                            "These records changed after the pair was scored, so the decision "
                            "was not applied. The next linkage run scores them again."
                        )
                    ]
                }
            ),
            actor=actor,
            action=AuditAction.DENIED,
            obj=locked,
            detail={"wanted": decision, "why": "changed"},
        )
    locked.decision = decision
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["decision", "decided_by", "decided_at"])
    detail: dict[str, Any] = {
        "a": locked.person_a_id,
        "b": locked.person_b_id,
        "probability": round(locked.probability, 4),
    }
    if decision == Decision.SAME:
        link = _link_create(
            actor=actor,
            a=locked.person_a_id,
            b=locked.person_b_id,
            source=LinkSource.REVIEW,
            probability=locked.probability,
            pattern=locked.pattern,
        )
        identities.regroup([locked.person_a_id, locked.person_b_id])
        detail["link"] = link.pk
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"decision": [Decision.PENDING.value, decision]},
        detail=detail,
    )
    return locked


@audited_atomic
def person_unmerge(*, actor: Any, person: Person, reason: str) -> list[Link]:
    """Take a record out of its identity: every link in force that ties it to others is undone
    (kept, with the reason), the rest of the identity regrouped from its remaining links.

    The person records are untouched; undone links count as "different" for the next
    training and are never accepted again by a run.
    """
    _require_reviewer(actor, wanted="unmerge", obj=person)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the records are not the same person.")]})
    if len(reason) > REASON_MAX:
        raise ValidationError(
            {"reason": [_("Keep the reason under %(n)d characters.") % {"n": REASON_MAX}]}
        )
    before = identities.component_of([person.pk])
    links = list(
        Link.objects.select_for_update().filter(
            Q(person_a=person) | Q(person_b=person), undone_at__isnull=True
        )
    )
    if not links:
        raise ValidationError({"reason": [_("This record is not part of an identity.")]})
    now = timezone.now()
    for link in links:
        link.undone_at = now
        link.undone_by = actor
        link.undo_reason = reason
    Link.objects.bulk_update(links, ["undone_at", "undone_by", "undo_reason"])
    identities.regroup(before)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=person,
        object_type="linkage.identity",
        detail={
            "unmerged": person.pk,
            "links_undone": sorted(link.pk for link in links),
            "reason": reason,
        },
    )
    return links


# --- batch resolution ------------------------------------------------------------------------


def _labels() -> list[tuple[str, str, bool]]:
    """Reviewers' decisions as training labels: (record, record, same person?)."""
    labels: list[tuple[str, str, bool]] = []
    decided = Candidate.objects.filter(decision__in=[Decision.SAME, Decision.DIFFERENT])
    for a, b, decision in decided.values_list("person_a_id", "person_b_id", "decision"):
        labels.append((records.record_id(a), records.record_id(b), decision == Decision.SAME))
    undone = Link.objects.filter(undone_at__isnull=False).values_list("person_a_id", "person_b_id")
    labels += [(records.record_id(a), records.record_id(b), False) for a, b in undone]
    return labels


def _refused_pairs() -> set[tuple[int, int]]:
    """Pairs a person said are different (decided so, or a link undone): never linked again."""
    refused = set(
        Candidate.objects.filter(decision=Decision.DIFFERENT).values_list(
            "person_a_id", "person_b_id"
        )
    )
    refused |= set(
        Link.objects.filter(undone_at__isnull=False).values_list("person_a_id", "person_b_id")
    )
    return refused


def linkage_run(
    *,
    actor: Any = None,
    reason: str = "",
    on_progress: Callable[[str], None] | None = None,
) -> LinkageRun:
    """Train on the registry, score candidate pairs, link above the upper threshold, queue the
    band between the thresholds for review. Records are decrypted in this process only; what
    is stored is record ids, probabilities and agreement patterns."""
    lower, upper = thresholds()
    run = LinkageRun.objects.create(lower=lower, upper=upper, reason=reason[:200])
    say = on_progress or (lambda step: None)
    try:
        say("read")
        # Rows stream from the registry's cursor into the engine's table a batch at a time.
        rows = engine_api.record_table(records.person_rows())
        run.records = rows.num_rows
        if rows.num_rows < 2:
            return _finish(run, actor, RunStatus.SKIPPED, _("Fewer than two person records."))
        say("train")
        model = engine_api.train(rows, labels=_labels(), backend=settings.CTIP_LINKAGE_BACKEND)
        say("predict")
        pairs = engine_api.predict(model, rows, threshold=lower)
        del rows
        say("save")
        _apply_pairs(run=run, actor=actor, model=model, pairs=pairs, lower=lower, upper=upper)
    except Exception as error:  # recorded on the run, then raised for the caller or worker
        _finish(run, actor, RunStatus.FAILED, f"{type(error).__name__}: {error}"[:500])
        raise
    return _finish(run, actor, RunStatus.DONE, "")


@audited_atomic
def _apply_pairs(
    *, run: LinkageRun, actor: Any, model: Any, pairs: list[Any], lower: float, upper: float
) -> None:
    refused = _refused_pairs()
    in_force = set(identities.links_in_force())
    scored = []
    for pair in pairs:
        key = ordered(records.person_id(pair.a), records.person_id(pair.b))
        if key not in refused and key[0] != key[1]:
            scored.append((key, float(pair.probability), dict(pair.pattern or {})))
    run.pairs = len(scored)
    accepted = [item for item in scored if item[1] >= upper]
    clusters = engine_api.cluster(
        [
            engine_api.pair(records.record_id(a), records.record_id(b), 1.0)
            for a, b in in_force | {key for key, _p, _pattern in accepted}
        ],
        threshold=upper,
    )
    new_links = [
        Link(
            person_a_id=key[0],
            person_b_id=key[1],
            source=LinkSource.RUN,
            probability=probability,
            pattern=pattern,
            run=run,
        )
        for key, probability, pattern in accepted
        if key not in in_force
    ]
    Link.objects.bulk_create(new_links, batch_size=2000)
    run.accepted = len(new_links)
    identities.regroup()
    group_of = dict(IdentityMember.objects.values_list("person_id", "identity_id"))
    # The engine's clusters and the regrouped identities are the same partition; saying so
    # here catches a regrouping fault before anyone counts identities.
    for cluster in clusters:
        ids = {group_of.get(records.person_id(r)) for r in cluster}
        if len(cluster) > 1 and (len(ids) != 1 or None in ids):
            raise RuntimeError("identities disagree with the engine's clusters")
    decided = set(
        Candidate.objects.exclude(
            decision__in=[Decision.PENDING, Decision.SUPERSEDED, Decision.UNSURE]
        ).values_list("person_a_id", "person_b_id")
    )
    Candidate.objects.filter(decision=Decision.PENDING).update(decision=Decision.SUPERSEDED)
    band = [
        item
        for item in scored
        if lower <= item[1] < upper
        and item[0] not in decided
        and not (group_of.get(item[0][0]) and group_of.get(item[0][0]) == group_of.get(item[0][1]))
    ]
    states = _states(sorted({p for key, _p, _pat in band for p in key}))
    Candidate.objects.bulk_create(
        [
            Candidate(
                person_a_id=key[0],
                person_b_id=key[1],
                probability=probability,
                pattern=pattern,
                fingerprint=_fingerprint(states, *key),
                run=run,
            )
            for key, probability, pattern in band
        ],
        batch_size=2000,
    )
    run.queued = len(band)
    TrainedModel.objects.create(run=run, parameters=model.to_json())


def _finish(run: LinkageRun, actor: Any, status: str, message: str) -> LinkageRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    run.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=run,
        detail={
            "status": status,
            "records": run.records,
            "pairs": run.pairs,
            "accepted": run.accepted,
            "queued": run.queued,
        },
    )
    return run


def agreement_record(
    *,
    actor: Any,
    partner: str,
    roles: list[str],
    nationalities: list[str],
    cases_from: Any,
    cases_until: Any,
    in_force_until: Any,
    reference: str,
) -> MatchingAgreement:
    """Record (or replace) the agreement with a partner that `linkage encode` obeys; audited.
    Bad values are refused by field, nothing saved."""
    partner = (partner or "").strip()
    errors: dict[str, list[str]] = {}
    if not partner:
        errors["partner"] = [_("Name the partner.")]
    known_roles = set(ParticipantRole.values)
    if not roles or not set(roles) <= known_roles:
        errors["roles"] = [
            _("Give one or more roles among: %(roles)s.")
            % {"roles": ", ".join(sorted(known_roles))}
        ]
    nationalities = [code.strip().upper() for code in nationalities if code.strip()]
    if any(len(code) != 3 or not code.isalpha() for code in nationalities):
        errors["nationalities"] = [_("Give nationalities as three-letter codes (THA, VNM).")]
    if cases_from is None:
        errors["cases_from"] = [_("Give the first day of the cases the agreement covers.")]
    elif cases_until is not None and cases_until < cases_from:
        errors["cases_until"] = [_("The end of the period is before its start.")]
    if in_force_until is None:
        errors["in_force_until"] = [_("Give the day the agreement ends.")]
    if not (reference or "").strip():
        errors["reference"] = [_("Give the reference of the signed agreement.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        agreement, created = MatchingAgreement.objects.update_or_create(
            partner=partner,
            defaults={
                "roles": sorted(set(roles)),
                "nationalities": sorted(set(nationalities)),
                "cases_from": cases_from,
                "cases_until": cases_until,
                "in_force_until": in_force_until,
                "reference": reference.strip(),
                "created_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            obj=agreement,
            detail={
                "partner": partner,
                "roles": agreement.roles,
                "nationalities": agreement.nationalities,
                "cases_from": cases_from.isoformat(),
                "cases_until": cases_until.isoformat() if cases_until else None,
                "in_force_until": in_force_until.isoformat(),
            },
        )
    return agreement
