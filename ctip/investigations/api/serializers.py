"""What the investigations endpoints answer and take. Answers mask as the pages do: a person's
name and an identifier's value come out as ••• for a reader without identity clearance
(decision 0201); cases are named by their facts only, never their file (decision 0700)."""

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ctip.access.masking import MASK, can_read, serializer_actor
from ctip.api.base import StrictSerializer
from ctip.registry.models import Case, Person

from ..choices import AccountService, IdentifierKind, OrganisationKind
from ..models import Compound, Identifier, JobAd, Organisation
from ..normalise import MAX_VALUE_LENGTH, display
from ..sanctions.choices import DECISIONS, HitStatus
from ..sanctions.display import evidence_lines, subject_text
from ..sanctions.models import ScreeningHit

# --- pieces shared by the answers ----------------------------------------------------------------


def person_name(actor: Any, person: Person) -> str:
    """A person's name as the actor may read it (P<id> ••• otherwise, as on the pages)."""
    if not can_read(actor, person, "display_name", person.pk):
        return f"P{person.pk} {MASK}"
    return person.display_name


def identifier_value(actor: Any, identifier: Identifier) -> str:
    if not can_read(actor, identifier, "value", identifier.pk):
        return MASK
    return display(identifier.kind, identifier.value)


def identifier_as_typed(actor: Any, identifier: Identifier) -> str:
    if not identifier.as_typed or not can_read(actor, identifier, "as_typed", identifier.pk):
        return MASK if identifier.as_typed else ""
    return identifier.as_typed


class CaseRefSerializer(serializers.ModelSerializer):
    """A case by its facts: what an investigator reads of a case (decision 0700)."""

    province = serializers.CharField(source="province.code", read_only=True)
    owning_agency = serializers.CharField(source="owning_agency.code", read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "kind", "status", "province", "owning_agency", "opened_on"]
        read_only_fields = fields


class PersonRefSerializer(serializers.Serializer):
    """A person named in a case: the id and the name as the reader may see it."""

    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()

    def get_name(self, person: Person) -> str:
        return person_name(serializer_actor(self.context), person)


