"""What the registry's viewsets share: the base viewset, lookups of records a request names."""

from typing import Any

from ctip.api.base import SelectorViewSet, resolve

from .. import selectors
from ..models import (
    Case,
    Person,
)

# --- endpoints -----------------------------------------------------------------------------


class RegistryViewSet(SelectorViewSet):
    lookup_value_converter = "int"

    def _ctx(self) -> dict[str, Any]:
        """Serializer context: sensitive fields are masked for the requesting user."""
        return {"actor": self.request.user}


def case_of(actor: Any, pk: int | str) -> Case:
    return selectors.case_get(actor=actor, pk=int(pk))


def person_of(actor: Any, field: str, pk: int) -> Person:
    return resolve(field, lambda: selectors.person_get(actor=actor, pk=pk))


def case_in_payload(actor: Any, pk: int) -> Case:
    return resolve("case", lambda: selectors.case_get(actor=actor, pk=pk))
