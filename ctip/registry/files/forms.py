"""Forms for attaching files to cases and persons (the service checks the content)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms.fields import person_label
from ..models import Participant


class ParticipantChoiceField(forms.ModelChoiceField):
    """Persons of the case by name as the actor may read it, with their role."""

    actor: Any = None

    def label_from_instance(self, obj: Any) -> str:
        return f"{person_label(self.actor, obj.person)} ({obj.get_role_display()})"


class AttachmentForm(forms.Form):
    """One file and what it is."""

    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A photo (JPEG, PNG, WebP), a PDF or a text file. Location and camera details "
            "are removed."
        ),
    )
    description = forms.CharField(
        label=_("What it is"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CaseAttachmentForm(AttachmentForm):
    """A file on a case, about the whole case or one person in it."""

    participant = ParticipantChoiceField(
        label=_("About"),
        queryset=Participant.objects.none(),
        required=False,
        empty_label=_("The whole case"),
    )

    def __init__(self, *args: Any, participants: list[Participant], actor: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["participant"]
        assert isinstance(field, ParticipantChoiceField)
        field.queryset = Participant.objects.filter(pk__in=[p.pk for p in participants])
        field.actor = actor
