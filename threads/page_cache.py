"""Thread pages kept in the cache under the thread's version, answered with ETag, 304 and gzip.

Every write bumps Thread.version (services.thread_touch), and every request reads the version
afresh (a hit: selectors.thread_stamp, one small query and no more), so a write shows on the
very next request: nothing is ever invalidated, old versions just expire. Rows are read after
the version, so an entry never holds a page older than its key says (at worst a newer one,
under a key about to be left behind).

A page is keyed by its route, what it reads from its query (the post's id, whether it is the
text form) and the encoding, nothing else, so junk parameters cannot fill the cache. A cache
that fails costs speed, never the page: it is then built and served without it.
"""

import copy
import functools
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from forum.caches import CACHE_ERRORS

from .models import Thread
from .selectors import ThreadStamp

logger = logging.getLogger(__name__)

# Keys carry the version, so a long life costs only memory: stale entries are never read.
TIMEOUT = 60 * 60


@dataclass(frozen=True)
class CachedPage:
    body: bytes  # gzipped in the entry for readers who accept gzip
    content_type: str
    modified: float


def cached(key: str, build: Callable):
    """The value under `key`, built and stored on a miss."""
    value = _get(key)
    if value is None:
        value = build()
        _set(key, value)
    return value


def _get(key: str):
    try:
        return cache.get(key)
    except CACHE_ERRORS as error:
        logger.warning("page cache unreadable, serving uncached: %s", error)
        return None


def _set(key: str, value) -> None:
    try:
        cache.set(key, value, TIMEOUT)
    except CACHE_ERRORS as error:
        logger.warning("page cache unwritable, serving uncached: %s", error)


def thread_key(thread: Thread | ThreadStamp, part: str) -> str:
    # The creation time guards against a database rebuilt under a cache that outlived it.
    created = f"{thread.created_at.timestamp():.0f}"
    return f"thread:{release()}:{thread.pk}.{created}:v{thread.version}:{part}"


def release() -> str:
    """What built the pages: FORUM_RELEASE, or a hash of the files that shape them."""
    return settings.FORUM_RELEASE or _source_hash()


@functools.cache
def _source_hash() -> str:
    base = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("forum", "threads", "templates", "static"):
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".css", ".js"} and path.is_file():
                digest.update(path.relative_to(base).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def shared_page(request, thread: Thread | ThreadStamp, *, text: bool) -> HttpResponse | None:
    """The cached page (the text form when `text`) for this version of the thread, or None."""
    page = _get(_page_key(request, thread, text=text))
    return None if page is None else _response(request, thread, page)


def page_response(
    request, thread: Thread, render: Callable[[HttpRequest], HttpResponse], *, text: bool
) -> HttpResponse:
    """The page at this URL, the same for every reader, rendered and stored for shared_page.

    `render` is given the request as every reader makes it (see _shared_request). The page
    must hold nothing personal (no user name, no CSRF token): that is also why gzip needs no
    BREACH padding here.
    """
    page = _stored(render(_shared_request(request, text=text)), gzip=_wants_gzip(request))
    _set(_page_key(request, thread, text=text), page)
    return _response(request, thread, page)


def _shared_request(request, *, text: bool) -> HttpRequest:
    """The request with only the parameters the page reads, as its entry is keyed.

    The page shows its own address (the log-in link comes back to it, the text form's link):
    built from the reader's full query, one reader's junk parameters would reach every other.
    The view has read the id as a whole number before it renders.
    """
    query = QueryDict(mutable=True)
    query["id"] = str(int(request.GET["id"]))
    if text:
        query["format"] = "txt"
    shared = copy.copy(request)
    shared.GET = query
    shared.META = {**request.META, "QUERY_STRING": query.urlencode()}
    return shared


def _response(request, thread: Thread | ThreadStamp, page: CachedPage) -> HttpResponse:
    etag = f'W/"{release()}.{thread.pk}.{thread.version}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(page.modified))
    if not_modified is not None:
        response = not_modified
    else:
        response = HttpResponse(page.body, content_type=page.content_type)
        if _wants_gzip(request):
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(page.modified)
    # Stored by browsers but checked on every view: a reply must show at once.
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _wants_gzip(request) -> bool:
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def _page_key(request, thread: Thread | ThreadStamp, *, text: bool) -> str:
    # The thread stands for the id (one opening post each); the path is one of the few routes
    # to this page (/item, /discussion), each showing its own address. Each encoding has its
    # own entry, so a hit fetches only the bytes it sends.
    form = "txt" if text else "html"
    encoding = "gzip" if _wants_gzip(request) else "plain"
    return thread_key(thread, f"page:{request.path}:{form}:{encoding}")


def _stored(response: HttpResponse, *, gzip: bool) -> CachedPage:
    # Compressed only for readers who ask: on a big thread it costs as much as rendering.
    return CachedPage(
        body=compress_string(response.content) if gzip else response.content,
        content_type=response["Content-Type"],
        modified=time.time(),
    )