class IdentifierSerializer(serializers.ModelSerializer):
    """An identifier: its normal form (masked without identity clearance) and, when it could
    not be normalised, what was typed and why."""

    value = serializers.SerializerMethodField(method_name="masked_value")
    as_typed = serializers.SerializerMethodField(method_name="masked_as_typed")
    country = serializers.CharField(source="country.alpha3", read_only=True, allow_null=True)

    class Meta:
        model = Identifier
        fields = ["id", "kind", "service", "value", "as_typed", "is_valid", "problem", "country"]
        read_only_fields = fields

    def masked_value(self, identifier: Identifier) -> str:
        return identifier_value(serializer_actor(self.context), identifier)

    def masked_as_typed(self, identifier: Identifier) -> str:
        return identifier_as_typed(serializer_actor(self.context), identifier)


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation (not personal data: every user of the app reads it)."""

    jurisdiction = serializers.CharField(
        source="jurisdiction.alpha3", read_only=True, allow_null=True
    )

    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "aliases", "registration_number", "jurisdiction"]
        read_only_fields = fields


class OrganisationListSerializer(OrganisationSerializer):
    cases = serializers.IntegerField(
        source="case_count", read_only=True, help_text="Cases it takes part in, seen or not."
    )

    class Meta(OrganisationSerializer.Meta):
        fields = [*OrganisationSerializer.Meta.fields, "cases"]
        read_only_fields = fields


class CompoundSerializer(serializers.ModelSerializer):
    province = serializers.CharField(source="province.code", read_only=True, allow_null=True)

    class Meta:
        model = Compound
        fields = [
            "id",
            "name",
            "aliases",
            "province",
            "location_code",
            "location_name",
            "latitude",
            "longitude",
            "description",
        ]
        read_only_fields = fields


class CompoundListSerializer(CompoundSerializer):
    cases = serializers.IntegerField(
        source="case_count", read_only=True, help_text="Cases at the compound, seen or not."
    )

    class Meta(CompoundSerializer.Meta):
        fields = [*CompoundSerializer.Meta.fields, "cases"]
        read_only_fields = fields


# --- connections ---------------------------------------------------------------------------------


class SharedCaseSerializer(serializers.Serializer):
    case = CaseRefSerializer()
    identifiers = IdentifierSerializer(many=True)
    organisations = OrganisationSerializer(many=True)
    compounds = CompoundSerializer(many=True)


class ConnectionsSerializer(serializers.Serializer):
    """Other cases sharing something: those the reader sees, listed; the others counted only."""

    visible = SharedCaseSerializer(many=True)
    hidden = serializers.IntegerField(help_text="Cases the reader may not see: counted only.")
    provinces = serializers.IntegerField(help_text="Provinces of the visible ones.")


class UseSerializer(serializers.Serializer):
    """An identifier recorded in a case, and in how many other cases it appears."""

    id = serializers.IntegerField()
    identifier = IdentifierSerializer()
    person = PersonRefSerializer(allow_null=True)
    organisation = OrganisationSerializer(allow_null=True)
    seen_on = serializers.DateField(allow_null=True)
    other_cases_visible = serializers.IntegerField()
    other_cases_hidden = serializers.IntegerField()
    other_provinces = serializers.IntegerField()


class InvolvementSerializer(serializers.Serializer):
    organisation = OrganisationSerializer()
    role = serializers.CharField()


class CaseRecordsSerializer(serializers.Serializer):
    """What the investigations app records in one case."""

    case = CaseRefSerializer()
    identifiers = UseSerializer(many=True)
    organisations = InvolvementSerializer(many=True)
    compounds = CompoundSerializer(many=True)
    job_ads = serializers.ListField(child=serializers.IntegerField())


class IdentifierUseInCaseSerializer(serializers.Serializer):
    case = CaseRefSerializer()
    person = PersonRefSerializer(allow_null=True)
    organisation = OrganisationSerializer(allow_null=True)
    seen_on = serializers.DateField(allow_null=True)


class IdentifierFileSerializer(serializers.Serializer):
    """An identifier, the visible cases recording it, a count of the others, the ads naming it."""

    identifier = IdentifierSerializer()
    uses = IdentifierUseInCaseSerializer(many=True)
    hidden = serializers.IntegerField(help_text="Cases the reader may not see: counted only.")
    provinces = serializers.IntegerField()
    job_ads = serializers.ListField(child=serializers.IntegerField())


class CaseInvolvementSerializer(serializers.Serializer):
    case = CaseRefSerializer()
    role = serializers.CharField(required=False)


class OrganisationFileSerializer(serializers.Serializer):
    organisation = OrganisationSerializer()
    cases = CaseInvolvementSerializer(many=True)
    hidden = serializers.IntegerField(help_text="Cases the reader may not see: counted only.")
    compounds = serializers.ListField(child=serializers.IntegerField())


class NationalityCountSerializer(serializers.Serializer):
    country = serializers.CharField()
    people = serializers.IntegerField()


class CompoundFileSerializer(serializers.Serializer):
    compound = CompoundSerializer()
    operators = serializers.ListField(child=serializers.IntegerField())
    cases = CaseInvolvementSerializer(many=True)
    hidden = serializers.IntegerField(help_text="Cases the reader may not see: counted only.")
    found_by_nationality = NationalityCountSerializer(many=True)


class AlertSerializer(serializers.Serializer):
    """A connection alert: the reader's open case, the identifier, the agency of the new case
    (and the new case itself only where the reader may see it)."""

    id = serializers.IntegerField()
    open_case = CaseRefSerializer()
    identifier = IdentifierSerializer()
    new_case_agency = serializers.CharField()
    new_case = CaseRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


# --- sanctions and job ads ---------------------------------------------------------------------


class ListedSerializer(serializers.Serializer):
    watch_list = serializers.CharField(source="watch_list.name")
    ftm_id = serializers.CharField()
    schema = serializers.CharField()
    caption = serializers.CharField()
    names = serializers.ListField(child=serializers.CharField())
    birth_years = serializers.ListField(child=serializers.IntegerField())
    countries = serializers.ListField(child=serializers.CharField())
    removed = serializers.BooleanField()


class HitSerializer(serializers.ModelSerializer):
    """A sanctions hit: what ctip records (masked as the reader must see it), what the list
    says, the evidence and the decision."""

    subject = serializers.SerializerMethodField()
    person = serializers.IntegerField(source="person_id", allow_null=True, read_only=True)
    organisation = serializers.IntegerField(
        source="organisation_id", allow_null=True, read_only=True
    )
    identifier = serializers.IntegerField(source="identifier_id", allow_null=True, read_only=True)
    listed = ListedSerializer(source="entity", read_only=True)
    evidence = serializers.SerializerMethodField()
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = ScreeningHit
        fields = [
            "id",
            "subject_kind",
            "subject",
            "person",
            "organisation",
            "identifier",
            "score",
            "listed_name",
            "listed",
            "evidence",
            "status",
            "note",
            "decided_by",
            "decided_at",
            "list_version",
            "found_at",
        ]
        read_only_fields = fields

    def get_subject(self, hit: ScreeningHit) -> str:
        return subject_text(serializer_actor(self.context), hit)

    def get_evidence(self, hit: ScreeningHit) -> list[str]:
        return evidence_lines(serializer_actor(self.context), hit)


class FlagSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="The flag in the reader's language.")
    reasons = serializers.ListField(child=serializers.CharField())


class JobAdSerializer(serializers.ModelSerializer):
    """A job advertisement, its red flags (worked out from the rules in force) and what it
    names."""

    case = serializers.IntegerField(source="case_id", allow_null=True, read_only=True)
    agency = serializers.CharField(source="agency.code", read_only=True)
    # Empty when the ad was pasted without its address: a plain string, not format "uri".
    url = serializers.CharField(read_only=True)
    flags = serializers.SerializerMethodField()
    identifiers = serializers.SerializerMethodField()
    organisations = serializers.SerializerMethodField()

    class Meta:
        model = JobAd
        fields = [
            "id",
            "case",
            "agency",
            "url",
            "service",
            "text",
            "language",
            "seen_on",
            "flags",
            "identifiers",
            "organisations",
            "recorded_at",
        ]
        read_only_fields = fields

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, ad: JobAd) -> list[dict[str, Any]]:
        flags = self.context.get("flags", {}).get(ad.pk, [])
        return [
            {"code": flag.code, "name": flag.label, "reasons": list(flag.reasons)} for flag in flags
        ]

    def get_identifiers(self, ad: JobAd) -> list[int]:
        return sorted(i.pk for i in ad.identifiers.all())

    def get_organisations(self, ad: JobAd) -> list[int]:
        return sorted(o.pk for o in ad.organisations.all())


# --- what they take ----------------------------------------------------------------------------


class IdentifierFindQuery(StrictSerializer):
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(max_length=MAX_VALUE_LENGTH)
    service = serializers.ChoiceField(
        choices=AccountService.choices, required=False, allow_blank=True
    )


class IdentifierUseCreateSerializer(StrictSerializer):
    case = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=IdentifierKind.choices)
    value = serializers.CharField(max_length=MAX_VALUE_LENGTH)
    service = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    person = serializers.IntegerField(required=False, allow_null=True)
    organisation = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    seen_on = serializers.DateField(required=False, allow_null=True)


class OrganisationQuery(StrictSerializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    kind = serializers.ChoiceField(choices=OrganisationKind.choices, required=False)


class AlertQuery(StrictSerializer):
    unread = serializers.BooleanField(required=False, default=False)


class HitQuery(StrictSerializer):
    status = serializers.ChoiceField(
        choices=HitStatus.choices, required=False, allow_blank=True, default=HitStatus.PENDING
    )


class HitDecisionSerializer(StrictSerializer):
    decision = serializers.ChoiceField(choices=[(d.value, d.label) for d in DECISIONS])
    note = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class JobAdQuery(StrictSerializer):
    flagged = serializers.BooleanField(required=False, default=False)


class JobAdCreateSerializer(StrictSerializer):
    text = serializers.CharField(max_length=20000)
    url = serializers.URLField(required=False, allow_blank=True, max_length=2000, default="")
    service = serializers.CharField(required=False, allow_blank=True, max_length=60, default="")
    seen_on = serializers.DateField(required=False, allow_null=True)
    case = serializers.IntegerField(required=False, allow_null=True)


class FtmImportSerializer(StrictSerializer):
    case = serializers.IntegerField()
    role = serializers.CharField(required=False, default="suspect", max_length=20)
    file = serializers.FileField()


class FtmImportResultSerializer(serializers.Serializer):
    persons = serializers.IntegerField()
    organisations = serializers.IntegerField()
    identifiers = serializers.IntegerField()
    relations = serializers.IntegerField()
    possible_matches = serializers.IntegerField(
        help_text="Imported persons the linkage app found probably registered already: queued "
        "for review."
    )
