"""Forms of the import and export pages: they parse input only; services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.access.models import Agency

from .htcds import COLUMNS


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv) or ODK/Kobo export (.csv, .json)"))
    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label=_("Agency owning the cases")
    )
    mapping = forms.ChoiceField(label=_("Layout"), required=False)
    sheet = forms.CharField(label=_("Sheet name (if not the first that fits)"), required=False)
    month_first = forms.BooleanField(label=_("Dates are month first (MM/DD/YYYY)"), required=False)
    kobo = forms.BooleanField(label=_("This is an ODK / KoboToolbox export"), required=False)

    def __init__(self, *args, agencies=None, mappings=(), **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()
        self.fields["mapping"].choices = [("", _("HTCDS 2.0 template"))] + [
            (m.name, m.name) for m in mappings
        ]


class ApplyForm(forms.Form):
    skip_rejected = forms.BooleanField(label=_("Skip the rows with problems"), required=False)


class MappingForm(forms.Form):
    """One text box per ctip column: the header of the agency's column that holds it."""

    name = forms.CharField(label=_("Name of this layout"), max_length=80)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Agency"))
    sheet = forms.CharField(label=_("Sheet name"), required=False)
    day_first = forms.BooleanField(label=_("Dates are day first"), required=False, initial=True)

    def __init__(self, *args, agencies=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies if agencies is not None else Agency.objects.none()
        for column in COLUMNS:
            self.fields[f"col_{column.name}"] = forms.CharField(
                label=f"{column.label} ({column.name})", required=False, max_length=120
            )

    def columns(self) -> dict[str, str]:
        return {
            name[4:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("col_") and value
        }


class ExportForm(forms.Form):
    layout = forms.ChoiceField(
        label=_("Layout"),
        choices=[
            ("htcds", _("HTCDS 2.0 (one row per victim)")),
            ("cases", _("Case list")),
            ("ctdc", _("CTDC global dataset (k-anonymous, for publication)")),
        ],
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=[("csv", "CSV"), ("xlsx", "XLSX"), ("json", "JSON")]
    )
