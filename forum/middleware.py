"""Site-wide middleware: the one way a refusal, a lost database or uncountable rate limits
become an error page."""

import logging

from django.db import InterfaceError, OperationalError

from forum import errors
from forum.limits import LimitsUnavailable

logger = logging.getLogger(__name__)
UNAVAILABLE = "The database is not answering right now. Please try again in a moment."


class ErrorPageMiddleware:
    """Turns a client error raised by a view (Http404, PermissionDenied, BadRequest,
    ForumError, RateLimited) into its page; a lost database connection, or limits that cannot
    be counted, into 503 with Retry-After. Anything else is a bug, left to Django: logged,
    answered 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            return errors.method_not_allowed(request, response["Allow"])
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError | LimitsUnavailable):
            logger.warning("%s: %s (answered 503)", type(exception).__name__, exception)
            return self._unavailable(request, exception)
        status = errors.client_error_status(exception)
        if status is None:
            return None
        return errors.client_error_page(request, exception, status)

    def _unavailable(self, request, exception):
        if isinstance(exception, LimitsUnavailable):
            return errors.error_page(
                request,
                503,
                str(exception),
                title="Try again in a minute",
                retry_after=exception.retry_after,
            )
        # The page must not read the session: that would ask the database again.
        return errors.error_page(request, 503, UNAVAILABLE, retry_after=5, anonymous=True)
