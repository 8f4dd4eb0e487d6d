"""Pages and answers (feeds, the item API) kept in the cache under a version (a thread's, the
lists', or a few seconds of the whole site's), with ETag, 304 and gzip.

Every write bumps its thread's version and the lists' stamp (services.thread_touch); every
request reads the version afresh (a hit: selectors.thread_stamp or selectors.lists_stamp, one
small query and no more), so a write shows on the very next request: nothing is ever
invalidated, old versions just expire. Rows are read after the version, so an
entry never holds a page older than its key says (at worst a newer one, under a key about to be
left behind).

A page is keyed by its route, what it reads from its query (the post's id, the page number,
whether it is the text form) and the encoding, nothing else, so junk parameters cannot fill the
cache. A cache that fails or hangs costs speed, never the page: it is then built and served
without it, and left alone for REST_SECONDS. An entry larger than FORUM_CACHE_MAX_ENTRY_BYTES is
not kept: one huge page must not evict every other. docs/caching.md states the rules.
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
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

from forum.caches import CACHE_ERRORS, REST_SECONDS, Resting, max_memory
from forum.compression import accepts_gzip
from forum.http import wants_text
from threads.core.selectors import ThreadStamp
from threads.models import Thread

logger = logging.getLogger(__name__)

# Keys carry the version, so a long life costs only memory: stale entries are never read.
TIMEOUT = 60 * 60
# A list is renewed by this age even without a write (a thread deleted by hand lowers the
# stamp). The front page's ranking ages with the clock as well as with writes.
LISTS_TIMEOUT = 5 * 60
RANKING_REFRESH = 60


@dataclass(frozen=True)
class Version:
    """What a page's entries are keyed by, how long they live, and its ETag (empty: each
    entry's own, a digest of its body, for answers kept a while with no version to name)."""

    key: str
    etag: str
    timeout: int = TIMEOUT


@dataclass(frozen=True)
class CachedPage:
    body: bytes  # gzipped in the entry for readers who accept gzip
    content_type: str
    modified: float
    etag: str = ""  # the version's, or a digest of the body when the version has none

    @property
    def nbytes(self) -> int:
        return len(self.body)


def cached(key: str, build: Callable, *, timeout: int = TIMEOUT, found: dict | None = None):
    """The value under `key`, built and stored on a miss; looked up in `found` (prefetched)
    when given."""
    value = _get(key) if found is None else found.get(key)
    if value is None:
        value = build()
        _set(key, value, timeout)
    return value


def _get(key: str):
    if _resting():
        return None
    try:
        return cache.get(key)
    except CACHE_ERRORS as error:
        _failed("page cache unreadable, serving uncached", error)
        return None


def prefetched(*keys: str) -> dict:
    """The values under these keys, those the cache has, in one round trip."""
    if _resting():
        return {}
    try:
        return cache.get_many(keys)
    except CACHE_ERRORS as error:
        _failed("page cache unreadable, serving uncached", error)
        return {}


def _set(key: str, value, timeout: int) -> None:
    """Stored, unless the cache is resting or the value says (nbytes) it is too big to keep."""
    if _resting() or not fits(value):
        return
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS as error:
        _failed("page cache unwritable, serving uncached", error)


# No entry takes more than this share of the page Redis: one big page must not evict the rest.
SHARE_OF_THE_CACHE = 32


