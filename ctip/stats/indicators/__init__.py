"""The indicator catalogue: one definition per indicator, its counting rule and its query.

Every query receives a case queryset already narrowed to what the acting user may aggregate
(see selectors.aggregate_cases_refreshing_rows) and one or more periods, and returns a Cube per
period: counts per combination of the indicator's disaggregations, counted in the database.
Cases are counted from the case table; person indicators from the indicator rows
(stats.IndicatorRow, read from the registry's joins by ROW_SOURCES whenever a case changes,
decision 0306). Person indicators count each person once per period; the person's attributes
are taken from their first qualifying record in the period, so that each person falls in
exactly one cell of every breakdown and margins always add up.
"""

from .catalogue import CATALOGUE, indicator, register_dimension, register_indicator
from .counting import (
    AGE_GROUPS,
    FIRST,
    PERIOD,
    Bands,
    Firsts,
    Periods,
    analytic_session,
    cases_query,
)
from .cube import NATIONAL, NOT_A_VICTIM, Cube, Indicator
from .dimensions import (
    age_at,
    age_band_of,
    age_group_of,
    first_code_expr,
    nationality_expr,
    nationality_group_of,
    sentence_band_of,
)
from .persons import (
    ARREST_FIRSTS,
    DEFENDANT_BANDS,
    DEFENDANT_FIRSTS,
    ROW_NAMES,
    SUSPECT_FIRSTS,
    VICTIM_DIMS,
    VICTIM_FIRSTS,
    arrests_query,
    convictions_query,
    national_rate_per_100k,
    prison_sentences_query,
    prosecutions_query,
    rates_per_100k,
    suspects_query,
    victims_identified_query,
    victims_per_100k_query,
    victims_referred_query,
    victims_rescued_query,
)
from .sources import ROW_COLUMNS, ROW_SOURCES

__all__ = [
    "AGE_GROUPS",
    "ARREST_FIRSTS",
    "CATALOGUE",
    "DEFENDANT_BANDS",
    "DEFENDANT_FIRSTS",
    "FIRST",
    "NATIONAL",
    "NOT_A_VICTIM",
    "PERIOD",
    "ROW_COLUMNS",
    "ROW_NAMES",
    "ROW_SOURCES",
    "SUSPECT_FIRSTS",
    "VICTIM_DIMS",
    "VICTIM_FIRSTS",
    "Bands",
    "Cube",
    "Firsts",
    "Indicator",
    "Periods",
    "age_at",
    "age_band_of",
    "age_group_of",
    "analytic_session",
    "arrests_query",
    "cases_query",
    "convictions_query",
    "first_code_expr",
    "indicator",
    "national_rate_per_100k",
    "nationality_expr",
    "nationality_group_of",
    "prison_sentences_query",
    "prosecutions_query",
    "rates_per_100k",
    "register_dimension",
    "register_indicator",
    "sentence_band_of",
    "suspects_query",
    "victims_identified_query",
    "victims_per_100k_query",
    "victims_referred_query",
    "victims_rescued_query",
]
