"""Forms for the forum's pages."""

from django import forms

from .models import Flag


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=Flag.Reason.choices, widget=forms.RadioSelect)
