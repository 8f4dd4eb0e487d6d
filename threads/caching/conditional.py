"""Answers for machine readers (the item API, feeds) kept in the cache and sent with an ETag,
Last-Modified and 304, so that a client polling for changes costs a cache read."""

import hashlib
import time
from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from threads.caching import page_cache
from threads.caching.page_cache import CachedPage
from threads.core.selectors import ThreadStamp


def thread_key(request, stamp: ThreadStamp) -> str:
    """The key of this URL's answer for this version of a thread: a write makes a new one."""
    return page_cache.thread_key(stamp, f"answer:{_url_digest(request)}")


def site_key(request) -> str:
    """The key of this URL's answer for answers that follow the whole site (lists, users)."""
    return f"answer:{page_cache.release()}:{_url_digest(request)}"


def answer(
    request, *, key: str, timeout: int, build: Callable[[], tuple[bytes, str]]
) -> HttpResponse:
    """The answer stored under `key` (built by `build` as body and content type on a miss),
    or 304 when the client has it already."""
    page = cache.get(key)
    if page is None:
        body, content_type = build()
        page = CachedPage(body=body, content_type=content_type, modified=time.time())
        cache.set(key, page, timeout)
    etag = f'"{hashlib.sha256(page.body).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag, last_modified=int(page.modified))
    if response is None:
        response = HttpResponse(page.body, content_type=page.content_type)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(page.modified)
    response["Cache-Control"] = "no-cache"
    return response


def _url_digest(request) -> str:
    return hashlib.sha256(request.get_full_path().encode()).hexdigest()[:24]
