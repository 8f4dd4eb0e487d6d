"""Thread pages kept in the cache under the thread's version, answered with ETag, 304 and gzip.

Every write bumps Thread.version (services._thread_touch), and every request reads the version
afresh with the thread, so a write shows on the very next request: nothing is ever invalidated,
old versions just expire. Rows are read after the version, so an entry never holds a page older
than its key says (at worst a newer one, under a key about to be left behind).
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from .models import Thread

# Keys carry the version, so a long life costs only memory: stale entries are never read.
TIMEOUT = 60 * 60


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    gzipped: bytes | None
    content_type: str
    modified: float


def cached(key: str, build: Callable):
    """The value under `key`, built and stored on a miss."""
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, TIMEOUT)
    return value


def thread_key(thread: Thread, part: str) -> str:
    return f"thread:{thread.pk}:v{thread.version}:{part}"


def page_response(request, thread: Thread, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The page at this URL, the same for every reader, from the cache or rendered and stored.

    Answers 304 when the reader's copy is current. The page must hold nothing personal (no
    user name, no CSRF token): that is also why gzip needs no BREACH padding here.
    """
    url = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:24]
    key = thread_key(thread, f"page:{url}")
    wants_gzip = bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
    page = cache.get(key)
    if page is None or (wants_gzip and page.gzipped is None):
        page = _stored(page or render(), gzip=wants_gzip)
        cache.set(key, page, TIMEOUT)
    etag = f'W/"{thread.pk}.{thread.version}"'
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(page.modified))
    if not_modified is not None:
        response = not_modified
    elif wants_gzip:
        response = HttpResponse(page.gzipped, content_type=page.content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(page.body, content_type=page.content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(page.modified)
    # Stored by browsers but checked on every view: a reply must show at once.
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _stored(source: HttpResponse | CachedPage, *, gzip: bool) -> CachedPage:
    """The page to keep; compressed only once a reader asks for gzip, as compressing a big
    thread costs about as much as rendering it."""
    if isinstance(source, CachedPage):
        return replace(source, gzipped=compress_string(source.body))
    return CachedPage(
        body=source.content,
        gzipped=compress_string(source.content) if gzip else None,
        content_type=source["Content-Type"],
        modified=time.time(),
    )
