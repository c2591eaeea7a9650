"""The catalogue: every indicator's names, unit, disaggregations, counting rule and query."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from ..choices import DIMENSION_LABELS, EXTRA_VALUE_LABELS
from .counting import cases_query
from .cube import Indicator
from .persons import (
    VICTIM_DIMS,
    arrests_query,
    convictions_query,
    prison_sentences_query,
    prosecutions_query,
    suspects_query,
    victims_identified_query,
    victims_per_100k_query,
    victims_referred_query,
    victims_rescued_query,
)

CATALOGUE: dict[str, Indicator] = {
    i.id: i
    for i in (
        Indicator(
            "cases",
            "Cases registered",
            "ករណីដែលបានចុះបញ្ជី",
            "cases",
            ("kind", "status", "province", "agency"),
            "Each case once, in the period its opening date (the date it was registered) falls "
            "in. Status is the status today. Province and agency are the case's own.",
            cases_query,
        ),
        Indicator(
            "arrests",
            "Persons arrested",
            "ជនសង្ស័យដែលត្រូវបានចាប់ខ្លួន",
            "persons",
            ("sex", "nationality_group", "nationality", "province", "case_kind"),
            "Each person arrested once per period, however many arrests, by the arrest date. "
            "Foreign: no Cambodian citizenship recorded (dual nationals count as nationals). "
            "Province of the arrest, else of the case. Attributes from the first arrest.",
            arrests_query,
        ),
        Indicator(
            "suspects",
            "Suspects in cases registered",
            "ជនសង្ស័យក្នុងករណីដែលបានចុះបញ្ជី",
            "persons",
            ("sex", "nationality_group", "nationality", "case_kind"),
            "Each person once per period who is a suspect in at least one case registered in "
            "the period; the case kind is that of their first such case.",
            suspects_query,
        ),
        Indicator(
            "victims_identified",
            "Victims identified",
            "ជនរងគ្រោះដែលត្រូវបានកំណត់អត្តសញ្ញាណ",
            "persons",
            VICTIM_DIMS,
            "Each person once per period who is a victim in a case (not marked 'not a victim'), "
            "by the date identified, or the case's opening date when that is not recorded. Age "
            "in the year of identification (from the year of birth, else the age when "
            "trafficked); minors are under 18; CTDC age bands. Nationality: Cambodian when "
            "among the citizenships, else the first listed. Form of exploitation: the first "
            "recorded. Province of the case.",
            victims_identified_query,
        ),
        Indicator(
            "victims_rescued",
            "Victims rescued",
            "ជនរងគ្រោះដែលត្រូវបានជួយសង្គ្រោះ",
            "persons",
            VICTIM_DIMS,
            "Each victim once per period however many rescues, by the date of the rescue event "
            "they are linked to; a victim rescued twice in the period counts once, with the "
            "attributes of the first rescue. Province of the rescue, else of the case. Age "
            "and nationality as for victims identified.",
            victims_rescued_query,
        ),
        Indicator(
            "victims_referred",
            "Victims referred to services",
            "ជនរងគ្រោះដែលត្រូវបានបញ្ជូនទៅសេវា",
            "persons",
            VICTIM_DIMS,
            "Each victim once per period who is linked to a referral event dated in the "
            "period, however many referrals.",
            victims_referred_query,
        ),
        Indicator(
            "prosecutions",
            "Defendants prosecuted",
            "ជនជាប់ចោទដែលត្រូវបានចោទប្រកាន់នៅតុលាការ",
            "persons",
            ("sex", "case_kind", "province"),
            "Each defendant once per period with a court proceeding filed in the period; a "
            "proceeding without a named defendant counts as one defendant.",
            prosecutions_query,
        ),
        Indicator(
            "convictions",
            "Defendants convicted",
            "ជនជាប់ចោទដែលត្រូវបានផ្តន្ទាទោស",
            "persons",
            ("sex", "case_kind", "province", "sentence"),
            "Each defendant once per period with a conviction dated (verdict date) in the "
            "period; sentence band from the first such conviction.",
            convictions_query,
        ),
        Indicator(
            "prison_sentences",
            "Defendants sentenced to prison",
            "ជនជាប់ចោទដែលត្រូវបានកាត់ទោសឱ្យជាប់ពន្ធនាគារ",
            "persons",
            ("sentence", "case_kind"),
            "Each defendant once per period convicted in the period with a prison term of at "
            "least one month, by length of the term.",
            prison_sentences_query,
        ),
        Indicator(
            "victims_per_100k",
            "Victims identified per 100,000 population (SDG 16.2.2)",
            "ជនរងគ្រោះដែលត្រូវបានកំណត់អត្តសញ្ញាណ ក្នុងប្រជាជន ១០០.០០០ នាក់ (SDG 16.2.2)",
            "per 100,000 population",
            ("province",),
            "Victims identified (as above) divided by the 2019 census population, times "
            "100,000; the national rate divides the national count by the national "
            "population. Not additive: the province rates do not sum to the national rate.",
            victims_per_100k_query,
            derived=True,
        ),
    )
}


def indicator(indicator_id: str, field: str = "indicator") -> Indicator:
    """The catalogue entry, or a ValidationError naming the field."""
    from django.core.exceptions import ValidationError

    try:
        return CATALOGUE[indicator_id]
    except KeyError:
        raise ValidationError(
            {field: _("Unknown indicator %(value)r.") % {"value": indicator_id}}
        ) from None


def register_dimension(dim: str, label: Any, values: list[tuple[str, Any]]) -> None:
    """Name a breakdown (and its values) that an indicator registered by an app above stats
    uses, so that pages, reports and their Khmer versions show names rather than codes."""
    DIMENSION_LABELS.setdefault(dim, label)
    EXTRA_VALUE_LABELS[dim] = list(values)


def register_indicator(entry: Indicator) -> None:
    """Add an indicator owned by an app above stats (intake, verification, screening…).

    Stats cannot import those apps (decision 0011), so they register their indicators in their
    AppConfig.ready(); the catalogue, the dashboard and the half-year report then list them
    like the registry's own.
    """
    if entry.id in CATALOGUE and CATALOGUE[entry.id] is not entry:
        raise ValueError(f"Indicator {entry.id!r} is registered twice")
    CATALOGUE[entry.id] = entry
