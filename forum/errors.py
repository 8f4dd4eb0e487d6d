"""Readable error pages for the whole site."""

from django.http import HttpResponseRedirect
from django.shortcuts import render

from threads import writing


def _page(request, status: int, title: str, message: str):
    return render(request, "error.html", {"title": title, "message": message}, status=status)


def bad_request(request, exception=None):
    return _page(request, 400, "Bad request", "The request could not be understood.")


def forbidden(request, exception=None):
    return _page(request, 403, "Forbidden", "You are not allowed to do that.")


def not_found(request, exception=None):
    return _page(request, 404, "Not found", "There is nothing at this address.")


def server_error(request):
    return _page(request, 500, "Something went wrong", "Please try again in a moment.")


# The form's token no longer matches the reader's cookie: they logged in again (in another tab)
# while writing. The request's origin was checked first and passed, so the text is their own.
STALE_FORM_TOKEN = "CSRF token from POST incorrect."
WRITING_FORMS = {"reply", "submit", "edit"}


def csrf_failure(request, reason=""):
    match = getattr(request, "resolver_match", None)
    if reason == STALE_FORM_TOKEN and match and match.url_name in WRITING_FORMS:
        note = "This form had expired, so nothing was posted: what you wrote is back in it."
        return HttpResponseRedirect(writing.draft_keep(request, note=note), status=303)
    return _page(
        request,
        403,
        "Form expired",
        "This form was too old or came from another site, so nothing was saved. "
        "Go back, reload the page and try again.",
    )
