"""The screening interview away from the office: question wording per language, and the
XLSForm's submissions coming back through exchange's OpenRosa endpoint.

The XForm (data/screening_xform.xml) is generated from the XLSForm (docs/screening_xlsform.xlsx)
by `ctip screening-xlsform`, which writes both (pyxform, a dev dependency); nothing is
converted at run time. A submission names the operation and the person's number in it; it is
recorded with `services.screening_record`, once per instance id.
"""

import datetime
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from ctip.access.choices import Action
from ctip.exchange.openrosa import OpenRosaForm

from . import selectors, services
from .choices import INDICATOR_BY_CODE, INDICATOR_CODES, Answer, Decision

DATA = Path(__file__).resolve().parent / "data"
FORM_ID = "ctip_screening"
FORM_PATH = DATA / "screening_xform.xml"


@lru_cache(maxsize=1)
def _translations() -> dict[str, dict[str, str]]:
    data = json.loads((DATA / "questions.json").read_text(encoding="utf-8"))
    return {lang: words for lang, words in data.items() if not lang.startswith("_")}


def question_languages() -> tuple[str, ...]:
    """Languages the questions can be shown in besides the interface's own (en, km)."""
    return ("en", "km", *sorted(_translations()))


def question_in(code: str, language: str) -> str:
    """The question of an indicator in a language: from the app's catalogue for English and
    Khmer, from the shipped translations for the others; '' where there is none."""
    if language in ("en", "km"):
        with translation.override(language):
            return str(INDICATOR_BY_CODE[code].question)
    return _translations().get(language, {}).get(code, "")


def _flag(value: str) -> bool:
    return str(value).strip().lower() in ("yes", "true", "1")


def receive(*, actor: Any, record: dict[str, str]) -> str:
    """Record one interview sent from ODK Collect or KoboToolbox."""
    errors: dict[str, list[str]] = {}
    numbers: dict[str, int] = {}
    for name in ("operation", "number"):
        try:
            numbers[name] = int(record.get(name, ""))
        except ValueError:
            errors[name] = [_("A whole number is required.")]
    try:
        interviewed_on = datetime.date.fromisoformat(record.get("interviewed_on", "")[:10])
    except ValueError:
        errors["interviewed_on"] = [_("A date is required.")]
    if errors:
        raise ValidationError(errors)
    try:
        operation = selectors.operation_get(
            actor=actor, pk=numbers["operation"], action=Action.CHANGE
        )
        found = selectors.found_by_number(
            actor=actor, operation=operation, number=numbers["number"]
        )
    except Http404 as error:
        # Unknown and forbidden alike: the phone learns nothing about other operations.
        raise ValidationError({"number": [str(error)]}) from error
    answers = {code: record[code] for code in INDICATOR_CODES if record.get(code) in Answer.values}
    screening = services.screening_record(
        actor=actor,
        found=found,
        interviewed_on=interviewed_on,
        language=record.get("language", ""),
        answers=answers,
        decision=record.get("decision", ""),
        reasons=record.get("reasons", ""),
        interpreter=_flag(record.get("interpreter", "")),
        consent_to_embassy=_flag(record.get("consent", "")),
        submission_id=record.get("instanceID") or None,
    )
    return _("Screening of person #%(number)d recorded: %(decision)s.") % {
        "number": found.number,
        "decision": Decision(screening.decision).label,
    }


OPENROSA_FORM = OpenRosaForm(
    form_id=FORM_ID,
    name="ctip — victim screening / ការពិនិត្យសម្គាល់ជនរងគ្រោះ",
    path=FORM_PATH,
    receive=receive,
)
