"""Forms of the access app: one-time codes and the reveal request."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see these details?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    password = forms.CharField(label=_("Your password"), required=False, widget=forms.PasswordInput)
    otp_token = forms.CharField(label=_("or a current code"), required=False, max_length=8)


class DeviceTokenForm(forms.Form):
    username = forms.CharField(label=_("Account"), max_length=150)
    name = forms.CharField(
        label=_("Device"),
        max_length=100,
        help_text=_("For example “Phone 3, Kampot office”."),
    )
