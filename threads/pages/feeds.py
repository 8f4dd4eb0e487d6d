"""RSS 2.0 and Atom feeds: the front page, the newest threads, a thread's new replies, and a
user's threads and posts; each kept in the page cache and answered with ETag, Last-Modified
and 304."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.exceptions import BadRequest
from django.http import Http404
from django.urls import path
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.html import format_html

from forum import characters, links
from forum.accounts.models import User
from forum.http import read_only
from threads.caching import page_cache
from threads.core import selectors
from threads.models import Comment

FEED_LENGTH = 30
# The site-wide feeds follow every thread: kept a minute, as a feed reader polls far apart.
LIST_TIMEOUT = 60


def _xml_safe(value):
    if isinstance(value, str):
        return characters.xml_safe(value)
    if isinstance(value, list | tuple):
        return type(value)(_xml_safe(part) for part in value)
    return value


class _XmlSafe:
    """Writes only what XML 1.0 can hold, whatever is stored: a control character or U+FFFF in
    a title, a url or a post becomes U+FFFD, never an error or a feed readers reject."""

    def __init__(self, *args, **kwargs):
        super().__init__(*_xml_safe(args), **{k: _xml_safe(v) for k, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*_xml_safe(args), **{k: _xml_safe(v) for k, v in kwargs.items()})


class _Rss(_XmlSafe, Rss201rev2Feed):
    pass


class _Atom(_XmlSafe, Atom1Feed):
    pass


FORMATS = {"rss": _Rss, "atom": _Atom}


def _route(page: str, kind: str) -> str:
    """`rss`, `newest/rss`, `item/atom` ...: where the feed of a page is served."""
    return f"{page}/{kind}" if page else kind


def page_feeds(request) -> list[tuple[str, str]]:
    """The feeds of the page the request shows, as (MIME type, path), for its head."""
    page, name = request.path.strip("/"), request.GET.get("id", "")
    if page not in FEEDS or (page in ("item", "threads", "submitted") and not name):
        return []
    query = {"id": name} if page in ("item", "threads", "submitted") else {}
    return [
        (FORMATS[kind].content_type.split(";")[0], links.feed(page, kind, **query))
        for kind in FORMATS
    ]


# The feeds.


class _ForumFeed(Feed):
    kind = "rss"
    reads_id = False  # whether the feed is of the post or user its ?id= names

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind
        self.feed_type = FORMATS[kind]

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item):
        return item.author.username

    def item_link(self, item):
        return links.absolute(item.get_absolute_url())

    def title(self, obj):
        return f"{settings.FORUM_SITE_NAME}: {self.heading(obj)}"

    def description(self, obj):
        return self.title(obj)

    def feed_url(self, obj):
        # The request as every reader makes it (page_cache.shared_request): only its params.
        return links.absolute(self.request.get_full_path())

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)


class _ThreadsFeed(_ForumFeed):
    """Threads: the title, and the linked address or the opening post's text."""

    def item_title(self, thread):
        return thread.title

    def item_description(self, thread):
        # A description is HTML to the feed reader: the url goes in as an escaped link.
        return format_html('<a href="{0}">{0}</a>', thread.url) if thread.url else ""

    def link(self, obj):
        return links.absolute(links.page(self.page or "front"))


class FrontFeed(_ThreadsFeed):
    page = ""

    def heading(self, obj):
        return "front page"

    def items(self, obj):
        return selectors.threads_ranked(offset=0, limit=FEED_LENGTH)


class NewestFeed(_ThreadsFeed):
    page = "newest"

    def heading(self, obj):
        return "newest threads"

    def items(self, obj):
        return selectors.threads_newest(offset=0, limit=FEED_LENGTH)


class SubmittedFeed(_ThreadsFeed):
    page = "submitted"
    reads_id = True

    def get_object(self, request):
        return _user(request)

    def heading(self, user):
        return f"threads by {user.username}"

    def link(self, user):
        return links.absolute(links.page("submitted", user.username))

    def items(self, user):
        return selectors.threads_by(username=user.username, offset=0, limit=FEED_LENGTH)


class _PostsFeed(_ForumFeed):
    """Replies: the post's name and thread, and its text as the page shows it."""

    def item_title(self, post):
        # The author's full name beside the 6-letter one, which two authors may share.
        return f"{post.name} by {post.author.username} on {post.thread.title}"

    def item_description(self, post):
        return post.html


class UserPostsFeed(_PostsFeed):
    reads_id = True

    def get_object(self, request):
        return _user(request)

    def heading(self, user):
        return f"posts by {user.username}"

    def link(self, user):
        return links.absolute(links.page("user_comments", user.username))

    def items(self, user):
        return selectors.comments_by(username=user.username, offset=0, limit=FEED_LENGTH)


class ThreadFeed(_PostsFeed):
    reads_id = True

    def get_object(self, request):
        return _post(request).thread

    def heading(self, thread):
        return f"new replies in {thread.title}"

    def link(self, thread):
        return links.absolute(thread.get_absolute_url())

    def items(self, thread):
        replies = Comment.objects.replies().filter(thread=thread, state=Comment.State.VISIBLE)
        newest = replies.select_related("author", "thread").order_by("-created_at", "-pk")
        return newest[:FEED_LENGTH]


def _id(request) -> str:
    value = request.GET.get("id", "")
    if not value:
        raise BadRequest("The id parameter is missing.")
    return value


def _user(request) -> User:
    found = User.objects.filter(username__iexact=_id(request)).first()
    if found is None:
        raise Http404(f"There is no user named {_id(request)!r}.")
    return found


def _post(request) -> Comment:
    raw = _id(request)
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise BadRequest(f"The id parameter must be a positive whole number, not {raw!r}.")
    try:
        return selectors.post_get(post_id=int(raw))
    except Comment.DoesNotExist:
        raise Http404(f"There is no post with id {raw}.") from None


def _served(feed_class, kind: str):
    """The feed's view: kept in the page cache by the id it reads, a thread's feed under the
    thread's version, the others a minute."""

    @read_only
    def view(request):
        if feed_class is ThreadFeed:
            post = _post(request)
            version, params = page_cache.thread_version(post.thread), {"id": str(post.pk)}
        else:
            version = page_cache.site_version(LIST_TIMEOUT)
            params = {"id": _id(request)} if feed_class.reads_id else {}
        return page_cache.kept_page(
            request, version, params, lambda shared: feed_class(kind)(shared)
        )

    return view


FEEDS = {
    "": FrontFeed,
    "newest": NewestFeed,
    "item": ThreadFeed,
    "threads": UserPostsFeed,
    "submitted": SubmittedFeed,
}
urlpatterns = [
    path(_route(page, kind), _served(feed_class, kind), name=links.feed_name(page, kind))
    for page, feed_class in FEEDS.items()
    for kind in FORMATS
]
