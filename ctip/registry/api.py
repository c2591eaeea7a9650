"""REST API of the case registry: serializers that parse and render, viewsets that stay thin.

Every read goes through `selectors` with the acting user and every write through `services`;
serializers here only check the shape of a payload and render records. Records from reference
tables (provinces, countries, agencies) are named by their codes in both directions, so a
client can send back what it read. Schema help texts are developer documentation in English,
like the docstrings the schema shows; error messages, which users of clients see, are
translated.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ctip.access.masking import MaskedFieldsMixin, mask_value, serializer_actor
from ctip.access.models import Agency
from ctip.access.selectors import agencies_actor_can_register_for, agency_list
from ctip.api.base import SelectorViewSet, StrictSerializer, errors, parse, resolve
from ctip.reference.models import Country, Province

from . import selectors, services
from .choices import (
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
from .models import (
    Arrest,
    Case,
    CaseShare,
    Event,
    IdentityDocument,
    Participant,
    Person,
    Proceeding,
    VictimProfile,
)
from .validation import MAX_ALIAS_LENGTH, MAX_ALIASES

# Query parameters that belong to paging and content negotiation, not to filters.
PAGING_PARAMS = frozenset({"page", "page_size", "format"})


def _code(slug_field: str = "code", **kwargs: Any) -> serializers.SlugRelatedField:
    """A reference record rendered as its code."""
    return serializers.SlugRelatedField(slug_field=slug_field, read_only=True, **kwargs)


def _province_in(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=Province.objects.all(),
        **{
            "help_text": "ISO 3166-2:KH code, e.g. KH-12 (see /api/v1/provinces/).",
            **kwargs,
        },
    )


def _agency_in(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=agency_list(),
        **{"help_text": "Agency code (see /api/v1/agencies/).", **kwargs},
    )


def _country_in(**kwargs: Any) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="alpha3",
        queryset=Country.objects.all(),
        **{"help_text": "ISO 3166-1 alpha-3 code (see /api/v1/countries/).", **kwargs},
    )


def _codes(**kwargs: Any) -> serializers.ListField:
    """A list of vocabulary codes; the service checks them against the vocabulary."""
    return serializers.ListField(child=serializers.CharField(max_length=80), **kwargs)


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


class IdentityDocumentSerializer(MaskedFieldsMixin, serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    issuing_country = _code("alpha3", allow_null=True)

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
    registered_by = _code(allow_null=True)
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
    country = _code("alpha3", allow_null=True)
    province = _code(allow_null=True)
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
    agency = _code()
    province = _code(allow_null=True)

    class Meta:
        model = Arrest
        fields = ["id", "case", "person", "arrested_on", "agency", "province", "place", "charges"]
        read_only_fields = fields


class ProceedingSerializer(serializers.ModelSerializer):
    court = _code(allow_null=True)

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

    owning_agency = _code()
    province = _code()

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


def _render_case(actor: Any, case: Case) -> dict[str, Any]:
    return CaseFileSerializer(
        selectors.case_file(actor=actor, case=case), context={"actor": actor}
    ).data


def _render_person(actor: Any, person: Person) -> dict[str, Any]:
    # The person's roles come through the selector so that hidden cases stay hidden.
    person.visible_participations = selectors.person_cases(  # type: ignore[attr-defined]
        actor=actor, person=person
    )
    return PersonSerializer(person, context={"actor": actor}).data


def _default_agency(actor: Any, field: str) -> Agency:
    """The one agency the actor works for, when a payload does not name one."""
    agencies = list(agencies_actor_can_register_for(actor=actor)[:2])
    if not agencies:
        raise PermissionDenied(_("You do not register records for any agency."))
    if len(agencies) > 1:
        raise serializers.ValidationError({field: [_("Say which agency: you work for several.")]})
    return agencies[0]


# --- input ---------------------------------------------------------------------------------


class CaseListQuery(StrictSerializer):
    """Filters and order of the case list (query string)."""

    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, required=False, allow_blank=True)
    province = _province_in(required=False)
    agency = _agency_in(required=False)
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
        start, end = attrs.get("opened_from"), attrs.get("opened_to")
        if start and end and end < start:
            raise serializers.ValidationError({"opened_to": [_("This is before opened_from.")]})
        return attrs


class CaseCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=CaseKind.choices)
    source = serializers.ChoiceField(choices=CaseSource.choices)  # type: ignore[assignment]
    owning_agency = _agency_in(
        required=False,
        help_text="Agency code; defaults to your agency when you work for only one.",
    )
    province = _province_in()
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
    province = _province_in(required=False)
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
    agency = _agency_in()


class CaseShareResultSerializer(serializers.ModelSerializer):
    agency = _code()

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
    registered_by = _agency_in(
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
    issuing_country = _country_in(required=False, allow_null=True)


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
    recruitment_methods = _codes(required=False, help_text="Vocabulary 'recruitment_method'.")
    recruitment_platforms = serializers.ListField(
        child=serializers.CharField(max_length=120), required=False
    )
    means_of_control = _codes(required=False, help_text="Vocabulary 'means_of_control'.")
    exploitation_types = _codes(required=False, help_text="Vocabulary 'exploitation_type'.")
    labour_industries = _codes(required=False, help_text="Vocabulary 'labour_industry'.")
    sex_exploitation_types = _codes(required=False, help_text="Vocabulary 'sex_exploitation_type'.")
    consent_to_share = serializers.BooleanField(required=False)
    consent_recorded_on = serializers.DateField(required=False, allow_null=True)
    testimony = serializers.CharField(required=False, allow_blank=True)


class VictimProfileCreateSerializer(VictimProfileWriteSerializer):
    participant = serializers.IntegerField(help_text="Participant id (role victim).")


class EventCreateSerializer(StrictSerializer):
    case = serializers.IntegerField(help_text="Case id.")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_on = serializers.DateField()
    country = _country_in(required=False, allow_null=True)
    province = _province_in(required=False, allow_null=True)
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
    agency = _agency_in(help_text="Code of the arresting agency.")
    province = _province_in(required=False, allow_null=True)
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    charges = _codes(required=False, help_text="Vocabulary 'charge' (2008 law articles).")


class ProceedingUpdateSerializer(StrictSerializer):
    court = serializers.SlugRelatedField(
        slug_field="code",
        queryset=agency_list(),
        required=False,
        allow_null=True,
        help_text="Code of the court (an agency of kind court).",
    )
    charges = _codes(required=False, help_text="Vocabulary 'charge' (2008 law articles).")
    stage = serializers.ChoiceField(choices=ProceedingStage.choices, required=False)
    verdict = serializers.ChoiceField(choices=Verdict.choices, required=False)
    verdict_on = serializers.DateField(required=False, allow_null=True)
    sentence_months = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    fine_riel = serializers.IntegerField(required=False, allow_null=True, min_value=0)


class ProceedingCreateSerializer(ProceedingUpdateSerializer):
    case = serializers.IntegerField(help_text="Case id; a proceeding always belongs to a case.")
    filed_on = serializers.DateField()
    defendant = serializers.IntegerField(required=False, allow_null=True, help_text="Person id.")


# --- endpoints -----------------------------------------------------------------------------


class _RegistryViewSet(SelectorViewSet):
    lookup_value_converter = "int"

    def _ctx(self) -> dict[str, Any]:
        """Serializer context: sensitive fields are masked for the requesting user."""
        return {"actor": self.request.user}


def _case(actor: Any, pk: int | str) -> Case:
    return selectors.case_get(actor=actor, pk=int(pk))


@extend_schema_view(
    list=extend_schema(
        summary="List cases",
        parameters=[CaseListQuery],
        responses={200: CaseListItemSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read a case file",
        responses={200: CaseFileSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Register a case",
        request=CaseCreateSerializer,
        responses={201: CaseFileSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a case",
        description="Closing goes through the close action, not through status.",
        request=CaseUpdateSerializer,
        responses={200: CaseFileSerializer, **errors(400, 401, 403, 404)},
    ),
)
class CaseViewSet(_RegistryViewSet):
    """Cases the user's agencies own, are shared or are responsible for."""

    serializer_class = CaseFileSerializer
    serializer_classes = {
        "create": CaseCreateSerializer,
        "partial_update": CaseUpdateSerializer,
        "close": CaseCloseSerializer,
        "reopen": StrictSerializer,
        "share": CaseShareSerializer,
        "list": CaseListItemSerializer,
    }

    def list(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k not in PAGING_PARAMS}
        query = parse(CaseListQuery, params)
        filters = selectors.CaseFilters(
            kind=query.get("kind", ""),
            status=query.get("status", ""),
            province=query["province"].pk if query.get("province") else None,
            agency=query["agency"].pk if query.get("agency") else None,
            opened_from=query.get("opened_from"),
            opened_to=query.get("opened_to"),
            reference=query.get("reference", ""),
            sort=query["ordering"],
        )
        page = self.paginate_queryset(selectors.case_list(actor=request.user, filters=filters))
        return self.get_paginated_response(CaseListItemSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(_render_case(request.user, _case(request.user, pk)))

    def create(self, request: Request) -> Response:
        data = parse(CaseCreateSerializer, request.data)
        if "owning_agency" not in data:
            data["owning_agency"] = _default_agency(request.user, "owning_agency")
        case = services.case_create(actor=request.user, **data)
        return Response(_render_case(request.user, case), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        case = _case(request.user, pk)
        data = parse(CaseUpdateSerializer, request.data, partial=True)
        case = services.case_update(actor=request.user, case=case, **data)
        return Response(_render_case(request.user, case))

    @extend_schema(
        summary="Close a case",
        description="Needs a supervisor's role. HTCDS status closed or closed_referred.",
        request=CaseCloseSerializer,
        responses={200: CaseFileSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        case = _case(request.user, pk)
        data = parse(CaseCloseSerializer, request.data)
        case = services.case_close(actor=request.user, case=case, **data)
        return Response(_render_case(request.user, case))

    @extend_schema(
        summary="Reopen a closed case",
        description="The case returns to follow-up. Needs a supervisor's role.",
        request=None,
        responses={200: CaseFileSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        parse(StrictSerializer, request.data)  # an empty body: any field is unknown
        case = services.case_reopen(actor=request.user, case=_case(request.user, pk))
        return Response(_render_case(request.user, case))

    @extend_schema(
        summary="Share a case with another agency",
        request=CaseShareSerializer,
        responses={200: CaseShareResultSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def share(self, request: Request, pk: int) -> Response:
        case = _case(request.user, pk)
        data = parse(CaseShareSerializer, request.data)
        share = services.case_share(actor=request.user, case=case, agency=data["agency"])
        return Response(CaseShareResultSerializer(share).data)


@extend_schema_view(
    list=extend_schema(
        summary="Find persons",
        description=(
            "Name search forgives romanisation variants and family-name order. Returns at "
            "most `limit` persons, in registration order."
        ),
        parameters=[PersonSearchQuery],
        responses={200: PersonSearchResultSerializer, **errors(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read a person", responses={200: PersonSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Register a person",
        request=PersonCreateSerializer,
        responses={201: PersonSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a person",
        request=PersonWriteSerializer,
        responses={200: PersonSerializer, **errors(400, 401, 403, 404)},
    ),
)
class PersonViewSet(_RegistryViewSet):
    """Persons in the user's cases or registered by the user's agencies."""

    pagination_class = None

    serializer_class = PersonSerializer
    serializer_classes = {
        "create": PersonCreateSerializer,
        "partial_update": PersonWriteSerializer,
        "documents": DocumentCreateSerializer,
        "list": PersonSummarySerializer,
    }

    def list(self, request: Request) -> Response:
        params = {k: v for k, v in request.query_params.items() if k not in PAGING_PARAMS}
        query = parse(PersonSearchQuery, params)
        found = selectors.person_search(actor=request.user, query=selectors.PersonQuery(**query))
        return Response(
            {
                "count": len(found),
                "results": PersonSummarySerializer(found, many=True, context=self._ctx()).data,
            }
        )

    def retrieve(self, request: Request, pk: int) -> Response:
        person = selectors.person_get(actor=request.user, pk=int(pk))
        return Response(_render_person(request.user, person))

    def create(self, request: Request) -> Response:
        data = parse(PersonCreateSerializer, request.data)
        registered_by = data.pop("registered_by", None) or _default_agency(
            request.user, "registered_by"
        )
        person = services.person_create(actor=request.user, registered_by=registered_by, **data)
        return Response(_render_person(request.user, person), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        person = selectors.person_get(actor=request.user, pk=int(pk))
        data = parse(PersonWriteSerializer, request.data, partial=True)
        person = services.person_update(actor=request.user, person=person, **data)
        return Response(_render_person(request.user, person))

    @extend_schema(
        summary="Add an identity document",
        request=DocumentCreateSerializer,
        responses={201: IdentityDocumentSerializer, **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def documents(self, request: Request, pk: int) -> Response:
        person = selectors.person_get(actor=request.user, pk=int(pk))
        data = parse(DocumentCreateSerializer, request.data)
        document = services.document_add(actor=request.user, person=person, **data)
        return Response(
            IdentityDocumentSerializer(document, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )


def _person(actor: Any, field: str, pk: int) -> Person:
    return resolve(field, lambda: selectors.person_get(actor=actor, pk=pk))


def _case_in_payload(actor: Any, pk: int) -> Case:
    return resolve("case", lambda: selectors.case_get(actor=actor, pk=pk))


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read a participant", responses={200: ParticipantSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Add a person to a case in a role",
        request=ParticipantCreateSerializer,
        responses={201: ParticipantSerializer, **errors(400, 401, 403)},
    ),
)
class ParticipantViewSet(_RegistryViewSet):
    serializer_class = ParticipantSerializer
    serializer_classes = {"create": ParticipantCreateSerializer}

    def retrieve(self, request: Request, pk: int) -> Response:
        participant = selectors.participant_get(actor=request.user, pk=int(pk))
        return Response(ParticipantSerializer(participant, context=self._ctx()).data)

    def create(self, request: Request) -> Response:
        data = parse(ParticipantCreateSerializer, request.data)
        participant = services.participant_add(
            actor=request.user,
            case=_case_in_payload(request.user, data["case"]),
            person=_person(request.user, "person", data["person"]),
            role=data["role"],
            notes=data.get("notes", ""),
        )
        return Response(
            ParticipantSerializer(participant, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read a victim profile",
        responses={200: VictimProfileSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Record a victim profile",
        description="For a participant whose role is victim; one profile per participant.",
        request=VictimProfileCreateSerializer,
        responses={201: VictimProfileSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Change a victim profile",
        request=VictimProfileWriteSerializer,
        responses={200: VictimProfileSerializer, **errors(400, 401, 403, 404)},
    ),
)
class VictimProfileViewSet(_RegistryViewSet):
    serializer_class = VictimProfileSerializer
    serializer_classes = {
        "create": VictimProfileCreateSerializer,
        "partial_update": VictimProfileWriteSerializer,
    }

    def retrieve(self, request: Request, pk: int) -> Response:
        profile = selectors.victim_profile_get(actor=request.user, pk=int(pk))
        return Response(VictimProfileSerializer(profile, context=self._ctx()).data)

    def create(self, request: Request) -> Response:
        data = parse(VictimProfileCreateSerializer, request.data)
        participant_id = data.pop("participant")
        participant = resolve(
            "participant",
            lambda: selectors.participant_get(actor=request.user, pk=participant_id),
        )
        profile = services.victim_profile_create(
            actor=request.user, participant=participant, **data
        )
        return Response(
            VictimProfileSerializer(profile, context=self._ctx()).data,
            status=status.HTTP_201_CREATED,
        )

    def partial_update(self, request: Request, pk: int) -> Response:
        profile = selectors.victim_profile_get(actor=request.user, pk=int(pk))
        data = parse(VictimProfileWriteSerializer, request.data, partial=True)
        profile = services.victim_profile_save(
            actor=request.user, participant=profile.participant, **data
        )
        return Response(VictimProfileSerializer(profile, context=self._ctx()).data)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read an event", responses={200: EventSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Add an event to a case's story",
        request=EventCreateSerializer,
        responses={201: EventSerializer, **errors(400, 401, 403)},
    ),
)
class EventViewSet(_RegistryViewSet):
    serializer_class = EventSerializer
    serializer_classes = {"create": EventCreateSerializer}

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(EventSerializer(selectors.event_get(actor=request.user, pk=int(pk))).data)

    def create(self, request: Request) -> Response:
        data = parse(EventCreateSerializer, request.data)
        data["case"] = _case_in_payload(request.user, data["case"])
        data["persons"] = [_person(request.user, "persons", pk) for pk in data.get("persons", [])]
        event = services.event_add(actor=request.user, **data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read an arrest", responses={200: ArrestSerializer, **errors(401, 404)}
    ),
    create=extend_schema(
        summary="Record an arrest",
        request=ArrestCreateSerializer,
        responses={201: ArrestSerializer, **errors(400, 401, 403)},
    ),
)
class ArrestViewSet(_RegistryViewSet):
    serializer_class = ArrestSerializer
    serializer_classes = {"create": ArrestCreateSerializer}

    def retrieve(self, request: Request, pk: int) -> Response:
        return Response(ArrestSerializer(selectors.arrest_get(actor=request.user, pk=int(pk))).data)

    def create(self, request: Request) -> Response:
        data = parse(ArrestCreateSerializer, request.data)
        data["case"] = _case_in_payload(request.user, data["case"])
        data["person"] = _person(request.user, "person", data["person"])
        arrest = services.arrest_add(actor=request.user, **data)
        return Response(ArrestSerializer(arrest).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read a court proceeding",
        responses={200: ProceedingSerializer, **errors(401, 404)},
    ),
    create=extend_schema(
        summary="Record a court proceeding",
        request=ProceedingCreateSerializer,
        responses={201: ProceedingSerializer, **errors(400, 401, 403)},
    ),
    partial_update=extend_schema(
        summary="Record progress of a proceeding",
        request=ProceedingUpdateSerializer,
        responses={200: ProceedingSerializer, **errors(400, 401, 403, 404)},
    ),
)
class ProceedingViewSet(_RegistryViewSet):
    serializer_class = ProceedingSerializer
    serializer_classes = {
        "create": ProceedingCreateSerializer,
        "partial_update": ProceedingUpdateSerializer,
    }

    def retrieve(self, request: Request, pk: int) -> Response:
        proceeding = selectors.proceeding_get(actor=request.user, pk=int(pk))
        return Response(ProceedingSerializer(proceeding).data)

    def create(self, request: Request) -> Response:
        data = parse(ProceedingCreateSerializer, request.data)
        data["case"] = _case_in_payload(request.user, data["case"])
        if data.get("defendant") is not None:
            data["defendant"] = _person(request.user, "defendant", data["defendant"])
        proceeding = services.proceeding_add(actor=request.user, **data)
        return Response(ProceedingSerializer(proceeding).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: int) -> Response:
        proceeding = selectors.proceeding_get(actor=request.user, pk=int(pk))
        data = parse(ProceedingUpdateSerializer, request.data, partial=True)
        proceeding = services.proceeding_update(actor=request.user, proceeding=proceeding, **data)
        return Response(ProceedingSerializer(proceeding).data)


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
