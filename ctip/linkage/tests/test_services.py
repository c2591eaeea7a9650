"""Batch runs, review decisions and unmerging: identities group records and never alter them."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ctip.audit.models import AuditEvent
from ctip.linkage import services
from ctip.linkage.choices import Decision, LinkSource, RunStatus
from ctip.linkage.models import Candidate, Identity, IdentityMember, Link, TrainedModel
from ctip.registry import services as registry
from ctip.registry.models import Person

from .conftest import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("trained")]


def test_run_links_the_same_person_and_keeps_the_records(three: Any) -> None:
    first, second, other = three
    before = [snapshot(p) for p in three]
    run = services.linkage_run(reason="test")
    assert run.status == RunStatus.DONE
    assert run.records == 3
    assert run.accepted == 1
    member_a = IdentityMember.objects.get(person=first)
    member_b = IdentityMember.objects.get(person=second)
    assert member_a.identity_id == member_b.identity_id
    assert not IdentityMember.objects.filter(person=other).exists()
    assert [snapshot(p) for p in three] == before
    assert TrainedModel.objects.filter(run=run).exists()
    event = AuditEvent.objects.filter(object_type="linkage.linkagerun").latest("sequence")
    assert event.detail["accepted"] == 1


def test_run_stores_ids_scores_and_patterns_only(three: Any) -> None:
    services.linkage_run()
    link = Link.objects.get()
    stored = f"{link.pattern} {link.probability}"
    for secret in ("Sokha", "Chan", "2008-05-17"):
        assert secret not in stored


def test_unmerge_restores_exactly_what_was_there(three: Any, reviewer: Any) -> None:
    _first, second, _other = three
    services.linkage_run()
    before = [snapshot(p) for p in three]
    links = services.person_unmerge(actor=reviewer, person=second, reason="Different mothers")
    assert len(links) == 1
    assert not IdentityMember.objects.exists()
    assert not Identity.objects.exists()
    assert [snapshot(p) for p in three] == before
    link = Link.objects.get()
    assert link.undone_by == reviewer and link.undo_reason == "Different mothers"
    # A later run does not link them again: the undone link is a "different" label.
    run = services.linkage_run()
    assert run.accepted == 0
    assert not IdentityMember.objects.exists()


def test_unmerge_of_a_bridge_keeps_the_rest_together(three: Any, reviewer: Any) -> None:
    first, second, other = three
    services.linkage_run()
    identity = IdentityMember.objects.get(person=first).identity_id
    # A reviewer ties the third record to the second by hand.
    Candidate.objects.create(
        person_a=second,
        person_b=other,
        probability=0.7,
        fingerprint=services.pair_fingerprint(second.pk, other.pk),
    )
    candidate = Candidate.objects.get(person_b=other)
    services.candidate_decide(
        actor=reviewer,
        candidate=candidate,
        decision=Decision.SAME,
        fingerprint=candidate.fingerprint,
    )
    assert set(IdentityMember.objects.values_list("identity_id", flat=True)) == {identity}
    assert IdentityMember.objects.count() == 3
    services.person_unmerge(actor=reviewer, person=other, reason="Not the same man")
    assert set(IdentityMember.objects.values_list("person_id", flat=True)) == {first.pk, second.pk}
    assert set(IdentityMember.objects.values_list("identity_id", flat=True)) == {identity}


def test_unmerge_needs_a_reason_and_a_reviewer(three: Any, reviewer: Any, police: Any) -> None:
    services.linkage_run()
    with pytest.raises(ValidationError) as error:
        services.person_unmerge(actor=reviewer, person=three[0], reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        services.person_unmerge(actor=police, person=three[0], reason="why not")
    assert IdentityMember.objects.count() == 2
    assert AuditEvent.objects.filter(action="denied", detail__wanted="unmerge").exists()


def _queued(first: Person, second: Person) -> Candidate:
    a, b = sorted([first.pk, second.pk])
    return Candidate.objects.create(
        person_a_id=a,
        person_b_id=b,
        probability=0.8,
        pattern={"given": "close spelling"},
        fingerprint=services.pair_fingerprint(a, b),
    )


def test_decision_same_links_and_is_audited(three: Any, reviewer: Any) -> None:
    first, _second, other = three
    candidate = _queued(first, other)
    services.candidate_decide(
        actor=reviewer,
        candidate=candidate,
        decision=Decision.SAME,
        fingerprint=candidate.fingerprint,
    )
    link = Link.objects.get()
    assert link.source == LinkSource.REVIEW and link.created_by == reviewer
    assert IdentityMember.objects.count() == 2
    event = AuditEvent.objects.filter(object_type="linkage.candidate").latest("sequence")
    assert event.changes == {"decision": ["pending", "same"]}


def test_decision_on_a_pair_that_changed_is_refused(three: Any, reviewer: Any, police: Any) -> None:
    first, _second, other = three
    candidate = _queued(first, other)
    shown = candidate.fingerprint
    registry.person_update(actor=police, person=other, phone="012 345 678")
    with pytest.raises(ValidationError) as error:
        services.candidate_decide(
            actor=reviewer, candidate=candidate, decision=Decision.SAME, fingerprint=shown
        )
    assert "changed" in str(error.value)
    candidate.refresh_from_db()
    assert candidate.decision == Decision.PENDING
    assert not Link.objects.exists()
    assert AuditEvent.objects.filter(action="denied", detail__why="changed").exists()


def test_decision_twice_and_by_a_non_reviewer_are_refused(
    three: Any, reviewer: Any, police: Any
) -> None:
    first, _second, other = three
    candidate = _queued(first, other)
    with pytest.raises(PermissionDenied):
        services.candidate_decide(
            actor=police,
            candidate=candidate,
            decision=Decision.SAME,
            fingerprint=candidate.fingerprint,
        )
    services.candidate_decide(
        actor=reviewer,
        candidate=candidate,
        decision=Decision.DIFFERENT,
        fingerprint=candidate.fingerprint,
    )
    with pytest.raises(ValidationError):
        services.candidate_decide(
            actor=reviewer,
            candidate=candidate,
            decision=Decision.SAME,
            fingerprint=candidate.fingerprint,
        )
    assert not Link.objects.exists()


def test_decisions_are_labels_for_the_next_training(
    three: Any, reviewer: Any, trained: dict[str, Any]
) -> None:
    first, _second, other = three
    candidate = _queued(first, other)
    services.candidate_decide(
        actor=reviewer,
        candidate=candidate,
        decision=Decision.SAME,
        fingerprint=candidate.fingerprint,
    )
    services.linkage_run()
    a, b = sorted([first.pk, other.pk])
    assert (str(a), str(b), True) in trained["labels"]
    assert len(trained["records"]) == 3
    # Decrypted only in memory: the run trained on the names themselves.
    assert {r["given_norm"] for r in trained["records"]} >= {"sokha", "vuthy"}


def test_a_model_of_an_older_schema_is_as_if_none_were_trained(three: Any) -> None:
    """Its levels of the date of birth are not the ones the scorer finds now: the check waits
    for the next run instead of scoring with the wrong weights."""
    import json

    from ctip.linkage.selectors import current_model

    run = services.linkage_run()
    stored = TrainedModel.objects.get(run=run)
    assert current_model() is not None
    old = json.loads(stored.parameters)
    old["schema"] = "ctip-linkage/1"
    stored.parameters = json.dumps(old)
    stored.save()
    assert current_model() is None
