"""Forms of the intake app: the public report form, the follow-up with a receipt code, the
operator's record form and the triage forms. They parse; the services decide."""

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import OPERATOR_CHANNELS, Answer, NotActionableReason, Outcome, ReportLanguage
from .services import ReportInput
from .services.reports import MAX_ITEM, MAX_ITEMS, MAX_SHORT, MAX_TEXT

# Form-level bounds a little above the services' own, so that the service's message (which
# names the limit) is what a person sees, while a megabyte of text is still cut off here.
SLACK = 100


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()][: MAX_ITEMS + 1]


class ReportFields(forms.Form):
    """What a report says: the same fields for the public and for operators."""

    what = forms.CharField(
        label=_("What is happening?"),
        help_text=_("Describe what you saw or heard, in your own words."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MAX_TEXT + SLACK,
        required=False,
    )
    province = forms.CharField(required=False, max_length=10)
    district = forms.CharField(required=False, max_length=10)
    commune = forms.CharField(required=False, max_length=10)
    village = forms.CharField(required=False, max_length=10)
    address = forms.CharField(
        label=_("Address or description of the place"),
        help_text=_("A building, a road, a landmark: anything that helps find it."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_SHORT * 2 + SLACK,
        required=False,
    )
    pin = forms.CharField(
        label=_("Map point (latitude, longitude)"),
        help_text=_("If you know it, e.g. 10.6104, 103.5290."),
        max_length=60,
        required=False,
    )
    people = forms.CharField(
        label=_("Who is involved?"),
        help_text=_("Describe the people held and the people holding them, if you can."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_SHORT * 2 + SLACK,
        required=False,
    )
    phones = forms.CharField(
        label=_("Phone numbers"),
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=(MAX_ITEM + 2) * (MAX_ITEMS + 1),
        required=False,
    )
    accounts = forms.CharField(
        label=_("Social-media accounts (Facebook, Telegram, WeChat…)"),
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=(MAX_ITEM + 2) * (MAX_ITEMS + 1),
        required=False,
    )
    websites = forms.CharField(
        label=_("Websites"),
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=(MAX_ITEM + 2) * (MAX_ITEMS + 1),
        required=False,
    )
    people_count = forms.IntegerField(
        label=_("How many people are held there, about?"),
        min_value=0,
        max_value=100_000,
        required=False,
    )
    when = forms.CharField(
        label=_("When did it happen, or since when?"),
        max_length=MAX_SHORT * 2 + SLACK,
        required=False,
    )
    child_involved = forms.ChoiceField(
        label=_("Is a child (under 18) involved?"),
        choices=Answer.choices,
        initial=Answer.UNKNOWN,
        widget=forms.RadioSelect,
    )
    danger_now = forms.ChoiceField(
        label=_("Is someone in danger right now?"),
        choices=Answer.choices,
        initial=Answer.UNKNOWN,
        widget=forms.RadioSelect,
    )
    contact = forms.CharField(
        label=_("How can we contact you? (optional)"),
        help_text=_(
            "Only if you want us to. Leave it empty to stay anonymous: you can still read our "
            "answers with your receipt code."
        ),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MAX_SHORT * 2 + SLACK,
        required=False,
    )

    def place_codes(self) -> list[str]:
        data = self.data
        return [str(data.get(name, "") or "")[:10] for name in PLACE_FIELDS]

    def report_input(self, place_code: str) -> ReportInput:
        data: dict[str, Any] = self.cleaned_data
        return ReportInput(
            what=data.get("what", ""),
            place_code=place_code,
            address=data.get("address", ""),
            pin=data.get("pin", ""),
            people=data.get("people", ""),
            phones=_lines(data.get("phones", "")),
            accounts=_lines(data.get("accounts", "")),
            websites=_lines(data.get("websites", "")),
            people_count=data.get("people_count"),
            when=data.get("when", ""),
            child_involved=data.get("child_involved") or Answer.UNKNOWN,
            danger_now=data.get("danger_now") or Answer.UNKNOWN,
            contact=data.get("contact", ""),
        )


PLACE_FIELDS = ("province", "district", "commune", "village")


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input (a plain <input type=file multiple>, no script); the
    service checks how many, how large and what they are."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


ACCEPT = "image/jpeg,image/png,image/webp,application/pdf,text/plain"
FILES_HELP = _(
    "Up to %(n)d photos (JPEG, PNG, WebP), PDFs or text files, %(mb)d MB each. Where and "
    "with what camera a photo was taken, and who wrote a PDF, are removed before it is kept. "
    "Choose them last, just before you send: a browser forgets chosen files when the page "
    "comes back."
)


def files_help() -> str:
    return str(FILES_HELP) % {
        "n": settings.CTIP_INTAKE_FILES_PER_MESSAGE,
        "mb": settings.CTIP_FILE_MAX_BYTES // (1024 * 1024),
    }


class PublicReportForm(ReportFields):
    """The public form, with files and the proof-of-work fields the script fills in."""

    file = FilesField(label=_("Photos or documents (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = files_help()

    pow_challenge = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    pow_solution = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


class RecordForm(ReportFields):
    """An operator records a call or message."""

    channel = forms.ChoiceField(
        label=_("Channel"), choices=[(c.value, c.label) for c in OPERATOR_CHANNELS]
    )
    language = forms.ChoiceField(label=_("Language of the report"), choices=ReportLanguage.choices)
    give_receipt = forms.BooleanField(
        label=_("Give the caller a receipt code to follow up"), required=False, initial=True
    )

    field_order = ["channel", "language"]


class ReceiptForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        help_text=_("The 16 digits you were given when you sent your report."),
        max_length=64,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your message"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_TEXT + SLACK,
    )
    file = FilesField(label=_("Photos or documents (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = files_help()


class StaffMessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message to the reporter"),
        help_text=_("The reporter reads it with their receipt code."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_TEXT + SLACK,
    )


class MatterCreateForm(forms.Form):
    title = forms.CharField(label=_("Summary of the matter"), max_length=500, required=False)


class GroupForm(forms.Form):
    matter = forms.CharField(
        label=_("Matter reference"), help_text=_("e.g. M-2026-00012"), max_length=20
    )


class AgencyChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code} — {obj.label}"


class AssignForm(forms.Form):
    agency = AgencyChoiceField(label=_("Unit or province committee"), queryset=None)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        assert isinstance(field, AgencyChoiceField)
        field.queryset = agencies


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(
        label=_("Reason (not actionable)"),
        choices=[("", "—"), *NotActionableReason.choices],
        required=False,
    )
    referred_to = forms.CharField(label=_("Authority referred to"), max_length=200, required=False)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
