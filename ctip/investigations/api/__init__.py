"""REST endpoints of the investigations app under /api/v1/investigations/ (issue #17): a case's
records and connections, identifiers, organisations, compounds, alerts, sanctions hits, job
advertisements and FollowTheMoney imports. Decisions 0140/0141 (thin viewsets, strict input,
codes), 0700 (what an investigator reads), 0201 (masking)."""

from typing import Any

from .views import (
    AlertViewSet,
    CompoundViewSet,
    IdentifierUseViewSet,
    IdentifierViewSet,
    InvestigationCaseViewSet,
    OrganisationViewSet,
)
from .work import FtmImportViewSet, JobAdViewSet, SanctionsHitViewSet

PREFIX = "investigations"


def register(router: Any) -> None:
    """Add the investigations endpoints to the API router."""
    for path, viewset, basename in (
        ("cases", InvestigationCaseViewSet, "investigation-case"),
        ("identifiers", IdentifierViewSet, "investigation-identifier"),
        ("identifier-uses", IdentifierUseViewSet, "investigation-identifier-use"),
        ("organisations", OrganisationViewSet, "investigation-organisation"),
        ("compounds", CompoundViewSet, "investigation-compound"),
        ("alerts", AlertViewSet, "investigation-alert"),
        ("sanctions-hits", SanctionsHitViewSet, "investigation-hit"),
        ("job-ads", JobAdViewSet, "investigation-job-ad"),
        ("ftm-imports", FtmImportViewSet, "investigation-ftm-import"),
    ):
        router.register(f"{PREFIX}/{path}", viewset, basename=basename)
