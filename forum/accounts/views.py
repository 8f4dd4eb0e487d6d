"""Account pages: sign-up, log-in and password reset with their limits, log-out, the
confirmation of an email address."""

import contextlib
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse, reverse_lazy
from django.views.decorators.http import require_http_methods

from forum import limits
from forum.accounts import forms, names, services
from forum.accounts.models import User
from forum.exceptions import ForumError
from forum.http import form_page, safe_redirect

KNOWN_DEVICE_COOKIE = "known_device"
KNOWN_DEVICE_SALT = "forum.accounts.known-device"
KNOWN_DEVICE_AGE = 365 * 24 * 60 * 60


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or settings.LOGIN_REDIRECT_URL
    target = safe_redirect(request, target, fallback=settings.LOGIN_REDIRECT_URL)
    # Coming back to the log-in or sign-up form itself would only show it again.
    back_to_form = target.startswith(tuple(reverse(name) for name in ("login", "signup", "logout")))
    return settings.LOGIN_REDIRECT_URL if back_to_form else target


# Why a page sent the reader to log in, by the URL name of the page they were sent from.
LOGIN_REASONS = {
    "vote": "Log in to vote.",
    "reply": "Log in to reply.",
    "flag": "Log in to flag.",
    "submit": "Log in to submit.",
    "edit": "Log in to edit.",
    "delete": "Log in to delete.",
}


def _login_reason(next_url: str) -> str:
    try:
        name = resolve(urlsplit(next_url).path).url_name
    except Resolver404:
        return ""
    return LOGIN_REASONS.get(name, "")


def _logged_in_to(request) -> HttpResponseRedirect:
    """Back to the page the log-in was for; an action there (a vote) asks to be confirmed."""
    return HttpResponseRedirect(_next_url(request))


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return HttpResponseRedirect(_next_url(request))
    form = forms.SignupForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "next": _next_url(request)}
    if request.method != "POST":
        return form_page(request, "registration/signup.html", context)
    if not form.is_valid():
        return form_page(request, "registration/signup.html", context, status=400)
    address = limits.client_address(request)
    try:
        with limits.reserved(limits.signup_rate(), f"signup:{address}"):
            user = services.user_signup(**form.cleaned_data)
    except ForumError as error:
        return form_page(request, "registration/signup.html", context, error=error)
    auth.login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return _logged_in_to(request)


def _login_key(typed: str) -> tuple[str, int | None]:
    """The key the log-in limits count under, and the account the name logs in as (or None).

    A name that finds an account is keyed by it, however it was typed (on PostgreSQL "alıce"
    finds alice); any other name by its normal form, so that its variants share one key.
    """
    # The log-in form's own cleaning (strip, NFKC) first: it decides what authentication sees.
    name = forms.LoginForm.base_fields["username"].to_python(typed)
    pk = User.objects.pk_for_login(name)
    return (f"user:{pk}" if pk else f"name:{names.normalised(name)}"), pk


def _known_device(request, pk: int | None) -> bool:
    """Whether this browser has logged in to this account before (a signed cookie says so)."""
    known = request.get_signed_cookie(
        KNOWN_DEVICE_COOKIE, default="", salt=KNOWN_DEVICE_SALT, max_age=KNOWN_DEVICE_AGE
    )
    return pk is not None and known == str(pk)


def _login_counters(key: str, address: str, known_device: bool) -> list[tuple[limits.Rate, str]]:
    """The limits an attempt is counted under: a browser that logged in to the account before
    is held to the (name, address) pair's alone."""
    counted = [(limits.LOGIN_FAILURES_PER_PAIR, f"login:{key}:{address}")]
    if not known_device:
        counted.append((limits.LOGIN_FAILURES_PER_ADDRESS, f"login-address:{address}"))
        counted.append((limits.LOGIN_FAILURES_PER_USERNAME, f"login-user:{key}"))
    return counted


def _count_known_device_failure(key: str, address: str) -> None:
    # Not held to them, a known browser's failures still count towards the address and the
    # name: a stolen cookie is no licence to guess.
    with contextlib.suppress(limits.RateLimited):
        limits.count(limits.LOGIN_FAILURES_PER_ADDRESS, f"login-address:{address}")
        limits.count(limits.LOGIN_FAILURES_PER_USERNAME, f"login-user:{key}")


