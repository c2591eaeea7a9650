"""The registry API's routes, registered by ctip.api.urls under /api/v1/."""

from rest_framework import viewsets

from .casefile import (
    ArrestViewSet,
    EventViewSet,
    ParticipantViewSet,
    ProceedingViewSet,
    VictimProfileViewSet,
)
from .cases import CaseViewSet, PersonViewSet

# Routes, registered by ctip.api.urls under /api/v1/.
ROUTES: list[tuple[str, type[viewsets.GenericViewSet], str]] = [
    ("cases", CaseViewSet, "case"),
    ("persons", PersonViewSet, "person"),
    ("participants", ParticipantViewSet, "participant"),
    ("victim-profiles", VictimProfileViewSet, "victim-profile"),
    ("events", EventViewSet, "event"),
    ("arrests", ArrestViewSet, "arrest"),
    ("proceedings", ProceedingViewSet, "proceeding"),
]
