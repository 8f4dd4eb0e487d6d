"""Forms for writing: submit, reply and edit; their checks are the services' own."""

import re
import secrets

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from forum.exceptions import ForumError
from threads.core.thread_urls import url_checked
from threads.models import Flag
from threads.services.posting import MAX_TITLE_LENGTH, text_checked, title_checked


def _checked(check, value, **kwargs):
    try:
        return check(value, **kwargs)
    except ForumError as error:
        raise forms.ValidationError(str(error)) from None


class TextField(forms.CharField):
    """Comment text: kept as typed (leading spaces mark code), checked by the services."""

    def __init__(self, *, required: bool = True, **kwargs):
        super().__init__(
            required=False,
            strip=False,
            widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
            **kwargs,
        )
        self.text_required = required
        # The services' own message covers NUL characters.
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]

    def clean(self, value):
        return _checked(text_checked, super().clean(value), required=self.text_required)


_FORM_KEY = re.compile(r"[!-~]{0,64}")  # printable ASCII; secrets.token_urlsafe(16) is 22


class OneTimeKeyField(forms.CharField):
    """A hidden random key made each time the form is shown: the same form posted again (Back,
    reload, a retry after an error) makes one post, not two (services.posting._posted_once).
    An empty key is no key; a malformed one is refused."""

    def __init__(self):
        super().__init__(
            required=False, widget=forms.HiddenInput, initial=lambda: secrets.token_urlsafe(16)
        )
        self.validators = []

    def clean(self, value):
        key = value or ""
        if not _FORM_KEY.fullmatch(key):
            raise forms.ValidationError(
                "This form's one-time key is malformed (at most 64 ASCII characters): "
                "reload the page and post again."
            )
        return key or None


class SubmitForm(forms.Form):
    title = forms.CharField(required=False, strip=False)
    url = forms.URLField(required=False, max_length=2000, assume_scheme="https")
    text = TextField(required=False)
    form_key = OneTimeKeyField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].validators = []
        self.fields["url"].validators = [
            v
            for v in self.fields["url"].validators
            if not isinstance(v, ProhibitNullCharactersValidator)
        ]
        # No maxlength: it would cut a pasted title (or url) without a word. forum.js counts,
        # and the service refuses a title too long, saying how long it is.
        self.fields["title"].widget.attrs.update({"size": 60, "data-max-length": MAX_TITLE_LENGTH})
        self.fields["url"].widget.attrs.pop("maxlength")

    def clean_title(self):
        return _checked(title_checked, self.cleaned_data["title"])

    def clean_url(self):
        return _checked(url_checked, self.cleaned_data["url"])

    def url_completed(self) -> bool:
        """Whether the url was typed without its scheme and completed with https:// (a valid
        form's): the writer is asked before it is saved so."""
        typed = self.data.get("url", "").strip().lower()
        return bool(self.cleaned_data["url"]) and not typed.startswith(("http:", "https:"))


MAX_ID = 2**63 - 1


class ReplyForm(forms.Form):
    parent = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ID)
    thread = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=MAX_ID, required=False
    )
    text = TextField()
    form_key = OneTimeKeyField()


class EditForm(forms.Form):
    text = TextField()

    def __init__(self, *args, text_required: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].text_required = text_required


class FlagForm(forms.Form):
    reason = forms.ChoiceField(choices=Flag.Reason.choices, widget=forms.RadioSelect)