@require_http_methods(["GET", "HEAD", "POST"])
def login(request):
    form = forms.LoginForm(request, data=request.POST if request.method == "POST" else None)
    next_url = _next_url(request)
    context = {"form": form, "next": next_url, "reason": _login_reason(next_url)}
    if request.method != "POST":
        return form_page(request, "registration/login.html", context)
    key, pk = _login_key(request.POST.get("username", ""))
    address = limits.client_address(request)
    known_device = _known_device(request, pk)
    counted = _login_counters(key, address, known_device)
    try:
        # Each attempt is counted as a failure before its password is checked: concurrent
        # guesses cannot all pass the limit first. A log-in that succeeds gives it back.
        limits.reserve_all(counted)
    except limits.RateLimited as error:
        # A fresh form: the posted one would check the password to show its errors, and so
        # tell a guesser, uncounted, whether each guess was right.
        typed = {"username": request.POST.get("username", "")}
        context["form"] = forms.LoginForm(request, initial=typed)
        return form_page(request, "registration/login.html", context, error=error)
    if not form.is_valid():
        if known_device:
            _count_known_device_failure(key, address)
        return form_page(request, "registration/login.html", context, status=400)
    limits.give_back(counted[1:])
    limits.reset(limits.LOGIN_FAILURES_PER_PAIR, f"login:{key}:{address}")
    auth.login(request, form.get_user())
    response = _logged_in_to(request)
    # The account's id, signed: never the name as typed, which a header could not carry.
    response.set_signed_cookie(
        KNOWN_DEVICE_COOKIE,
        str(form.get_user().pk),
        salt=KNOWN_DEVICE_SALT,
        max_age=KNOWN_DEVICE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


class RefusedFormIs400:
    """A Django form view whose refused form is shown again with 400, as every form here is."""

    def form_invalid(self, form):
        context = self.get_context_data(form=form)
        return form_page(self.request, self.template_name, context, status=400)


class PasswordResetView(RefusedFormIs400, auth_views.PasswordResetView):
    """Django's reset by email, with requests limited per address; the answer is the same
    redirect, as soon, whether or not an account has the address (see forms)."""

    form_class = forms.PasswordResetForm

    def post(self, request, *args, **kwargs):
        try:
            limits.hit(limits.RESETS_PER_ADDRESS, f"reset:{limits.client_address(request)}")
        except limits.RateLimited as error:
            context = self.get_context_data(form=self.get_form())
            return form_page(request, self.template_name, context, error=error)
        return super().post(request, *args, **kwargs)


@require_http_methods(["GET", "HEAD", "POST"])
def email_confirm(request):
    """The link mailed to a new address: a button, so that a mail scanner opening it does not
    confirm, and a POST that does."""
    form = forms.EmailConfirmForm(request.POST or request.GET)
    context = {"form": form, "title": "Confirm your email address", "button": "confirm"}
    if request.method != "POST":
        return form_page(request, "registration/form.html", context)
    try:
        user = services.user_email_confirm(token=request.POST.get("token", ""))
    except ForumError as error:
        return form_page(request, "registration/form.html", context, error=error)
    message = f"Confirmed: replies to {user.username} can be mailed to {user.email} now."
    return form_page(
        request, "registration/form.html", {**context, "form": None, "message": message}
    )


class PasswordResetConfirmView(RefusedFormIs400, auth_views.PasswordResetConfirmView):
    """Django's choice of a new password from a reset link."""


class PasswordChangeView(RefusedFormIs400, auth_views.PasswordChangeView):
    """Django's change of password, with wrong old passwords limited per account: a session
    left open or stolen must not become a way to guess the password behind it."""

    template_name = "registration/form.html"
    success_url = reverse_lazy("password_change_done")
    extra_context = {"title": "Change password", "button": "change"}

    def _counted(self) -> list[tuple[limits.Rate, str]]:
        return [(limits.PASSWORD_CHANGE_FAILURES, f"password-change:{self.request.user.pk}")]

    def post(self, request, *args, **kwargs):
        try:
            # Counted as wrong before the old password is checked, as a log-in is: concurrent
            # guesses cannot all pass the limit first. Given back when it was not wrong.
            limits.reserve_all(self._counted())
        except limits.RateLimited as error:
            # A fresh form: the posted one would check the old password to show its errors,
            # and so tell a guesser, uncounted, whether each guess was right.
            context = self.get_context_data(form=self.get_form_class()(user=request.user))
            return form_page(request, self.template_name, context, error=error)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if "old_password" not in form.errors:
            limits.give_back(self._counted())
        return super().form_invalid(form)

    def form_valid(self, form):
        limits.reset(*self._counted()[0])
        return super().form_valid(form)


password_change = login_required(PasswordChangeView.as_view())


class LogoutView(auth_views.LogoutView):
    """Log-out is a POST; opening /logout shows the button instead of an empty 405."""

    http_method_names = ["get", "head", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout.html")
