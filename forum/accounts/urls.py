"""Account URLs, Hacker News style where Hacker News has them."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from forum.accounts import views


def _form(view, title: str, button: str = "", message: str = "", **kwargs):
    context = {"title": title, "button": button, "message": message}
    return view.as_view(template_name="registration/form.html", extra_context=context, **kwargs)


urlpatterns = [
    path("signup", views.signup, name="signup"),
    path("login", views.login, name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("email/confirm", views.email_confirm, name="email_confirm"),
    path("password/change", views.password_change, name="password_change"),
    path(
        "password/change/done",
        _form(
            auth_views.PasswordChangeDoneView,
            "Password changed",
            message="Your new password is in use from now on.",
        ),
        name="password_change_done",
    ),
    path(
        "password/reset",
        _form(
            views.PasswordResetView,
            "Reset your password",
            "send",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent",
        _form(
            auth_views.PasswordResetDoneView,
            "Check your email",
            message="If an account has that address, a link to choose a new password is on its"
            " way. It works once, for a few days.",
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>",
        _form(
            views.PasswordResetConfirmView,
            "Choose a new password",
            "save",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done",
        _form(
            auth_views.PasswordResetCompleteView,
            "Password saved",
            message="Your new password is saved; you can log in with it now.",
        ),
        name="password_reset_complete",
    ),
]
