"""Site-wide middleware: a readable 503 page while the database cannot be reached."""

import logging

from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)
UNAVAILABLE = "The database is not answering right now. Please try again in a moment."


class DatabaseUnavailableMiddleware:
    """Turns a lost or refused database connection into 503 with Retry-After, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("%s: %s (answered 503)", type(exception).__name__, exception)
        if request.GET.get("format") == "txt":
            response = HttpResponse(
                UNAVAILABLE + "\n", content_type="text/plain; charset=utf-8", status=503
            )
        else:
            # The page must not read the session: that would ask the database again.
            context = {"title": "Database unavailable", "message": UNAVAILABLE}
            context["user"] = AnonymousUser()
            response = render(request, "error.html", context, status=503)
        response["Retry-After"] = "5"
        return response
