"""How the registry API renders records: cases, case files, persons, each masked for the reader."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ctip.access.masking import MASK, MaskedFieldsMixin, mask_value, serializer_actor
from ctip.access.models import Agency
from ctip.access.selectors import agencies_actor_can_register_for

from .. import selectors
from ..choices import (
    CaseKind,
    CaseSource,
    CaseStatus,
)
from ..models import (
    Arrest,
    Case,
    Event,
    IdentityDocument,
    Participant,
    Person,
    Proceeding,
    VictimProfile,
)
from .fields import code_field

# --- rendering -----------------------------------------------------------------------------


class PersonSummarySerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    """A person as shown inside a case file or a search result."""

    display_name = serializers.CharField(read_only=True)
    date_of_birth = serializers.DateField(read_only=True, allow_null=True)
    given_name_km = serializers.CharField(read_only=True)
    family_name_km = serializers.CharField(read_only=True)
    given_name_latin = serializers.CharField(read_only=True)
    family_name_latin = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "display_name",
            "given_name_km",
            "family_name_km",
            "given_name_latin",
            "family_name_latin",
            "sex",
            "date_of_birth",
            "estimated_age",
            "birth_year",
            "citizenships",
        ]
        read_only_fields = fields

    def to_representation(self, instance: Any) -> Any:
        data = super().to_representation(instance)
        # The birth year is the date of birth's year: masked with it (a search result once
        # showed it beside a masked date).
        if data.get("date_of_birth") == MASK and data.get("birth_year") is not None:
            data["birth_year"] = MASK
        return data


class IdentityDocumentSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    issuing_country = code_field("alpha3", allow_null=True)

    class Meta:
        model = IdentityDocument
        fields = ["id", "kind", "number", "issuing_country"]
        read_only_fields = fields


class PersonCaseSerializer(serializers.ModelSerializer):
    """One of a person's roles in a case the reader may see."""

    participant = serializers.IntegerField(source="id", read_only=True)
    case = serializers.IntegerField(source="case_id", read_only=True)
    case_reference = serializers.CharField(source="case.reference", read_only=True)

    class Meta:
        model = Participant
        fields = ["participant", "case", "case_reference", "role"]
        read_only_fields = fields


class PersonSerializer(PersonSummarySerializer):
    """A person's full record: names, identity, documents and roles in visible cases."""

    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)
    phone = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    registered_by = code_field(allow_null=True)
    documents = IdentityDocumentSerializer(many=True, read_only=True)
    cases = PersonCaseSerializer(many=True, read_only=True, source="visible_participations")

    class Meta(PersonSummarySerializer.Meta):
        fields = [
            *PersonSummarySerializer.Meta.fields,
            "aliases",
            "gender",
            "age_recorded_on",
            "languages",
            "phone",
            "address",
            "external_id",
            "registered_by",
            "documents",
            "cases",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class VictimProfileSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    testimony = serializers.CharField(read_only=True)

    class Meta:
        model = VictimProfile
        fields = [
            "id",
            "participant",
            "trafficking_status",
            "status_decided_by",
            "status_decided_on",
            "identified_on",
            "age_when_trafficked",
            "relationship_to_trafficker",
            "recruitment_methods",
            "recruitment_platforms",
            "means_of_control",
            "exploitation_types",
            "labour_industries",
            "sex_exploitation_types",
            "consent_to_share",
            "consent_recorded_on",
            "testimony",
        ]
        read_only_fields = fields


class ParticipantSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    notes = serializers.CharField(read_only=True)
    person = PersonSummarySerializer(read_only=True)
    victim_profile = VictimProfileSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Participant
        fields = ["id", "case", "role", "notes", "person", "victim_profile"]
        read_only_fields = fields


class EventSerializer(serializers.ModelSerializer):
    country = code_field("alpha3", allow_null=True)
    province = code_field(allow_null=True)
    persons = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True), read_only=True
    )

    class Meta:
        model = Event
        fields = [
            "id",
            "case",
            "kind",
            "occurred_on",
            "country",
            "province",
            "district",
            "place",
            "latitude",
            "longitude",
            "description",
            "persons",
        ]
        read_only_fields = fields


