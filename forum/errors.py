"""Every error page of the site, from one renderer: HTML, text with `format=txt`, or JSON when
the request asked for JSON. The middleware and Django's handlers come here."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import (
    BadRequest,
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render

from forum.drafts import draft_keep
from forum.exceptions import ForumError
from forum.http import text_response, wants_json, wants_text

TITLES = {
    400: "Bad request",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Database unavailable",
}
READ_ONLY_TITLE = "Read-only for now"
READ_ONLY = (
    "The forum is read-only for now: its database is being repaired. You can read every "
    "page, but not post, vote, log in or sign up. Please try again in a few minutes."
)
# The fields of the forum's forms that hold what a reader wrote, kept on a page that cannot
# save them.
DRAFT_FIELDS = ("title", "url", "text", "about", "reason")
GENERIC_MESSAGES = {
    400: "The request could not be understood.",
    403: "You are not allowed to do that.",
    404: "There is nothing at this address.",
    500: "Please try again in a moment.",
}
# Refusals whose message is written for the reader; any other exception is a bug.
CLIENT_ERRORS = {Http404: 404, PermissionDenied: 403, BadRequest: 400}


def error_page(
    request,
    status: int,
    message: str,
    *,
    title: str = "",
    retry_after: int | None = None,
    anonymous: bool = False,
    draft: list[tuple[str, str]] | None = None,
) -> HttpResponse:
    """The error page in the form the request asked for. `anonymous` keeps the page from
    reading the session, for when the database cannot be asked."""
    if wants_json(request):
        response = JsonResponse({"error": message}, status=status)
    elif wants_text(request):
        response = text_response(message + "\n", status=status)
    else:
        context = {
            "title": title or TITLES.get(status, "Error"),
            "message": message,
            "draft": draft,
        }
        if anonymous:
            context["user"] = AnonymousUser()
        response = render(request, "error.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    if getattr(request, "open_api", False):
        response["Access-Control-Allow-Origin"] = "*"
    return response


def unavailable(request, message: str, *, title: str = "") -> HttpResponse:
    """503 when the database cannot take a write or answer a read: the page reads no session,
    and a form's text comes back on it, since nothing could keep it."""
    try:
        form = request.POST if request.method == "POST" else {}
    except (BadRequest, RequestDataTooBig, SuspiciousOperation):
        form = {}
    draft = [(name, form[name]) for name in DRAFT_FIELDS if form.get(name, "").strip()]
    return error_page(
        request, 503, message, title=title, retry_after=5, anonymous=True, draft=draft
    )


def read_only(request) -> HttpResponse:
    return unavailable(request, READ_ONLY, title=READ_ONLY_TITLE)


def client_error_status(exception: Exception) -> int | None:
    """The status of a refusal (a ForumError has its own, RateLimited among them); None for
    anything else, a bug, which Django logs and answers with 500."""
    if isinstance(exception, ForumError):
        return exception.status
    return next((s for kind, s in CLIENT_ERRORS.items() if isinstance(exception, kind)), None)


def client_error_page(request, exception: Exception | None, status: int) -> HttpResponse:
    """The page for a refusal; its message when it has one meant for the reader (a Resolver404
    carries the URL patterns tried, which it is not)."""
    args = getattr(exception, "args", ())
    readable = client_error_status(exception) == status and args and isinstance(args[0], str)
    message = args[0] if readable else GENERIC_MESSAGES[status]
    return error_page(request, status, message, retry_after=getattr(exception, "retry_after", None))


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        message = "The request is larger than any form of the forum takes: nothing was saved."
        return error_page(request, 413, message)
    return client_error_page(request, exception, 400)


def method_not_allowed(request, allowed: str) -> HttpResponse:
    """405, in words: Django's own answer has no body."""
    response = error_page(request, 405, f"This address takes {allowed} requests only.")
    response["Allow"] = allowed
    return response


def forbidden(request, exception=None):
    return client_error_page(request, exception, 403)


def not_found(request, exception=None):
    return client_error_page(request, exception, 404)


def server_error(request):
    return error_page(request, 500, GENERIC_MESSAGES[500])


# The form's token no longer matches the reader's cookie: they logged in again (in another tab)
# while writing. The request's origin was checked first and passed, so the text is their own.
STALE_FORM_TOKEN = "CSRF token from POST incorrect."
WRITING_FORMS = {"reply", "submit", "edit"}


def csrf_failure(request, reason=""):
    # The forum writes by POST alone; read-only pages take no CSRF check (forum.http.read_only).
    if request.method != "POST":
        return method_not_allowed(request, "GET, HEAD, POST")
    match = getattr(request, "resolver_match", None)
    if reason == STALE_FORM_TOKEN and match and match.url_name in WRITING_FORMS:
        note = "This form had expired, so nothing was posted: what you wrote is back in it."
        return HttpResponseRedirect(draft_keep(request, note=note), status=303)
    return error_page(
        request,
        403,
        "This form was too old or came from another site, so nothing was saved. "
        "Go back, reload the page and try again.",
        title="Form expired",
    )
