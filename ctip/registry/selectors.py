"""Every read of the case registry. Each takes the acting user and scopes through the policy."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.http import Http404
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.access.policies import (
    ROLES_FOR_ACTION,
    actor_scope,
    case_q,
    restrict,
    same_rule_as_view,
)
from ctip.audit.choices import AuditAction
from ctip.audit.services import audit_record

from .choices import EVENT_STORY_ORDER, ParticipantRole
from .crypto import blind_index

# Re-exported: apps above and the registry's pages name the extension points through selectors.
from .hooks import (  # noqa: F401
    CountingKey,
    PageLink,
    PageLinkProvider,
    PageLinks,
    PageSection,
    SectionProvider,
    counting_key_provider,
    page_link_provider,
    page_links,
    person_counting_key,
    person_section_provider,
    person_sections,
    registration_check_provider,
    registration_checks,
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
from .names import document_number_index, query_keys
from .search_limits import PERSON_SEARCH, search_rate_check, searchable

CASE_SORTS = {
    "opened": ("opened_on", "id"),
    "-opened": ("-opened_on", "-id"),
    "reference": ("reference",),
    "-reference": ("-reference",),
    "status": ("status", "-opened_on", "-id"),
    "-status": ("-status", "-opened_on", "-id"),
    "kind": ("kind", "-opened_on", "-id"),
    "-kind": ("-kind", "-opened_on", "-id"),
}
DEFAULT_CASE_SORT = "-opened"


@dataclass
class CaseFilters:
    """What the case list can be narrowed by; every field optional. The one definition of the
    case list's filters: the page's form and the API's query parse their own query strings
    (the page names provinces and agencies by id, the API by code) into this, with the one
    rule below."""

    kind: str = ""
    status: str = ""
    province: int | None = None
    agency: int | None = None
    opened_from: datetime.date | None = None
    opened_to: datetime.date | None = None
    reference: str = ""
    sort: str = DEFAULT_CASE_SORT
    mine: bool = False  # only the cases the actor registered
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> "CaseFilters":
        """The filters from parsed values (reference rows for province and agency); missing or
        empty values filter nothing, and an unknown sort falls back to the default."""
        province, agency = values.get("province"), values.get("agency")
        sort = values.get("sort") or DEFAULT_CASE_SORT
        return cls(
            kind=values.get("kind") or "",
            status=values.get("status") or "",
            province=province.pk if province else None,
            agency=agency.pk if agency else None,
            opened_from=values.get("opened_from"),
            opened_to=values.get("opened_to"),
            reference=values.get("reference") or "",
            sort=sort if sort in CASE_SORTS else DEFAULT_CASE_SORT,
            mine=bool(values.get("mine")),
        )


def case_period_error(
    opened_from: datetime.date | None, opened_to: datetime.date | None
) -> str | None:
    """The case list's one rule across fields: a period may not end before it starts."""
    if opened_from and opened_to and opened_to < opened_from:
        return _("The end of the period is before its start.")
    return None


def case_queryset(*, actor: Any, action: str = Action.VIEW) -> QuerySet[Case]:
    """All cases the actor may act on, before filters."""
    return restrict(Case.objects.all(), actor, action)


def case_list(*, actor: Any, filters: CaseFilters | None = None) -> QuerySet[Case]:
    """The case list: scoped, filtered and sorted; callers paginate."""
    filters = filters or CaseFilters()
    queryset = case_queryset(actor=actor).select_related("owning_agency", "province")
    conditions = Q()
    if filters.kind:
        conditions &= Q(kind=filters.kind)
    if filters.status:
        conditions &= Q(status=filters.status)
    if filters.province:
        conditions &= Q(province_id=filters.province)
    if filters.agency:
        conditions &= Q(owning_agency_id=filters.agency)
    if filters.opened_from:
        conditions &= Q(opened_on__gte=filters.opened_from)
    if filters.opened_to:
        conditions &= Q(opened_on__lte=filters.opened_to)
    if filters.reference:
        conditions &= Q(reference__icontains=filters.reference.strip())
    if filters.mine:
        # My cases: those assigned to me, and those I registered that nobody carries yet.
        me = getattr(actor, "pk", None)
        conditions &= Q(assigned_to_id=me) | Q(assigned_to__isnull=True, created_by_id=me)
    order = CASE_SORTS.get(filters.sort, CASE_SORTS[DEFAULT_CASE_SORT])
    return queryset.filter(conditions).order_by(*order)


