"""The indicator rows' sources: the registry joins each person indicator counts (decision 0306)."""

from collections.abc import Callable
from typing import Any

from django.db.models import (
    BigIntegerField,
    DateField,
    F,
    FilteredRelation,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models import Case as DjCase
from django.db.models.functions import (
    Cast,
    Coalesce,
    ExtractMonth,
    ExtractYear,
    NullIf,
)
from django.db.models.lookups import LessThanOrEqual

from ctip.registry.choices import EventKind, ParticipantRole, Verdict
from ctip.registry.models import Arrest, Event, Participant, Proceeding
from ctip.registry.selectors import person_counting_key

from ..choices import UNKNOWN
from .counting import _age_expr
from .cube import NOT_A_VICTIM
from .dimensions import first_code_expr, nationality_expr

# --- indicator rows: what each person indicator counts, read once from the registry ----------
#
# A person indicator counts records (arrests, victim participations, rescue links, proceedings)
# whose values come from four or five of the registry's largest tables. Joining them for every
# report cost seconds at a million cases; instead each record is read once into one narrow
# table, stats.IndicatorRow, when its case changes (decision 0306), and the indicators count
# from there. The sources below are those joins, each giving the row's columns (ROW_COLUMNS);
# rows.indicator_rows_refresh writes them. Who counts once per period is decided when
# counting (_count_first), so the rows serve every actor's scope alike.

ROW_COLUMNS = (
    "case_id",
    "day",
    "year",
    "half",
    "row_id",
    "person_id",
    "unnamed",
    "sex",
    "nationality",
    "age",
    "exploitation",
    "province_id",
    "case_kind",
    "months",
)
# Each column is cast to its type: a bare NULL, or a CASE with a NULL default, would reach
# PostgreSQL as text.
_COLUMN_TYPES = {
    "case_id": BigIntegerField,
    "day": DateField,
    "year": IntegerField,
    "half": IntegerField,
    "row_id": BigIntegerField,
    "person_id": BigIntegerField,
    "unnamed": BigIntegerField,
    "age": IntegerField,
    "province_id": BigIntegerField,
    "months": IntegerField,
}


def _source(queryset: QuerySet[Any], **columns: Any) -> QuerySet[Any]:
    """The queryset's rows as ROW_COLUMNS (named r_<column>); columns not given are NULL.
    The year and half-year are the day's, kept for ranking each person's rows per period."""
    day = columns["day"]
    columns["year"] = ExtractYear(day)
    columns["half"] = DjCase(
        When(LessThanOrEqual(ExtractMonth(day), 6), then=Value(1)), default=Value(2)
    )
    named = {
        f"r_{name}": Cast(columns.get(name, Value(None)), _COLUMN_TYPES.get(name, TextField)())
        for name in ROW_COLUMNS
    }
    return queryset.annotate(**named).order_by().values(*named)


def _arrest_source() -> QuerySet[Any]:
    return _source(
        Arrest.objects.all(),
        case_id=F("case_id"),
        day=F("arrested_on"),
        row_id=F("id"),
        person_id=person_counting_key("person_id"),
        sex=F("person__sex"),
        nationality=nationality_expr("person__citizenships"),
        province_id=Coalesce("province_id", "case__province_id"),
        case_kind=F("case__kind"),
    )


def _suspect_source() -> QuerySet[Any]:
    return _source(
        Participant.objects.filter(role=ParticipantRole.SUSPECT),
        case_id=F("case_id"),
        day=F("case__opened_on"),
        row_id=F("id"),
        person_id=person_counting_key("person_id"),
        sex=F("person__sex"),
        nationality=nationality_expr("person__citizenships"),
        case_kind=F("case__kind"),
    )


def _victims(queryset: QuerySet[Participant]) -> QuerySet[Participant]:
    """Participants in the victim role not marked 'not a victim' (no profile: a victim)."""
    return (
        queryset.filter(role=ParticipantRole.VICTIM)
        .alias(st_status=Coalesce("victim_profile__trafficking_status", Value("")))
        .exclude(st_status=NOT_A_VICTIM)
    )


def _victim_columns(day: str, profile: str) -> dict[str, Any]:
    """The victim's cell values; `day` is the row's date, `profile` the path to the profile."""
    return {
        "day": F(day),
        "sex": F("person__sex"),
        "age": _age_expr(day, "person__birth_year", f"{profile}__age_when_trafficked"),
        "nationality": nationality_expr("person__citizenships"),
        "exploitation": first_code_expr(f"{profile}__exploitation_types"),
    }


def _identified_source() -> QuerySet[Any]:
    # Dated by identified_on, else by the case's opening date.
    victims = _victims(Participant.objects.all()).annotate(
        st_day=Coalesce("victim_profile__identified_on", "case__opened_on")
    )
    return _source(
        victims,
        case_id=F("case_id"),
        row_id=F("id"),
        person_id=person_counting_key("person_id"),
        province_id=F("case__province_id"),
        **_victim_columns("st_day", "victim_profile"),
    )


def _event_victim_source(kind: str) -> QuerySet[Any]:
    """Victims linked to events of one kind: a link counts when the linked person is a victim
    in the event's own case (one participation at most: a person has a role once per case)."""
    links: QuerySet[Any] = (
        Event.persons.through.objects.annotate(
            victim=FilteredRelation(
                "person__participations",
                condition=Q(
                    person__participations__role=ParticipantRole.VICTIM,
                    person__participations__case_id=F("event__case_id"),
                ),
            )
        )
        .filter(event__kind=kind)
        .filter(Q(victim__isnull=False))  # Q: the type checker does not see the relation
        .alias(st_status=Coalesce("victim__victim_profile__trafficking_status", Value("")))
        .exclude(Q(st_status=NOT_A_VICTIM))
    )
    return _source(
        links,
        case_id=F("event__case_id"),
        row_id=F("event_id"),
        person_id=person_counting_key("person_id"),
        province_id=Coalesce("event__province_id", "event__case__province_id"),
        **_victim_columns("event__occurred_on", "victim__victim_profile"),
    )


def _defendant_source(proceedings: QuerySet[Proceeding], day: str) -> QuerySet[Any]:
    # A defendant is a person; an unnamed defendant counts once per proceeding: `unnamed` is
    # the proceeding's id only when no defendant is named.
    return _source(
        proceedings.filter(**{f"{day}__isnull": False}),
        case_id=F("case_id"),
        day=F(day),
        row_id=F("id"),
        person_id=person_counting_key("defendant_id"),
        unnamed=DjCase(When(defendant__isnull=True, then=F("id")), default=Value(None)),
        sex=Coalesce(NullIf("defendant__sex", Value("")), Value(UNKNOWN)),
        case_kind=F("case__kind"),
        province_id=F("case__province_id"),
        months=F("sentence_months"),
    )


# source name -> (its rows, the path from a row to its case id); the names are stored in
# IndicatorRow.source.
ROW_SOURCES: dict[str, tuple[Callable[[], QuerySet[Any]], str]] = {
    "arrests": (_arrest_source, "case_id"),
    "suspects": (_suspect_source, "case_id"),
    "victims_identified": (_identified_source, "case_id"),
    "victims_rescued": (lambda: _event_victim_source(EventKind.RESCUE), "event__case_id"),
    "victims_referred": (lambda: _event_victim_source(EventKind.REFERRAL), "event__case_id"),
    "prosecutions": (
        lambda: _defendant_source(Proceeding.objects.all(), "filed_on"),
        "case_id",
    ),
    "convictions": (
        lambda: _defendant_source(
            Proceeding.objects.filter(verdict=Verdict.CONVICTED), "verdict_on"
        ),
        "case_id",
    ),
    # Its own rows: a person's first prison sentence need not be their first conviction.
    "prison_sentences": (
        lambda: _defendant_source(
            Proceeding.objects.filter(verdict=Verdict.CONVICTED, sentence_months__gt=0),
            "verdict_on",
        ),
        "case_id",
    ),
}
