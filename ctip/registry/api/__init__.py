"""REST API of the case registry: serializers that parse and render, viewsets that stay thin.

Every read goes through `selectors` with the acting user and every write through `services`;
serializers here only check the shape of a payload and render records. Records from reference
tables (provinces, countries, agencies) are named by their codes in both directions, so a
client can send back what it read. Schema help texts are developer documentation in English,
like the docstrings the schema shows; error messages, which users of clients see, are
translated.
"""

from .casefile import (
    ArrestViewSet,
    EventViewSet,
    ParticipantViewSet,
    ProceedingViewSet,
    VictimProfileViewSet,
)
from .cases import CaseViewSet, PersonViewSet
from .fields import PAGING_PARAMS
from .inputs import (
    CLOSING_STATUS_CHOICES,
    ArrestCreateSerializer,
    CaseCloseSerializer,
    CaseCreateSerializer,
    CaseListQuery,
    CaseShareResultSerializer,
    CaseShareSerializer,
    CaseUpdateSerializer,
    DocumentCreateSerializer,
    EventCreateSerializer,
    ParticipantCreateSerializer,
    PersonCreateSerializer,
    PersonSearchQuery,
    PersonSearchResultSerializer,
    PersonWriteSerializer,
    ProceedingCreateSerializer,
    ProceedingUpdateSerializer,
    VictimProfileCreateSerializer,
    VictimProfileWriteSerializer,
)
from .routes import ROUTES
from .serializers import (
    ArrestSerializer,
    CaseFileSerializer,
    CaseListItemSerializer,
    EventSerializer,
    IdentityDocumentSerializer,
    ParticipantSerializer,
    PersonCaseSerializer,
    PersonSerializer,
    PersonSummarySerializer,
    ProceedingSerializer,
    VictimProfileSerializer,
)

__all__ = [
    "CLOSING_STATUS_CHOICES",
    "PAGING_PARAMS",
    "ROUTES",
    "ArrestCreateSerializer",
    "ArrestSerializer",
    "ArrestViewSet",
    "CaseCloseSerializer",
    "CaseCreateSerializer",
    "CaseFileSerializer",
    "CaseListItemSerializer",
    "CaseListQuery",
    "CaseShareResultSerializer",
    "CaseShareSerializer",
    "CaseUpdateSerializer",
    "CaseViewSet",
    "DocumentCreateSerializer",
    "EventCreateSerializer",
    "EventSerializer",
    "EventViewSet",
    "IdentityDocumentSerializer",
    "ParticipantCreateSerializer",
    "ParticipantSerializer",
    "ParticipantViewSet",
    "PersonCaseSerializer",
    "PersonCreateSerializer",
    "PersonSearchQuery",
    "PersonSearchResultSerializer",
    "PersonSerializer",
    "PersonSummarySerializer",
    "PersonViewSet",
    "PersonWriteSerializer",
    "ProceedingCreateSerializer",
    "ProceedingSerializer",
    "ProceedingUpdateSerializer",
    "ProceedingViewSet",
    "VictimProfileCreateSerializer",
    "VictimProfileSerializer",
    "VictimProfileViewSet",
    "VictimProfileWriteSerializer",
]
