"""Site-wide middleware: a readable 503 page while the database or the rate limits' cache cannot
be reached."""

import logging

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render

from forum.limits import LimitsUnavailable

logger = logging.getLogger(__name__)
UNAVAILABLE = "The database is not answering right now. Please try again in a moment."


class UnavailableMiddleware:
    """Turns a lost database connection, or limits that cannot be counted, into 503 with
    Retry-After and a readable page, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            # The page must not read the session: that would ask the database again.
            title, message, user, retry_after = "Database unavailable", UNAVAILABLE, None, 5
        elif isinstance(exception, LimitsUnavailable):
            title, message, user = "Try again in a minute", str(exception), request.user
            retry_after = exception.retry_after
        else:
            return None
        logger.warning("%s: %s (answered 503)", type(exception).__name__, exception)
        if request.GET.get("format") == "txt":
            response = HttpResponse(
                message + "\n", content_type="text/plain; charset=utf-8", status=503
            )
        else:
            context = {"title": title, "message": message, "user": user or AnonymousUser()}
            response = render(request, "error.html", context, status=503)
        response["Retry-After"] = str(retry_after)
        return response