def fits(value) -> bool:
    """Whether a value may be kept: a page's entries say their size (nbytes); the rest are small.
    At most FORUM_CACHE_MAX_ENTRY_BYTES, and at most a 32nd of the page Redis's maxmemory."""
    size = getattr(value, "nbytes", 0)
    cap = settings.FORUM_CACHE_MAX_ENTRY_BYTES
    if room := max_memory("default"):
        cap = min(cap, room // SHARE_OF_THE_CACHE)
    if size <= cap:
        return True
    logger.info("not kept: %d bytes, over the %d a page may take", size, cap)
    return False


_rest = Resting()


def _resting() -> bool:
    return _rest.now()


def _failed(what: str, error: Exception) -> None:
    logger.warning("%s (tried again in %.0f s): %s", what, REST_SECONDS, error)
    _rest.failed()


def thread_key(thread: Thread | ThreadStamp, part: str) -> str:
    # The creation time guards against a database rebuilt under a cache that outlived it.
    created = f"{thread.created_at.timestamp():.0f}"
    return f"thread:{release()}:{thread.pk}.{created}:v{thread.version}:{part}"


def thread_version(thread: Thread | ThreadStamp, variant: str = "") -> Version:
    """The thread's version; a `variant` (a thread page's order) is kept apart, key and ETag,
    so that a browser revalidating one variant is never told another is unchanged."""
    part, tag = (f"page:{variant}", f".{variant}") if variant else ("page", "")
    etag = f'W/"{release()}.{thread.pk}.{thread.version}{tag}"'
    return Version(thread_key(thread, part), etag)


def lists_version(stamp: str, *, ranked: bool = False) -> Version:
    """The lists' version (selectors.lists_stamp); a `ranked` list (the front page) is renewed
    each RANKING_REFRESH as well, its order aging with the clock."""
    version = f"{release()}.{stamp}"
    if ranked:
        version += f".{int(time.time() // RANKING_REFRESH)}"
    return Version(f"lists:{version}", f'W/"{version}"', LISTS_TIMEOUT)


def site_version(timeout: int) -> Version:
    """For answers that follow the whole site and have no version of their own to read for
    free (site-wide feeds, the item API's lists and users): kept `timeout` seconds, each entry
    with its body's digest as its ETag."""
    return Version(f"site:{release()}", "", timeout)


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


def text_param(request) -> dict[str, str]:
    """The text form's part of a page's params (see shared_page)."""
    return {"format": "txt"} if wants_text(request) else {}


def kept_page(
    request, version: Version, params: dict[str, str], render: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """The page every reader of it shares: from the cache, or drawn by `render` and kept."""
    if page := shared_page(request, version, params):
        return page
    return page_response(request, version, render, params)


def shared_page(request, version: Version, params: dict[str, str]) -> HttpResponse | None:
    """The cached page at this URL for this version, or None.

    `params` is what the page reads from its query (and its text form's format=txt), checked
    by the view: the entry's key and the query the page was rendered with.
    """
    page = _get(_page_key(request, version, params))
    return None if page is None else _response(request, version, page)


def page_response(
    request,
    version: Version,
    render: Callable[[HttpRequest], HttpResponse],
    params: dict[str, str],
) -> HttpResponse:
    """The page at this URL, the same for every reader, rendered and stored for shared_page.

    `render` is given the request as every reader makes it (see shared_request). The page
    must hold nothing personal (no user name, no CSRF token): that is also why gzip needs no
    BREACH padding here.
    """
    response = render(shared_request(request, params))
    page = _stored(response, version, gzip=accepts_gzip(request))
    _set(_page_key(request, version, params), page, version.timeout)
    return _response(request, version, page)


def shared_request(request, params: dict[str, str]) -> HttpRequest:
    """The request with only the parameters the page reads, as its entry is keyed.

    The page shows its own address (the log-in link comes back to it, the text form's link):
    built from the reader's full query, one reader's junk parameters would reach every other.
    """
    query = QueryDict(mutable=True)
    query.update(params)
    shared = copy.copy(request)
    shared.GET = query
    shared.META = {**request.META, "QUERY_STRING": query.urlencode()}
    return shared


def _response(request, version: Version, page: CachedPage) -> HttpResponse:
    etag = page.etag or version.etag
    not_modified = get_conditional_response(request, etag=etag, last_modified=int(page.modified))
    if not_modified is not None:
        response = not_modified
    else:
        response = HttpResponse(page.body, content_type=page.content_type)
        if accepts_gzip(request):
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Last-Modified"] = http_date(page.modified)
    # Stored by browsers but checked on every view: a reply must show at once.
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def _page_key(request, version: Version, params: dict[str, str]) -> str:
    # Each route shows its own address (/item, /discussion); each encoding has its own entry,
    # so a hit fetches only the bytes it sends.
    encoding = "gzip" if accepts_gzip(request) else "plain"
    return f"{address_key(request, version, params)}:{encoding}"


def address_key(request, version: Version, params: dict[str, str]) -> str:
    """The key of this version of the page at this route with these params, hashed: a name in
    them may be long or hold characters a cache key may not."""
    query = QueryDict(mutable=True)
    query.update(params)
    address = f"{request.path}?{query.urlencode()}".encode()
    return f"{version.key}:{hashlib.sha256(address).hexdigest()[:32]}"


def _stored(response: HttpResponse, version: Version, *, gzip: bool) -> CachedPage:
    # Compressed only for readers who ask: on a big thread it costs as much as rendering.
    content = response.content
    own_etag = "" if version.etag else f'W/"{hashlib.sha256(content).hexdigest()[:32]}"'
    return CachedPage(
        body=compress_string(content) if gzip else content,
        content_type=response["Content-Type"],
        modified=time.time(),
        etag=own_etag,
    )
