"""Lists of threads and comments, shared from the cache under the lists' version.

Who shares which page is readers.audience's to say: an anonymous reader, and every reader of a
text form, is served the whole page from the cache; a logged-in reader the list's stencil for
their audience (members, or staff who also get [moderate]), filled with what is theirs: their
name, their votes, their inbox (threads.caching.stencils). A reader who hid threads has a list
of their own, built for them from the shared ranking.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.http import urlencode

from forum.http import int_param, paged, text_response, wants_text
from threads.caching import page_cache, stencils
from threads.caching.readers import Audience, Own, Reader, audience, list_reader
from threads.caching.viewer_data import Listed, viewer_votes
from threads.core import keeping, selectors
from threads.drawing import textform
from threads.models import Thread


@dataclass(frozen=True)
class ThreadList:
    """A list of threads as its page shows it."""

    select: Callable[..., Sequence[Thread]]  # offset=, limit=, hidden_by=
    title: str = ""  # in the page's <title>; the front page has none
    heading: str = ""  # the page's <h1>, for screen readers
    params: dict[str, str] = field(default_factory=dict)  # what it reads besides p
    text_heading: str | None = None
    ranked: bool = False  # the front page: ordered by the clock as well as by writes
    hides: bool = True  # leaves out the threads the reader hid (not a user's submissions)
    # Kept in the cache: not a list anyone can name anew (/from?site=any.host) to fill it.
    kept: bool = True


@dataclass(frozen=True)
class ListStencil:
    """A page of a list as every logged-in reader of an audience sees it, and its threads."""

    stencil: stencils.Stencil
    listed: tuple[Listed, ...]

    @property
    def nbytes(self) -> int:
        return self.stencil.nbytes

    def fill(self, request, reader: Reader) -> HttpResponse:
        return self.stencil.fill(request, reader)


@dataclass(frozen=True)
class Items:
    """A page of a list as one audience sees it: its HTML and what marks the reader's own."""

    html: str
    listed: tuple[Listed, ...]


def thread_list_page(request, spec: ThreadList) -> HttpResponse:
    if not spec.kept:
        return _list_page(request, spec=spec, select=spec.select)
    params = _params(request, spec.params)
    version = page_cache.lists_version(selectors.lists_stamp(), ranked=spec.ranked)
    select = _ranked_select(version) if spec.ranked else spec.select
    whole = partial(_list_page, spec=spec, select=select)
    user = request.user
    # A text form's reader is not read from the cache: whether they hid threads is asked here.
    shared_by = audience(
        request, Own(hides=_hides_some(spec, user)) if wants_text(request) else None
    )
    if shared_by is Audience.EVERYONE:
        everyones = partial(_list_page, spec=spec, select=select, everyone=True)
        return page_cache.kept_page(request, version, params, everyones)
    if shared_by is Audience.OWN:
        return whole(request)
    shared = page_cache.shared_request(request, params)
    filled = stencils.served(
        request,
        version,
        params,
        shared_by=shared_by,
        draw=lambda: _list_stencil(shared, spec, select),
        reader_of=lambda stencil: list_reader(
            user, stencil().listed, hides=_hides_some(spec, user)
        ),
        thread=False,
    )
    return filled or whole(request)


def _list_stencil(request, spec: ThreadList, select) -> ListStencil:
    items = _items(request, spec, paged(request, select))
    response = _page(request, spec, items, stencils.context())
    return ListStencil(stencils.cut(response), items.listed)


def _hides_some(spec: ThreadList, user) -> bool:
    """Whether the reader has a list of their own, less threads they hid."""
    return spec.hides and user.is_authenticated and bool(keeping.hidden_thread_ids(user=user))


def comment_list_page(request, *, render_page: Callable, params: dict[str, str]) -> HttpResponse:
    """A list of comments: shared from the cache with anonymous readers; every logged-in
    reader's is their own (their own comments show their points)."""
    if audience(request, stencil=False) is Audience.OWN:
        return render_page(request)
    version = page_cache.lists_version(selectors.lists_stamp())
    return page_cache.kept_page(request, version, _params(request, params), render_page)


def _params(request, params: dict[str, str]) -> dict[str, str]:
    # The page number is checked whole before it keys anything: ?p=1x is refused, not stored.
    page = {"p": str(int_param(request, "p"))} if "p" in request.GET else {}
    return params | page | page_cache.text_param(request)


def _ranked_select(version: page_cache.Version) -> Callable[..., list[Thread]]:
    """The front page's select, its ranking worked out once per version, not per request."""

    def select(*, offset: int, limit: int, hidden_by=None) -> list[Thread]:
        ranking = page_cache.cached(
            f"{version.key}:ranking", selectors.thread_ranking, timeout=version.timeout
        )
        if hidden_by is not None and hidden_by.is_authenticated:
            hidden = keeping.hidden_thread_ids(user=hidden_by)
            ranking = [pk for pk in ranking if pk not in hidden]
        return selectors.threads_in_order(ranking[offset : offset + limit])

    return select


def _list_page(request, *, spec: ThreadList, select, everyone: bool = False) -> HttpResponse:
    """The list as this reader sees it, less the threads they hid; or as `everyone` does."""
    hider = request.user if spec.hides and not everyone else None
    page = paged(request, partial(select, hidden_by=hider) if hider else select)
    if wants_text(request):
        body = textform.thread_list(page.items, start=page.start, heading=spec.text_heading)
        return text_response(body)
    return _page(request, spec, _items(request, spec, page))


def _items(request, spec: ThreadList, page) -> Items:
    context = {
        "threads": page.items,
        "start": page.start,
        "next_page": page.next_page,
        "more_query": urlencode(spec.params),
    }
    html = render_to_string("threads/thread_items.html", context, request)
    return Items(html, tuple(Listed(t.op_id, t.author_id, t.points) for t in page.items))


def _page(request, spec: ThreadList, items: Items, stencil: dict | None = None) -> HttpResponse:
    context = {
        "items_html": items.html,
        "heading": spec.title,
        "page_heading": spec.heading,
        **(stencil or viewer_votes(request.user, threads=items.listed)),
    }
    return render(request, "threads/front.html", context)
