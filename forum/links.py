"""Every URL the forum writes, built from the URL names in threads/urls.py and forum/."""

# The URLs are Hacker News's: the path names the page and the query what it shows
# (/item?id=N, /user?id=NAME, /vote?id=N&how=up). Templates reach page() through the {% link %}
# tag (threads/templatetags/links.py); pages that write thousands of links take a prefix once
# and put each id after it.

from functools import cache
from typing import NamedTuple
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse


def page(name: str, id: int | str | None = None, *, anchor: object = None, **query) -> str:
    """The URL named `name`, about the post or user `id`, with more of a query (empty values
    left out) and an #anchor: page("vote", 7, how="up") is /vote?id=7&how=up."""
    params = {"id": id, **query}
    # Encoded as the templates' urlencode filter does, so that a path in ?next= keeps its /.
    encoded = urlencode(
        {key: value for key, value in params.items() if value not in (None, "")},
        quote_via=quote,
        safe="/",
    )
    url = reverse(name) + (f"?{encoded}" if encoded else "")
    return url if anchor is None else f"{url}#{anchor}"


@cache
def prefix(name: str) -> str:
    """The start of every URL of the page `name` about an id, for ids to be put after it."""
    return reverse(name) + "?id="


def item(post_id: int, *, anchor: object = None) -> str:
    """A post's page; a thread's page is its opening post's."""
    url = prefix("item") + str(post_id)
    return url if anchor is None else f"{url}#{anchor}"


def absolute(url: str) -> str:
    """A URL the forum writes, at the configured site address (FORUM_SITE_URL): for what is read
    away from its page and kept for every reader (feeds), never the address a request gave."""
    return settings.FORUM_SITE_URL + url


def user(username: str) -> str:
    return page("user", username)


def moderate(model: str, id: int) -> str:
    """The admin's moderation page of a post (model "comment") or a thread ("thread"): what a
    moderator may do to it."""
    return reverse(f"admin:threads_{model}_change", args=[id])


@cache
def moderate_prefix() -> str:
    """What static/vote.js puts a post's id and "/change/" after: moderate("comment", id)."""
    return reverse("admin:threads_comment_changelist")


def feed_name(page_name: str, kind: str) -> str:
    """The URL name of a page's feed: `rss`, `newest-atom`, `item-rss` ..."""
    return f"{page_name}-{kind}" if page_name else kind


def feed(page_name: str, kind: str, **query) -> str:
    """The feed of a page (`""` for the front page), in RSS or Atom."""
    return page(feed_name(page_name, kind), **query)


class Prefixes(NamedTuple):
    """The prefixes a post on a page links with."""

    item: str
    discussion: str
    reply: str
    flag: str
    source: str
    fave: str
    vote: str


@cache
def post_prefixes() -> Prefixes:
    """Relative to the page: every page that shows posts (/item, /discussion, /links, /vote ...)
    is a sibling of the pages they link to, and a thread page writes thousands of these."""
    return Prefixes(*(prefix(name).rsplit("/", 1)[1] for name in Prefixes._fields))
