"""What the registry API accepts: strict serializers for queries and writes (unknown fields out)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from ctip.access.selectors import agency_list
from ctip.api.base import StrictSerializer

from .. import selectors
from ..choices import (
    CLOSED_STATUSES,
    CaseKind,
    CaseSource,
    CaseStatus,
    DocumentKind,
    EventKind,
    ParticipantRole,
    ProceedingStage,
    Sex,
    Verdict,
)
from ..models import (
    CaseShare,
)
from ..validation import MAX_ALIAS_LENGTH, MAX_ALIASES
from .fields import agency_field, code_field, codes_field, country_field, province_field
from .serializers import PersonSummarySerializer

# --- input ---------------------------------------------------------------------------------


class CaseListQuery(StrictSerializer):
    """Filters and order of the case list (query string)."""

    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False, allow_blank=True)
    province = province_field(required=False)
    agency = agency_field(required=False)
    opened_from = serializers.DateField(required=False, help_text="YYYY-MM-DD, inclusive.")
    opened_to = serializers.DateField(required=False, help_text="YYYY-MM-DD, inclusive.")
    reference = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="Part of the reference."
    )
    ordering = serializers.ChoiceField(
        choices=list(selectors.CASE_SORTS),
        required=False,
        default=selectors.DEFAULT_CASE_SORT,
        help_text="A leading '-' sorts newest or last first.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        error = selectors.case_period_error(attrs.get("opened_from"), attrs.get("opened_to"))
        if error:
            raise serializers.ValidationError({"opened_to": [error]})
        return attrs


class CaseCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    source = serializers.ChoiceField(choices=CaseSource.choices)  # type: ignore[assignment]
    owning_agency = agency_field(
        required=False,
        help_text="Agency code; defaults to your agency when you work for only one.",
    )
    province = province_field()
    opened_on = serializers.DateField()
    summary = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=CaseStatus.choices, required=False, help_text="A new case cannot start closed."
    )
    external_id = serializers.CharField(required=False, allow_null=True, max_length=80)


class CaseUpdateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False)
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=CaseSource.choices, required=False
    )
    province = province_field(required=False)
    opened_on = serializers.DateField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False)


# The statuses that close a case (HTCDS), for the close action.
CLOSING_STATUS_CHOICES = [c for c in CaseStatus.choices if c[0] in CLOSED_STATUSES]


class CaseCloseSerializer(StrictSerializer):
    status = serializers.ChoiceField(
        choices=CLOSING_STATUS_CHOICES,
        required=False,
        default=CaseStatus.CLOSED,
    )
    closed_on = serializers.DateField(required=False, help_text="Defaults to today.")
    reason = serializers.CharField(max_length=300)


class CaseShareSerializer(StrictSerializer):
    agency = agency_field()


class CaseShareResultSerializer(serializers.ModelSerializer):
    agency = code_field()

    class Meta:
        model = CaseShare
        fields = ["case", "agency", "reason", "created_at"]
        read_only_fields = fields


class PersonWriteSerializer(StrictSerializer):
    given_name_km = serializers.CharField(required=False, allow_blank=True)
    family_name_km = serializers.CharField(required=False, allow_blank=True)
    given_name_latin = serializers.CharField(required=False, allow_blank=True)
    family_name_latin = serializers.CharField(required=False, allow_blank=True)
    aliases = serializers.ListField(
        child=serializers.CharField(max_length=MAX_ALIAS_LENGTH),
        max_length=MAX_ALIASES,
        required=False,
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    gender = serializers.CharField(
        required=False, allow_blank=True, help_text="HTCDS gender code (vocabulary 'gender')."
    )
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    estimated_age = serializers.IntegerField(required=False, allow_null=True)
    age_recorded_on = serializers.DateField(required=False, allow_null=True)
    citizenships = serializers.ListField(
        child=serializers.CharField(max_length=3), required=False, help_text="ISO alpha-3 codes."
    )
    languages = serializers.ListField(child=serializers.CharField(), required=False)
    phone = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(required=False, allow_blank=True)
    external_id = serializers.CharField(required=False, allow_null=True, max_length=80)


class PersonCreateSerializer(PersonWriteSerializer):
    registered_by = agency_field(
        required=False,
        help_text="Agency code; defaults to your agency when you work for only one.",
    )


class PersonSearchQuery(StrictSerializer):
    """Any combination of name, date of birth, approximate age and document number."""

    name = serializers.CharField(
        required=False, allow_blank=True, help_text="Khmer script or Latin letters, any order."
    )
    date_of_birth = serializers.DateField(required=False)
    age = serializers.IntegerField(required=False, min_value=0, max_value=120)
    age_tolerance = serializers.IntegerField(required=False, min_value=0, max_value=10, default=2)
    document_number = serializers.CharField(required=False, allow_blank=True)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=200, default=50)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not any(
            attrs.get(f) not in (None, "")
            for f in ("name", "date_of_birth", "age", "document_number")
        ):
            raise serializers.ValidationError(
                _("Give a name, date of birth, age or document number.")
            )
        return attrs


# One object holding the matches, though the action is `list` (which the schema would wrap in
# an array): the schema once promised an array and the API answered an object.
@extend_schema_serializer(many=False)
class PersonSearchResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = PersonSummarySerializer(many=True)


class DocumentCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    number = serializers.CharField(max_length=80)
    issuing_country = country_field(required=False, allow_null=True)


class ParticipantCreateSerializer(StrictSerializer):
    case = serializers.IntegerField(help_text="Case id.")
    person = serializers.IntegerField(help_text="Person id.")
    role = serializers.ChoiceField(choices=ParticipantRole.choices)
    notes = serializers.CharField(required=False, allow_blank=True)


class VictimProfileWriteSerializer(StrictSerializer):
    trafficking_status = serializers.CharField(
        required=False, help_text="Vocabulary 'trafficking_status'."
    )
    status_decided_by = serializers.CharField(
        required=False, allow_blank=True, help_text="Vocabulary 'status_decided_by'."
    )
    status_decided_on = serializers.DateField(required=False, allow_null=True)
    identified_on = serializers.DateField(required=False, allow_null=True)
    age_when_trafficked = serializers.IntegerField(required=False, allow_null=True)
    relationship_to_trafficker = serializers.CharField(
        required=False, allow_blank=True, help_text="Vocabulary 'relationship'."
    )
    recruitment_methods = codes_field(required=False, help_text="Vocabulary 'recruitment_method'.")
    recruitment_platforms = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False
    )
    means_of_control = codes_field(required=False, help_text="Vocabulary 'means_of_control'.")
    exploitation_types = codes_field(required=False, help_text="Vocabulary 'exploitation_type'.")
    labour_industries = codes_field(required=False, help_text="Vocabulary 'labour_industry'.")
    sex_exploitation_types = codes_field(
        required=False, help_text="Vocabulary 'sex_exploitation_type'."
    )
    consent_to_share = serializers.BooleanField(required=False)
    consent_recorded_on = serializers.DateField(required=False, allow_null=True)
    testimony = serializers.CharField(required=False, allow_blank=True)


class VictimProfileCreateSerializer(VictimProfileWriteSerializer):
    participant = serializers.IntegerField(help_text="Participant id (role victim).")


class EventCreateSerializer(StrictSerializer):
    case = serializers.IntegerField(help_text="Case id.")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_on = serializers.DateField()
    country = country_field(required=False, allow_null=True)
    province = province_field(required=False, allow_null=True)
    district = serializers.CharField(required=False, allow_blank=True, max_length=80)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    latitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=8, decimal_places=5, required=False, allow_null=True
    )
    description = serializers.CharField(required=False, allow_blank=True)
    persons = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text="Ids of persons taking part in the case.",
    )


class ArrestCreateSerializer(StrictSerializer):
    case = serializers.IntegerField(help_text="Case id.")
    person = serializers.IntegerField(help_text="Person id; becomes a suspect in the case.")
    arrested_on = serializers.DateField()
    agency = agency_field(help_text="Code of the arresting agency.")
    province = province_field(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    charges = codes_field(required=False, help_text="Vocabulary 'charge' (2008 law articles).")


class ProceedingUpdateSerializer(StrictSerializer):
    court = serializers.SlugRelatedField(
        slug_field="code",
        queryset=agency_list(),
        required=False,
        allow_null=True,
        help_text="Code of the court (an agency of kind court).",
    )
    charges = codes_field(required=False, help_text="Vocabulary 'charge' (2008 law articles).")
    stage = serializers.ChoiceField(choices=ProceedingStage.choices, required=False)
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False)
    verdict_on = serializers.DateField(required=False, allow_null=True)
    sentence_months = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    fine_riel = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ProceedingCreateSerializer(ProceedingUpdateSerializer):
    case = serializers.IntegerField(help_text="Case id; a proceeding always belongs to a case.")
    filed_on = serializers.DateField()
    defendant = serializers.IntegerField(required=False, allow_null=True, help_text="Person id.")