def case_get(*, actor: Any, pk: int | None = None, reference: str | None = None) -> Case:
    """One case the actor may see; the read is audited. Unknown and forbidden look the same."""
    lookup = {"pk": pk} if pk is not None else {"reference": reference}
    case = (
        case_queryset(actor=actor)
        .select_related("owning_agency", "province")
        .annotate(**_button_permissions(actor))
        .filter(**lookup)
        .first()
    )
    if case is None:
        if Case.objects.filter(**lookup).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="registry.case",
                object_id=str(pk or reference),
                detail={"wanted": "view"},
            )
        raise Http404(_("No such case."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=case)
    return case


# Actions whose buttons the case page shows; case_get reads them with the case itself.
BUTTON_ACTIONS = (Action.CHANGE, Action.CLOSE)


def _button_permissions(actor: Any) -> dict[str, Any]:
    """The same access rule (policies.case_q) evaluated per row, as boolean columns."""
    columns: dict[str, Any] = {}
    for action in BUTTON_ACTIONS:
        if same_rule_as_view(action):
            # case_get returns only rows the VIEW rule lets through: the answer is yes.
            columns[f"_ctip_can_{action}"] = Value(True)
            continue
        rule = case_q(actor, action)
        columns[f"_ctip_can_{action}"] = (
            ExpressionWrapper(rule, output_field=BooleanField()) if rule else Value(True)
        )
    return columns


def permission_read_with(case: Case, action: str) -> bool | None:
    """The permission case_get read together with the case, or None where it did not."""
    known = getattr(case, f"_ctip_can_{action}", None)
    return None if known is None else bool(known)


def case_can(*, actor: Any, case: Case, action: str) -> bool:
    """Whether the actor may do `action` to this case (for showing or hiding buttons)."""
    known = permission_read_with(case, action)
    if known is not None:
        return bool(known)
    return restrict(Case.objects.filter(pk=case.pk), actor, action).exists()


@dataclass
class CaseFile:
    """Everything on a case's page, read in a fixed number of queries."""

    case: Case
    participants: list[Participant]
    timeline: list[Event]
    arrests: list[Arrest]
    proceedings: list[Proceeding]
    shares: list[CaseShare] = field(default_factory=list)

    def participants_by_role(self, role: str) -> list[Participant]:
        return [p for p in self.participants if p.role == role]

    @property
    def victims(self) -> list[Participant]:
        return self.participants_by_role(ParticipantRole.VICTIM)

    @property
    def suspects(self) -> list[Participant]:
        return self.participants_by_role(ParticipantRole.SUSPECT)


def case_file(*, actor: Any, case: Case) -> CaseFile:
    """The case's participants, victim profiles, story timeline, arrests and proceedings.

    The caller has already obtained `case` through case_get, which checked and audited access.
    Each part is read through the access rule again: an agency that received a referral sees
    the referred participants only, and none of the owner's events, arrests or proceedings.
    """
    participants = list(
        restrict(Participant.objects.filter(case=case), actor)
        .select_related("person", "victim_profile")
        .prefetch_related(Prefetch("person__documents", queryset=IdentityDocument.objects.all()))
        .order_by("role", "id")
    )
    events = list(
        restrict(Event.objects.filter(case=case), actor)
        .select_related("country", "province")
        .prefetch_related("persons")
    )
    events.sort(key=lambda e: (e.occurred_on, EVENT_STORY_ORDER.get(e.kind, 99), e.pk))
    arrests = list(
        restrict(Arrest.objects.filter(case=case), actor).select_related(
            "person", "agency", "province"
        )
    )
    proceedings = list(
        restrict(Proceeding.objects.filter(case=case), actor).select_related("defendant", "court")
    )
    shares = list(CaseShare.objects.filter(case=case).select_related("agency"))
    return CaseFile(case, participants, events, arrests, proceedings, shares)


def case_record_get(
    *,
    actor: Any,
    model: type[Any],
    pk: int,
    related: tuple[str, ...],
    not_found: str,
    audit_view: bool = True,
    wanted: str = "view",
    case: Case | None = None,
) -> Any:
    """One record of a case the actor may see (participant, event, referral...).

    A record that exists but is out of the actor's reach answers like an unknown one, and
    the attempt is audited (guessed ids) with what was `wanted` of it; a granted read is
    audited unless `audit_view` is off (records that hold nothing about a person, such as
    tasks, or a record fetched to act on, whose action is audited itself). With `case`, only
    a record of that case is found (a page under one case's address naming another's record).
    """
    records = restrict(model.objects.all(), actor, Action.VIEW).select_related(*related)
    if case is not None:
        records = records.filter(case=case)
    record = records.filter(pk=pk).first()
    label = model._meta.label_lower
    if record is None:
        if model.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type=label,
                object_id=str(pk),
                detail={"wanted": wanted},
            )
        raise Http404(not_found)
    if audit_view:
        audit_record(actor=actor, action=AuditAction.VIEW, obj=record)
    return record


