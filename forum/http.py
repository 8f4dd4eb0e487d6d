"""What every page shares over HTTP: the format asked for, whole-number parameters, pages of a
list, form pages and where a page may send its reader back to."""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from forum import characters
from forum.exceptions import ForumError

THREADS_PER_PAGE = settings.FORUM_THREADS_PER_PAGE
# The largest row number a database can be asked to skip to (a signed 64-bit OFFSET).
MAX_OFFSET = 2**63 - 1
# An id is at most this many digits: any such number fits a database's signed 64-bit integer.
ID_DIGITS = 18


def wants_text(request) -> bool:
    return request.GET.get("format") == "txt"


def wants_json(request) -> bool:
    return getattr(request, "open_api", False) or "application/json" in request.headers.get(
        "Accept", ""
    )


def read_only(view):
    """A page that reads: GET and HEAD, anything else 405. It acts on nobody's behalf, so there
    is nothing to forge: a POST to it is told the method is wrong, not that a form expired. The
    writes such a page may make are the reader's own notes, which a forged request could only
    repeat: of having looked (/replies marks the inbox read when its first page is opened) and
    of the order they chose for thread pages (pages.thread_order); neither while read-only."""
    return csrf_exempt(require_safe(view))


def open_api(view):
    """A read-only JSON endpoint that any site's scripts may read: its errors are JSON too
    (forum.errors), open to every origin like its answers."""

    @read_only
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        request.open_api = True
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapped


def text_response(body: str, status: int = 200) -> HttpResponse:
    """Every text form and text answer (text/plain, UTF-8): what a terminal may show, with any
    control character stored before the rules (forum.characters) made U+FFFD."""
    return HttpResponse(
        characters.terminal_safe(body), content_type="text/plain; charset=utf-8", status=status
    )


def digits_only(raw: str) -> bool:
    """Whether `raw` is one or more ASCII digits: str.isdigit() alone lets '²' through, which
    int() refuses."""
    return raw.isascii() and raw.isdigit()


def whole_number(raw: str, *, most_digits: int = ID_DIGITS) -> int | None:
    """The number that `raw` spells in at most `most_digits` ASCII digits (by default what a
    database's integer holds), or None when it spells none. The one parser of ids and counts
    typed by a visitor."""
    if digits_only(raw) and len(raw) <= most_digits:
        return int(raw)
    return None


def int_param(request, name: str, *, default: int | None = None) -> int:
    """The whole number in `?name=`; BadRequest saying what is wrong with it otherwise."""
    raw = request.GET.get(name, "")
    if raw == "" and default is not None:
        return default
    return whole_number_or_400(raw, name)


def whole_number_or_400(raw: str, name: str) -> int:
    """The whole number `raw` given as the parameter `name`; BadRequest saying what is wrong
    with it otherwise."""
    if not digits_only(raw):
        raise BadRequest(f"The {name} parameter must be a positive whole number, not {raw!r}.")
    number = whole_number(raw)
    if number is None:
        raise BadRequest(f"The {name} parameter is too large: at most {ID_DIGITS} digits.")
    return number


def safe_redirect(request, target: str, *, fallback: str) -> str:
    """`target` when it is a page of this site (its host, and https when the request came by
    https), `fallback` otherwise: a link cannot send a reader elsewhere through our redirects."""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and safe else fallback


@dataclass(frozen=True)
class Paged:
    """One page of a list (`?p=N`): its items, the number of its first, the next page if any."""

    number: int
    items: list
    start: int
    next_page: int | None


def paged(request, select, *, per_page: int = THREADS_PER_PAGE) -> Paged:
    """The page the request asks for of `select(offset=, limit=)`; one row more tells if more.
    Page 1 may be empty; a later page past the end of the list is Http404."""
    number = int_param(request, "p", default=1)
    if number < 1:
        raise BadRequest("Pages are numbered from 1.")
    offset = (number - 1) * per_page
    past_the_end = Http404(f"There is no page {number}: the list ends before it.")
    if offset + per_page + 1 > MAX_OFFSET:
        raise past_the_end
    rows = list(select(offset=offset, limit=per_page + 1))
    if number > 1 and not rows:
        raise past_the_end
    more = number + 1 if len(rows) > per_page else None
    return Paged(number, rows[:per_page], offset + 1, more)


def form_page(request, template: str, context: dict, *, status: int = 200, error=None):
    """A form page; refused, it is shown again with the message, and the status of the
    ForumError `error` (with Retry-After when the refusal is a rate limit)."""
    context = {**context, "error": str(error) if error else ""}
    if isinstance(error, ForumError):
        status = error.status
    response = render(request, template, context, status=status)
    if retry_after := getattr(error, "retry_after", None):
        response["Retry-After"] = str(retry_after)
    return response
