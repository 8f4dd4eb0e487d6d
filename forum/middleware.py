"""Site-wide middleware: the one way a refusal, a lost database or uncountable rate limits
become an error page; and reads spread over replicas, with writes refused while the primary is
lost."""

import gzip
import logging

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.core.signing import BadSignature
from django.db import InterfaceError, OperationalError, connections

from forum import errors, replicas
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
        if isinstance(exception, OperationalError | InterfaceError) and replicas.retry_on_primary(
            request
        ):
            # A read whose replica failed runs once more, on another replica or the primary.
            match = request.resolver_match
            try:
                return match.func(request, *match.args, **match.kwargs)
            except Exception as again:  # handled below as the first one was
                exception = again
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
        if replicas.read_only():
            return errors.read_only(request)
        return errors.unavailable(request, UNAVAILABLE)


# The primary's write position after a reader's last write, signed: their next requests read
# a replica only once it has replayed that far. Replicas within the lag bound have, a minute on.
WRITE_COOKIE = "forum_wrote"
WRITE_COOKIE_SALT = "forum.replicas.wrote"
WRITE_COOKIE_SECONDS = 60
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
READ_ONLY_LINE = (
    '<p class="read-only" role="status">The forum is read-only for now: you can read, but '
    "not post, vote or log in, until its database is back.</p>"
)


class ReplicaMiddleware:
    """With read replicas (DATABASE_REPLICA_URLS): each request reads where forum.replicas
    chooses, a writer's next requests see their write, and while the primary is lost writes
    answer the read-only page and every page says so. Without replicas it is not used."""

    def __init__(self, get_response):
        if not replicas.configured():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        token = replicas.reading_started(self._must_see(request))
        try:
            if request.method not in SAFE_METHODS and replicas.read_only():
                return errors.read_only(request)
            with connections[replicas.PRIMARY].execute_wrapper(_note_writes):
                response = self.get_response(request)
            if replicas.current().wrote:
                self._remember_write(response)
            if replicas.read_only():
                _say_read_only(response)
            return response
        finally:
            replicas.reading_ended(token)

    @staticmethod
    def _must_see(request) -> int | None:
        try:
            value = request.get_signed_cookie(
                WRITE_COOKIE, salt=WRITE_COOKIE_SALT, max_age=WRITE_COOKIE_SECONDS
            )
            return replicas.position_number(value)
        except (KeyError, BadSignature, ValueError):
            return None

    @staticmethod
    def _remember_write(response) -> None:
        position = replicas.write_position()
        if position is None:
            return
        response.set_signed_cookie(
            WRITE_COOKIE,
            replicas.position_text(position),
            salt=WRITE_COOKIE_SALT,
            max_age=WRITE_COOKIE_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def _note_writes(execute, sql, params, many, context):
    if (reading := replicas.current()) and not sql.lstrip()[:6].upper().startswith("SELECT"):
        reading.wrote = True
    return execute(sql, params, many, context)


def _say_read_only(response) -> None:
    """Puts the read-only line at the top of an HTML page, cached ones included."""
    if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
        return
    zipped = response.get("Content-Encoding") == "gzip"
    page = gzip.decompress(response.content) if zipped else response.content
    if b"<main>" not in page:
        return
    # Sent uncompressed while it lasts: compressed whole, a member's token would share one
    # stream with text an attacker chose (BREACH), which the kept pages never allow.
    response.content = page.replace(b"<main>", b"<main>" + READ_ONLY_LINE.encode(), 1)
    if zipped:
        del response["Content-Encoding"]
    response["Content-Length"] = str(len(response.content))
    # The reader's copy must not outlive the outage: no validator to answer 304 with later.
    for header in ("ETag", "Last-Modified"):
        if header in response:
            del response[header]