def participant_get(*, actor: Any, pk: int, case: Case | None = None) -> Participant:
    """One participant of a case the actor may see (of `case`, where given)."""
    participant: Participant = case_record_get(
        actor=actor,
        model=Participant,
        pk=pk,
        related=("case", "person", "victim_profile"),
        not_found=_("No such participant."),
        case=case,
    )
    return participant


def victim_profile_get(*, actor: Any, pk: int) -> VictimProfile:
    """One victim profile in a case the actor may see."""
    profile: VictimProfile = case_record_get(
        actor=actor,
        model=VictimProfile,
        pk=pk,
        related=("participant__case", "participant__person"),
        not_found=_("No such victim profile."),
    )
    return profile


def event_get(*, actor: Any, pk: int) -> Event:
    """One event of a case the actor may see."""
    event: Event = case_record_get(
        actor=actor,
        model=Event,
        pk=pk,
        related=("case", "country", "province"),
        not_found=_("No such event."),
    )
    return event


def arrest_get(*, actor: Any, pk: int) -> Arrest:
    """One arrest in a case the actor may see."""
    arrest: Arrest = case_record_get(
        actor=actor,
        model=Arrest,
        pk=pk,
        related=("case", "person", "agency", "province"),
        not_found=_("No such arrest."),
    )
    return arrest


def proceeding_get(*, actor: Any, pk: int) -> Proceeding:
    """One court proceeding in a case the actor may see."""
    proceeding: Proceeding = case_record_get(
        actor=actor,
        model=Proceeding,
        pk=pk,
        related=("case", "defendant", "court"),
        not_found=_("No such proceeding."),
    )
    return proceeding


# --- persons -------------------------------------------------------------------------------


def person_queryset(*, actor: Any, action: str = Action.VIEW) -> QuerySet[Person]:
    """Persons the actor may see: those in a visible case, or registered by the actor's agency."""
    scope = actor_scope(actor)
    if scope.is_superuser:
        return Person.objects.all()
    # A person is seen through a participation the actor may see: in a case of their own or
    # shared with them, or as the very participant a referral sent them (part "").
    in_visible_case = Participant.objects.filter(person=OuterRef("pk")).filter(
        case_q(actor, action, prefix="case__", part=Participant.referral_part)
    )
    # Only roles that work on records (not analysts, auditors or administrators) see persons
    # their agency registered.
    own_agencies = scope.agencies_with(ROLES_FOR_ACTION.get(action, frozenset()))
    return Person.objects.filter(
        Exists(in_visible_case) | Q(registered_by_id__in=sorted(own_agencies))
    )


@dataclass
class PersonQuery:
    """A person search: any combination of name, date of birth, age and document number."""

    name: str = ""
    date_of_birth: datetime.date | None = None
    age: int | None = None
    age_tolerance: int = 2
    document_number: str = ""
    limit: int = 50


