"""Hacker News' official API (v0), read-only, on the forum's data: the same paths and fields."""

import contextlib
import functools
import json

from django.http import HttpResponse

from forum import limits
from forum.http import open_api, whole_number
from threads.caching import page_cache
from threads.hn import items

# Generous for a client walking a thread item by item, tight enough to stop a scraper's flood.
API_REQUESTS = limits.Rate(600, 60, "API requests from your address")
# Lists and users follow the whole site, which has no version: they are kept a few seconds.
LIST_TIMEOUT = 5


def api_view(view):
    """Read-only, open to every origin, counted per address: 429 with Retry-After past the rate."""

    @open_api
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        # A read is served uncounted while the limits cannot be counted.
        with contextlib.suppress(limits.LimitsUnavailable):
            limits.hit(API_REQUESTS, limits.client_address(request))
        return view(request, *args, **kwargs)

    return wrapped


def _json(request, value) -> bytes:
    indent = 2 if request.GET.get("print") == "pretty" else None
    separators = None if indent else (",", ":")
    return json.dumps(value, indent=indent, separators=separators, sort_keys=True).encode()


def _kept(request, version: page_cache.Version, read) -> HttpResponse:
    """The answer from the page cache, keyed by the one parameter an answer reads (print)."""
    params = {"print": "pretty"} if request.GET.get("print") == "pretty" else {}
    return page_cache.kept_page(
        request,
        version,
        params,
        lambda shared: HttpResponse(
            _json(shared, read()), content_type="application/json; charset=utf-8"
        ),
    )


def _site_answer(request, read) -> HttpResponse:
    return _kept(request, page_cache.site_version(LIST_TIMEOUT), read)


@api_view
def item(request, item_id: str):
    # Any id that names no item is null, as on Hacker News: -1 and abc as much as 999999.
    number = whole_number(item_id)
    stamp = None if number is None else items.item_stamp(item_id=number)
    if stamp is None:
        return HttpResponse(_json(request, None), content_type="application/json")
    return _kept(request, page_cache.thread_version(stamp), lambda: items.item(item_id=number))


@api_view
def user(request, username: str):
    return _site_answer(request, lambda: items.user(username=username))


def _list_view(read):
    @api_view
    def view(request):
        return _site_answer(request, read)

    view.__name__ = read.__name__
    return view


maxitem = _list_view(items.max_item)
topstories = _list_view(items.top_stories)
newstories = _list_view(items.new_stories)
beststories = _list_view(items.best_stories)
askstories = _list_view(items.ask_stories)
showstories = _list_view(items.show_stories)
jobstories = _list_view(list)
updates = _list_view(items.updates)
