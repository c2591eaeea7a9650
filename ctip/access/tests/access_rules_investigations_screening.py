"""Access rules of the investigations app's sanctions, job-advertisement and FollowTheMoney
exchange pages (joined into access_rules.ACCESS_RULES).

Investigators, case officers and supervisors use the pages; everyone else gets 404 (the pages
do not exist for them). A hit on a suspect is read where the suspect's case is owned by or
shared with the reader's agency (not referred: a referral shares a victim, not the suspects);
an advertisement in a case follows the investigations app's case rule. Only investigators
screen again (others are sent back with the refusal).
"""

from typing import Any

from .access_rules import (
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Rule,
    by_role,
)

USERS = ("investigator", "case_officer", "supervisor")
HIT_RELATIONS = {"own", "shared"}
# A referral opens none of a case's investigation records (access_rules_investigations.py).
AD_RELATIONS = {"own", "shared"}


def _in(relations: set[str]) -> Any:
    def expect(role: str, relation: str) -> Any:
        if role == "anonymous":
            return LOGIN
        return OK if role in USERS and relation in relations else NOT_FOUND

    return expect


def _watch_list() -> Any:
    from ctip.investigations.sanctions.models import WatchList

    found, _ = WatchList.objects.get_or_create(name="Access test list", defaults={"version": 1})
    return found


def _hit(world: Any, role: str, relation: str) -> dict[str, Any]:
    """A pending hit on the suspect of the (role, relation) case."""
    from ctip.investigations.sanctions.models import ListedEntity, ScreeningHit

    entity, _ = ListedEntity.objects.get_or_create(
        watch_list=_watch_list(),
        ftm_id="access-test",
        defaults={"schema": "Person", "caption": "Chhoeun Suspect", "names": ["Chhoeun"]},
    )
    hit, _ = ScreeningHit.objects.get_or_create(
        entity=entity,
        person=world.at(role, relation).suspect,
        defaults={
            "subject_kind": "person",
            "score": 0.9,
            "listed_name": "Chhoeun Suspect",
            "list_version": 1,
        },
    )
    return {"pk": hit.pk}


def _list(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": _watch_list().pk}


def _ad(world: Any, role: str, relation: str) -> dict[str, Any]:
    from ctip.investigations.models import JobAd

    case = world.case(role, relation)
    ad, _ = JobAd.objects.get_or_create(
        case=case,
        agency=case.owning_agency,
        defaults={"text": "High salary, no experience needed. Telegram @hr_access"},
    )
    return {"pk": ad.pk}


def rules() -> dict[str, Rule]:
    page = by_role(NOT_FOUND, anonymous=LOGIN, **dict.fromkeys(USERS, OK))
    return {
        "investigations:sanctions": Rule(page),
        "investigations:sanctions-hit": Rule(_in(HIT_RELATIONS), args=_hit),
        "investigations:sanctions-screen": Rule(
            by_role(NOT_FOUND, anonymous=LOGIN, **dict.fromkeys(USERS, REDIRECT)),
            args=_list,
            method="post",
        ),
        "investigations:ads": Rule(page),
        # The FollowTheMoney exchange: the page, and the download of every visible case.
        "investigations:ftm": Rule(page),
        "investigations:ftm-export": Rule(page),
        # Packages to and from partner countries are posted; a plain GET goes back to the page.
        "investigations:ftm-package": Rule(
            by_role(NOT_FOUND, anonymous=LOGIN, **dict.fromkeys(USERS, REDIRECT))
        ),
        # The packages sent and received (the audit's), for the cases each user sees.
        "investigations:packages": Rule(page),
        "investigations:ad": Rule(_in(AD_RELATIONS), args=_ad),
    }
