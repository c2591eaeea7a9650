"""Forms of the FollowTheMoney exchange page: they parse; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ctip.registry.choices import ParticipantRole

MAX_UPLOAD = 20 * 1024 * 1024


class ExportForm(forms.Form):
    case = forms.CharField(
        label=_("Case reference"),
        required=False,
        max_length=32,
        help_text=_("Empty: every case you may see."),
    )


class ImportForm(forms.Form):
    case = forms.CharField(label=_("Into the case (reference)"), max_length=32)
    role = forms.ChoiceField(
        label=_("Persons take part as"),
        choices=[(r.value, r.label) for r in ParticipantRole if r.value != "victim"],
        initial=ParticipantRole.SUSPECT,
        help_text=_(
            "Investigators register suspects and other parts of a network, in cases their "
            "agency owns; in a case shared with their agency they record organisations and "
            "identifiers only."
        ),
    )
    file = forms.FileField(
        label=_("FollowTheMoney file (JSON lines)"),
        help_text=_("One entity a line, as Aleph, OpenSanctions and ftm write it; at most 20 MB."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload
