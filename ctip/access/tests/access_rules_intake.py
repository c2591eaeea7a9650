"""Access rules of the intake app's pages (joined into access_rules.ACCESS_RULES).

The public report pages answer everyone, signed in or not. The triage pages are for the
intake team (role intake_officer); a matter assigned to an agency, and its reports, are also
open to that agency's case officers and supervisors (every role of the test world works in
PAHT-12, where the matter is assigned). Anyone else gets 404: forbidden and unknown look alike.
"""

from typing import Any

from .access_rules import LOGIN, NOT_FOUND, OK, REDIRECT, Rule, by_role, everyone

INTAKE = "intake_officer"
ASSIGNED = ("case_officer", "supervisor")


def _matter(world: Any) -> Any:
    """A matter of two public reports, assigned to PAHT-12 (made in each request's savepoint)."""
    from ctip.access.models import Agency
    from ctip.intake import services

    officer = world.actors[INTAKE]
    # Recorded by the team (the public form's global limit would refuse hundreds a minute).
    reports = [
        services.report_record(
            actor=officer,
            channel="hotline",
            language="km",
            data=services.ReportInput(what=f"Held in a compound ({n})"),
        ).report
        for n in range(2)
    ]
    matter = services.matter_create(actor=officer, reports=reports, title="Compound")
    services.matter_assign(actor=officer, matter=matter, agency=Agency.objects.get(code="PAHT-12"))
    return matter


def _new_report(world: Any, role: str, relation: str) -> dict[str, Any]:
    from ctip.intake import services

    data = services.ReportInput(what="Workers locked in")
    recorded = services.report_record(
        actor=world.actors[INTAKE], channel="hotline", language="en", data=data
    )
    return {"pk": recorded.report.pk}


def _assigned_report(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": _matter(world).reports.first().pk}


def _assigned_matter(world: Any, role: str, relation: str) -> dict[str, Any]:
    return {"pk": _matter(world).pk}


def rules() -> dict[str, Rule]:
    team_only = by_role(NOT_FOUND, anonymous=LOGIN, **{INTAKE: OK})
    team_and_assigned = by_role(
        NOT_FOUND, anonymous=LOGIN, **dict.fromkeys((INTAKE, *ASSIGNED), OK)
    )
    lang = lambda w, role, rel: {"lang": "km"}  # noqa: E731
    return {
        # The public door: the same for everyone, signed in or not.
        "intake:public-start": Rule(everyone(REDIRECT)),
        "intake:public-report": Rule(everyone(OK), args=lang),
        "intake:public-follow-up": Rule(everyone(OK), args=lang),
        "intake:public-about": Rule(everyone(OK), args=lang),
        # The intake team's pages.
        "intake:queue": Rule(team_only),
        "intake:record": Rule(team_only),
        "intake:matter-list": Rule(team_only),
        "intake:report-detail": Rule(team_only, args=_new_report),
        "intake:matter-detail": Rule(team_and_assigned, args=_assigned_matter),
        # A report of an assigned matter: its agency reads it; writing to the reporter is the
        # team's (others who see the report are sent back to it with the refusal).
        "intake:report-action": Rule(
            by_role(
                NOT_FOUND,
                anonymous=LOGIN,
                **dict.fromkeys((INTAKE, *ASSIGNED), REDIRECT),
            ),
            args=lambda w, role, rel: {**_assigned_report(w, role, rel), "action": "message"},
            method="post",
            data=lambda w, role, rel: {"body": "Can you tell us which floor?"},
        ),
        # Deciding: the team and the assigned agency's officers.
        "intake:matter-action": Rule(
            by_role(
                NOT_FOUND,
                anonymous=LOGIN,
                **dict.fromkeys((INTAKE, *ASSIGNED), REDIRECT),
            ),
            args=lambda w, role, rel: {**_assigned_matter(w, role, rel), "action": "decide"},
            method="post",
            data=lambda w, role, rel: {"outcome": "not_actionable", "reason": "insufficient"},
        ),
    }