def _name_condition(keys: list[str], *, fuzzy: bool = True) -> Q:
    """Each typed name part must match a stored key, in any order.

    PostgreSQL compares trigrams (pg_trgm word similarity, served by a GIN index), which also
    forgives typos the skeleton does not cover; SQLite matches whole keys or their beginnings.
    With fuzzy=False, PostgreSQL matches whole keys only (the `name_words` alias, served by
    the GIN index of migration 0003): far fewer candidates for common names.
    """
    condition = Q()
    if connection.vendor == "postgresql" and not fuzzy:
        return Q(name_words__contains=keys)
    for key in keys:
        if connection.vendor == "postgresql" and len(key) >= 3:
            condition &= Q(name_keys__trigram_word_similar=key)
        else:
            condition &= Q(name_keys__contains=f" {key}")
    return condition


def name_words() -> Func:
    """The stored name keys as an array, in the exact form migration 0003 indexes."""
    return Func(
        Func(F("name_keys"), function="btrim"),
        Value(" "),
        function="string_to_array",
        output_field=ArrayField(TextField()),
    )


def person_search(*, actor: Any, query: PersonQuery) -> list[Person]:
    """Find persons by name (either script, spelling-tolerant), birth date, age or document.

    Only persons whose identity the actor reads are matched, and searches are rate-limited
    (search_limits): a search must not confirm what masking hides. Raises TooManySearches.
    """
    search_rate_check(actor)
    queryset = searchable(actor, person_queryset(actor=actor))
    criteria = Q()
    keys = query_keys(query.name)
    if query.date_of_birth:
        criteria &= Q(dob_index=blind_index(query.date_of_birth.isoformat(), purpose="dob"))
    if query.age is not None:
        year = datetime.date.today().year - query.age
        criteria &= Q(
            birth_year__gte=year - query.age_tolerance, birth_year__lte=year + query.age_tolerance
        )
    if query.document_number.strip():
        index = document_number_index(query.document_number)
        criteria &= Q(
            Exists(IdentityDocument.objects.filter(person=OuterRef("pk"), number_index=index))
        )
    if not criteria and not keys:
        return []
    if keys and connection.vendor == "postgresql":
        # Whole-key matches first (one GIN lookup), then similar keys to fill the page: a
        # trigram scan over a common name's keys is what made search slow at 3 million persons.
        exact = queryset.alias(name_words=name_words()).filter(
            criteria & _name_condition(keys, fuzzy=False)
        )
        results: list[Person] = list(exact.order_by("id")[: query.limit])
        if len(results) < query.limit:
            similar = queryset.filter(criteria & _name_condition(keys)).exclude(
                pk__in=[person.pk for person in results]
            )
            results += list(similar.order_by("id")[: query.limit - len(results)])
    else:
        if keys:
            criteria &= _name_condition(keys)
        results = list(queryset.filter(criteria).order_by("id")[: query.limit])
    audit_record(
        actor=actor,
        action=AuditAction.SEARCH,
        object_type=PERSON_SEARCH,
        detail={
            "criteria": [
                k for k, v in vars(query).items() if v and k not in ("limit", "age_tolerance")
            ],
            "results": len(results),
        },
    )
    return results


def person_get(*, actor: Any, pk: int) -> Person:
    """One person the actor may see; the read is audited."""
    person = person_queryset(actor=actor).filter(pk=pk).first()
    if person is None:
        if Person.objects.filter(pk=pk).exists():
            audit_record(
                actor=actor,
                action=AuditAction.DENIED,
                object_type="registry.person",
                object_id=str(pk),
                detail={"wanted": "view"},
            )
        raise Http404(_("No such person."))
    audit_record(actor=actor, action=AuditAction.VIEW, obj=person)
    return person


def person_cases(*, actor: Any, person: Person) -> list[Participant]:
    """The person's roles in cases the actor may see."""
    return list(
        restrict(Participant.objects.filter(person=person), actor, Action.VIEW)
        .select_related("case", "case__owning_agency", "victim_profile")
        .order_by("-case__opened_on")
    )


def require_case_action(*, actor: Any, case: Case, action: str) -> None:
    """Raise PermissionDenied when the actor may not act on the case (views call this early,
    before the service would). The refusal is audited as the service's own would be."""
    if not case_can(actor=actor, case=case, action=action):
        audit_record(
            actor=actor, action=AuditAction.DENIED, obj=case, detail={"wanted": str(action)}
        )
        raise PermissionDenied(_("You may not do this to this case."))
