"""Write the screening XLSForm (docs/) and its XForm (ctip/screening/data/) from the indicators.

The indicators, their questions and their translations live in the code and catalogues; the
form is generated from them so that the phone and the page ask the same questions. pyxform
(a dev dependency) converts the XLSForm; the XForm is committed, so nothing converts at run
time.
"""

import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from ctip.screening.choices import DECIDED, INDICATORS, LANGUAGES, Answer, Decision
from ctip.screening.field import FORM_ID, FORM_PATH, question_in

# XLSForm language columns: "English (en)" and so on.
FORM_LANGUAGES = (
    ("en", "English"),
    ("km", "Khmer"),
    ("zh", "Chinese"),
    ("vi", "Vietnamese"),
    ("th", "Thai"),
    ("id", "Indonesian"),
)


def _label(text: Any, code: str) -> str:
    if code in ("en", "km"):
        with translation.override(code):
            return str(text)
    with translation.override("en"):
        return str(text)  # the officer's English where the person's language has no wording


def build(path: Path) -> None:
    import openpyxl
    from django.utils.translation import gettext_lazy as _

    columns = [f"label::{name} ({code})" for code, name in FORM_LANGUAGES]
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", *columns, "required", "relevant", "constraint"])

    def row(
        kind: str,
        name: str,
        label: Any,
        required: str = "",
        relevant: str = "",
        constraint: str = "",
        labels: list[str] | None = None,
    ) -> None:
        texts = labels or [_label(label, code) for code, _n in FORM_LANGUAGES]
        survey.append([kind, name, *texts, required, relevant, constraint])

    row("integer", "operation", _("Operation number (on the operation's page)"), "yes", "", ". > 0")
    row("integer", "number", _("Person's number in the operation"), "yes", "", ". > 0")
    row("date", "interviewed_on", _("Date of the interview"), "yes", "", ". <= today()")
    row("select_one languages", "language", _("Language of the interview"), "yes")
    row("select_one yes_no", "interpreter", _("Through an interpreter?"), "yes")
    row("begin_group", "indicators", _("Indicators"))
    for indicator in INDICATORS:
        row(
            "select_one answers",
            indicator.code,
            None,
            "yes",
            labels=[
                question_in(indicator.code, code) or question_in(indicator.code, "en")
                for code, _n in FORM_LANGUAGES
            ],
        )
    row("end_group", "", "", labels=["" for _c in FORM_LANGUAGES])
    row("select_one decisions", "decision", _("Decision"), "yes")
    row("text", "reasons", _("Reasons for the decision"), "yes")
    row(
        "select_one yes_no",
        "consent",
        _("Does the person agree that their embassy is told who they are?"),
        "yes",
        "${decision} = 'identified' or ${decision} = 'presumed'",
    )
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *columns])

    def choice(list_name: str, name: str, label: Any) -> None:
        choices.append([list_name, name, *[_label(label, c) for c, _n in FORM_LANGUAGES]])

    for code, label in LANGUAGES:
        choice("languages", code, label)
    choice("yes_no", "yes", Answer.YES.label)
    choice("yes_no", "no", Answer.NO.label)
    for answer in Answer:
        choice("answers", answer.value, answer.label)
    for decision in DECIDED:
        choice("decisions", decision.value, Decision(decision).label)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language", "version"])
    settings.append(["ctip screening", FORM_ID, "English (en)", "2026120601"])
    book.save(path)


class Command(BaseCommand):
    help = "Write the screening XLSForm and convert it to the XForm ODK Collect loads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--xlsform", default="docs/screening_xlsform.xlsx")
        parser.add_argument("--xform", default=str(FORM_PATH))

    def handle(self, *args: Any, **options: Any) -> None:
        from pyxform.xls2xform import convert

        xlsform = Path(options["xlsform"])
        build(xlsform)
        with tempfile.TemporaryDirectory():
            result = convert(xlsform=str(xlsform), warnings=[])
        Path(options["xform"]).write_text(result.xform, encoding="utf-8")
        self.stdout.write(f"{xlsform} -> {options['xform']}")
