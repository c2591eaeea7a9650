"""Forms of the case registry pages: they parse and check shapes; the services decide the rest."""

from .casefile import (
    ArrestForm,
    EventForm,
    PersonChoiceField,
    ProceedingForm,
    VictimProfileForm,
    case_persons,
    show_names_to,
)
from .cases import OPEN_STATUS_CHOICES, SORT_CHOICES, CaseCloseForm, CaseFilterForm, CaseForm
from .fields import (
    BLANK,
    CodeListField,
    DateInput,
    FastSelect,
    LabelledModelChoiceField,
    LabelledModelMultipleChoiceField,
    PickListSelect,
    ReferenceChoiceField,
    agency_choices,
    past_date,
    person_label,
)
from .persons import (
    ROLE_CHOICES,
    ExistingParticipantForm,
    ParticipantForm,
    PersonForm,
    PersonSearchForm,
)

__all__ = [
    "BLANK",
    "OPEN_STATUS_CHOICES",
    "ROLE_CHOICES",
    "SORT_CHOICES",
    "ArrestForm",
    "CaseCloseForm",
    "CaseFilterForm",
    "CaseForm",
    "CodeListField",
    "DateInput",
    "EventForm",
    "ExistingParticipantForm",
    "FastSelect",
    "LabelledModelChoiceField",
    "LabelledModelMultipleChoiceField",
    "ParticipantForm",
    "PersonChoiceField",
    "PersonForm",
    "PersonSearchForm",
    "PickListSelect",
    "ProceedingForm",
    "ReferenceChoiceField",
    "VictimProfileForm",
    "agency_choices",
    "case_persons",
    "past_date",
    "person_label",
    "show_names_to",
]
