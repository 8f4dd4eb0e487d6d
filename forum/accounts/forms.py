"""Forms for accounts: sign-up and the owner's profile."""

from functools import partial

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.template import loader

from forum import mail
from forum.accounts import names
from forum.accounts.models import User

MAX_ABOUT_LENGTH = 5_000


class LoginForm(AuthenticationForm):
    # Names ignore case here; Django's message says both fields may not.
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That name and password do not match an account. The password is "
        "case-sensitive; the name is not.",
    }


class SignupForm(forms.Form):
    username = forms.CharField(
        max_length=15,
        validators=[names.validate_new_name],
        help_text=names.NAME_HELP,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not all digits, not a common password, "
        "not like your name.",
    )
    email = forms.EmailField(
        required=False, help_text="Optional; needed only to reset a forgotten password."
    )

    def clean(self):
        data = super().clean()
        # The password is judged even when the name was refused: both errors show at once.
        if "password" in data:
            name = data.get("username") or self.data.get("username", "")
            candidate = User(username=name, email=data.get("email", ""))
            try:
                password_validation.validate_password(data["password"], candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["about", "email", "email_replies"]
        widgets = {"about": forms.Textarea(attrs={"rows": 5, "cols": 60})}

    def clean(self):
        data = super().clean()
        if data.get("email_replies") and not data.get("email"):
            self.add_error("email_replies", "Replies can only be emailed to an email address.")
        return data

    def clean_about(self):
        about = self.cleaned_data["about"]
        if len(about) > MAX_ABOUT_LENGTH:
            raise forms.ValidationError(f"At most {MAX_ABOUT_LENGTH:,} characters, please.")
        return about


class EmailConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, doing the same work for every address: the time it takes must not
    tell whether an account has it."""

    def get_users(self, email):
        # Anyone may type any address into a profile: only its confirmed owner gets a link.
        confirmed = [user for user in super().get_users(email) if user.email_confirmed]
        # Otherwise a stand-in, never saved, takes the same path: a link made for it and its
        # mail rendered after the answer, and then not sent.
        return confirmed or [User(email=email, password=UNUSABLE_PASSWORD_PREFIX)]

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        # Rendered and sent after the response, so it never waits for the mail server.
        if context["user"].pk is None:
            send = partial(_rendered_only, subject_template_name, email_template_name, context)
        else:
            send = partial(
                super().send_mail,
                subject_template_name,
                email_template_name,
                context,
                *args,
                **kwargs,
            )
        mail.send_in_background(send, what="a password reset link")


def _rendered_only(subject_template_name: str, email_template_name: str, context: dict) -> None:
    """What sending a reset mail renders, for the stand-in of an address no account has."""
    loader.render_to_string(subject_template_name, context)
    loader.render_to_string(email_template_name, context)