class ArrestSerializer(serializers.ModelSerializer):
    agency = code_field()
    province = code_field(allow_null=True)

    class Meta:
        model = Arrest
        fields = ["id", "case", "person", "arrested_on", "agency", "province", "place", "charges"]
        read_only_fields = fields


class ProceedingSerializer(serializers.ModelSerializer):
    court = code_field(allow_null=True)

    class Meta:
        model = Proceeding
        fields = [
            "id",
            "case",
            "defendant",
            "court",
            "charges",
            "filed_on",
            "stage",
            "verdict",
            "verdict_on",
            "sentence_months",
            "fine_riel",
        ]
        read_only_fields = fields


class CaseListItemSerializer(serializers.ModelSerializer):
    """A row of the case list: no protected text, just what identifies and sorts a case."""

    owning_agency = code_field()
    province = code_field()

    class Meta:
        model = Case
        fields = [
            "id",
            "reference",
            "kind",
            "status",
            "source",
            "owning_agency",
            "province",
            "opened_on",
            "closed_on",
        ]
        read_only_fields = fields


class CaseFileSerializer(serializers.Serializer):
    """A case with everything in its file; renders a `selectors.CaseFile`."""

    id = serializers.IntegerField(source="case.id")
    reference = serializers.CharField(source="case.reference")
    kind = serializers.ChoiceField(source="case.kind", choices=CaseKind.choices)
    status = serializers.ChoiceField(source="case.status", choices=CaseStatus.choices)
    # A field named `source` is fine at run time (DRF's metaclass moves declared fields off
    # the class); only the type stubs see it clash with Field.source.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        source="case.source", choices=CaseSource.choices
    )
    owning_agency = serializers.CharField(source="case.owning_agency.code")
    province = serializers.CharField(source="case.province.code")
    opened_on = serializers.DateField(source="case.opened_on")
    closed_on = serializers.DateField(source="case.closed_on", allow_null=True)
    closure_reason = serializers.CharField(source="case.closure_reason")
    summary = serializers.CharField(source="case.summary")
    external_id = serializers.CharField(source="case.external_id", allow_null=True)
    shared_with = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="case.created_at")
    updated_at = serializers.DateTimeField(source="case.updated_at")
    participants = ParticipantSerializer(many=True)
    timeline = EventSerializer(many=True, help_text="Events in story order: by date, then stage.")
    arrests = ArrestSerializer(many=True)
    proceedings = ProceedingSerializer(many=True)

    def to_representation(self, instance: selectors.CaseFile) -> Any:
        data = super().to_representation(instance)
        # The summary is the case's story (testimony): masked like the page shows it.
        data["summary"] = mask_value(serializer_actor(self.context), instance.case, "summary")
        return data

    def get_shared_with(self, file: selectors.CaseFile) -> list[str]:
        """Codes of the agencies the case is shared with."""
        return [share.agency.code for share in file.shares]


def render_case(actor: Any, case: Case) -> dict[str, Any]:
    return CaseFileSerializer(
        selectors.case_file(actor=actor, case=case), context={"actor": actor}
    ).data


def render_person(actor: Any, person: Person) -> dict[str, Any]:
    # The person's roles come through the selector so that hidden cases stay hidden.
    person.visible_participations = selectors.person_cases(  # type: ignore[attr-defined]
        actor=actor, person=person
    )
    return PersonSerializer(person, context={"actor": actor}).data


def default_agency(actor: Any, field: str) -> Agency:
    """The one agency the actor works for, when a payload does not name one."""
    agencies = list(agencies_actor_can_register_for(actor=actor)[:2])
    if not agencies:
        raise PermissionDenied(_("You do not register records for any agency."))
    if len(agencies) > 1:
        raise serializers.ValidationError({field: [_("Say which agency: you work for several.")]})
    return agencies[0]
