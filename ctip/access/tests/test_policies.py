"""Who sees which case: the one rule in access.policies, checked role by role."""

import pytest

from ctip.access.actors import COMMAND_LINE
from ctip.access.models import Agency
from ctip.access.policies import actor_scope, forget_scope
from ctip.registry import selectors, services
from ctip.registry.tests.helpers import new_case
from ctip.stats.selectors import may_aggregate_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_member):
    officer = make_member("case_officer", "PAHT-12", username="owner")
    return new_case(officer, agency_code="PAHT-12", province_code="KH-12")


def visible(user, case) -> bool:
    return selectors.case_list(actor=user).filter(pk=case.pk).exists()


def test_owning_agency_sees_its_case(case, make_member):
    assert visible(make_member("case_officer", "PAHT-12"), case)


def test_other_agency_in_other_province_does_not(case, make_member):
    assert not visible(make_member("case_officer", "PAHT-18"), case)


def test_sharing_opens_the_case_to_the_other_agency(case, make_member):
    outsider = make_member("case_officer", "DOSVY-12")
    assert not visible(outsider, case)
    services.case_share(
        actor=case.created_by, case=case, agency=Agency.objects.get(code="DOSVY-12")
    )
    assert visible(outsider, case)


def test_supervisor_above_the_owner_sees_it_and_officer_above_does_not(case, make_member):
    # PAHT-12's parent is the national anti-trafficking department AHTJP.
    assert visible(make_member("supervisor", "AHTJP"), case)
    assert not visible(make_member("case_officer", "AHTJP"), case)


def test_province_committee_sees_cases_in_its_province_only(case, make_member):
    assert visible(make_member("case_officer", "PCCT-12"), case)
    assert not visible(make_member("case_officer", "PCCT-18"), case)


@pytest.mark.parametrize("role", ["analyst", "auditor", "administrator"])
def test_roles_without_record_rights_see_no_rows(case, make_member, role):
    assert not visible(make_member(role, "NCCT"), case)


def test_user_without_membership_sees_nothing(case, django_user_model):
    nobody = django_user_model.objects.create_user(username="nobody", password="x-long-password")
    assert selectors.case_list(actor=nobody).count() == 0


def test_deactivated_membership_removes_access(case, make_member):
    officer = make_member("case_officer", "PAHT-12")
    assert visible(officer, case)
    officer.memberships.update(is_active=False)
    forget_scope(officer)
    assert not visible(officer, case)


def test_only_a_supervisor_may_close(case, make_member):
    officer = make_member("case_officer", "PAHT-12")
    supervisor = make_member("supervisor", "PAHT-12")
    assert not selectors.case_can(actor=officer, case=case, action="close")
    assert selectors.case_can(actor=supervisor, case=case, action="close")


def test_moving_an_agency_in_the_tree_changes_supervisors_scope_at_once(case, make_member):
    """The agency tree is cached per process; an edit clears it (ctip/reference/apps.py)."""
    owner = Agency.objects.get(code="PAHT-12")
    supervisor = make_member("supervisor", "MOSVY")  # not above the police bureau
    assert not visible(supervisor, case)
    former_parent = owner.parent
    owner.parent = Agency.objects.get(code="MOSVY")
    owner.save()
    forget_scope(supervisor)  # a new request: the scope is worked out again
    assert visible(supervisor, case)
    owner.parent = former_parent
    owner.save()
    forget_scope(supervisor)
    assert not visible(supervisor, case)


def test_actions_said_to_share_the_view_rule_select_the_same_cases(case, make_member):
    from ctip.access.choices import Action
    from ctip.access.policies import restrict, same_rule_as_view
    from ctip.registry.models import Case

    # A referral opens a case for reading only, so no other action shares VIEW's rule.
    assert same_rule_as_view(Action.VIEW)
    assert not any(same_rule_as_view(a) for a in (Action.CHANGE, Action.CLOSE, Action.SHARE))
    services.case_share(
        actor=case.created_by, case=case, agency=Agency.objects.get(code="DOSVY-12")
    )
    for role, agency in [
        ("case_officer", "PAHT-12"),
        ("case_officer", "DOSVY-12"),
        ("supervisor", "AHTJP"),
        ("case_officer", "PCCT-12"),
        ("ngo_partner", "NGO-CWCC"),
    ]:
        actor = make_member(role, agency)
        view = set(restrict(Case.objects.all(), actor, Action.VIEW).values_list("pk", flat=True))
        change = set(
            restrict(Case.objects.all(), actor, Action.CHANGE).values_list("pk", flat=True)
        )
        assert view == change, (role, agency)


def test_the_command_line_operator_sees_every_case_through_the_one_rule(case):
    """Commands act as access.actors.COMMAND_LINE: actor_scope gives it the superuser's
    scope, so every rule built on it (case lists, aggregates) opens everything, with no
    check of the actor's class anywhere else."""
    assert actor_scope(COMMAND_LINE).is_superuser
    assert visible(COMMAND_LINE, case)
    assert may_aggregate_all(COMMAND_LINE)
