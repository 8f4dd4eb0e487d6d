"""Items, users and story lists as Hacker News' API (v0) shapes them, read from the forum."""

from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from forum.accounts.models import User
from threads.core import selectors
from threads.core.ranking import order_best_first
from threads.core.rows import ID, PARENT, POST_FIELDS, REF
from threads.core.selectors import ThreadStamp
from threads.hn.story_files import ITEM_FIELDS
from threads.models import Comment, HnItem, Thread
from threads.text import hn_html, markup

LIST_LENGTH = 500
TITLED_LENGTH = 200
UPDATES_LENGTH = 100
ASK_TITLES = r"^Ask [^:]{1,30}:"
SHOW_TITLES = r"^Show [^:]{1,30}:"
HIDDEN = (Comment.State.REMOVED, Comment.State.FLAGGED)


def unix(moment: datetime) -> int:
    return int(moment.timestamp())


def item_stamp(*, item_id: int) -> ThreadStamp | None:
    """The thread that holds the item, with its version (what the item's answer is keyed by)."""
    row = (
        Comment.objects.filter(pk=item_id)
        .values_list("thread_id", "thread__created_at", "thread__version", "thread__author_id")
        .first()
    )
    return None if row is None else ThreadStamp(*row)


def item(*, item_id: int) -> dict | None:
    """The item as /v0/item/ID.json answers it; None for an unknown id. Two queries."""
    post = Comment.objects.select_related("thread", "author", "hn_item").filter(pk=item_id).first()
    if post is None:
        return None
    return item_fields(post, kids=kids_of(post_id=post.pk))


def kids_of(*, post_id: int) -> list[tuple[int, int]]:
    """The direct replies' ids and numbers, best first as the thread page shows them."""
    rows = Comment.objects.filter(parent_id=post_id).order_by("lft").values_list(*POST_FIELDS)
    return [(row[ID], row[REF]) for row in order_best_first(list(rows), timezone.now())]


def item_fields(post: Comment, *, kids: list[tuple[int, int]]) -> dict:
    """A post as a Hacker News item: a story for an opening post, else a comment; one imported
    from HN as HN gave it, kids in HN's order. A deleted or hidden post says so and keeps its
    place, without its author or its text; a dead one keeps its author."""
    given = _given(post)
    fields = {"id": post.pk, "type": "story" if post.is_op else "comment"}
    fields["time"] = unix(post.created_at)
    if not post.is_op:
        fields["parent"] = post.parent_id
    if kids:
        fields["kids"] = _in_hn_order(post, given, kids) if given else [pk for pk, _ref in kids]
    if post.state == Comment.State.DELETED:
        return fields | {"deleted": True}
    if post.thread.is_removed or post.state in HIDDEN:
        return fields | {"dead": True}
    if given:
        kept = {name: value for name, value in given.items() if name != "kids"}
        fields = kept | fields | _changed_here(post, given)
    else:
        fields |= _written_here(post)
    # The search API's text too; an edit that left none leaves no text, as HN gives none.
    text = post_text(text=post.text, given=given, edited=post.edited_at is not None)
    if text:
        fields["text"] = text
    else:
        fields.pop("text", None)
    if post.state == Comment.State.DEAD:
        # Its text is for staff alone, as on its page: the API is everyone's.
        fields.pop("text", None)
        fields["dead"] = True
    return fields


def post_text(*, text: str, given: dict | None, edited: bool) -> str:
    """A post's text as Hacker News' HTML: as HN gave it for an item imported from there and
    not edited since, else the forum's markup written the way HN writes it."""
    if given is not None and not edited:
        return given.get("text", "")
    return hn_html.from_markup(text)


def _given(post: Comment) -> dict | None:
    """The item HN gave for the post, if it was imported from there."""
    try:
        given = post.hn_item.item
    except HnItem.DoesNotExist:
        return None
    # Items kept before imports kept only HN's fields may hold others a file added.
    return {name: value for name, value in given.items() if name in ITEM_FIELDS}


def _in_hn_order(post: Comment, given: dict, kids: list[tuple[int, int]]) -> list[int]:
    """The kids HN listed in HN's order (an item's number is its id minus the story's), then
    the replies written here, best first."""
    place = {kid - given["id"] + post.ref: n for n, kid in enumerate(given.get("kids") or [])}
    return [pk for pk, ref in sorted(kids, key=lambda kid: place.get(kid[1], len(place)))]


def _changed_here(post: Comment, given: dict) -> dict:
    """What the forum changed since the import: a title a moderator edited."""
    fields = {}
    # The import stored the title with its spaces and controls tidied (markup.one_line).
    if post.is_op and markup.one_line(given.get("title") or "") != post.thread.title:
        fields["title"] = post.thread.title
    return fields


def _written_here(post: Comment) -> dict:
    fields = {"by": post.author.username}
    if post.is_op:
        thread = post.thread
        fields |= {"title": thread.title, "score": thread.points}
        fields |= {"descendants": thread.comment_count, "url": thread.url}
        if not thread.url:
            del fields["url"]
    return fields


def user(*, username: str) -> dict | None:
    found = User.objects.named(username).first()
    if found is None:
        return None
    fields = {
        "id": found.username,
        "created": unix(found.date_joined),
        "karma": found.karma,
        "submitted": list(
            shown_posts().filter(author=found).order_by("-pk").values_list("pk", flat=True)
        ),
    }
    if found.about:
        fields["about"] = hn_html.from_markup(found.about)
    return fields


def shown_posts():
    """Posts a reader may read: neither deleted, removed nor hidden, in a thread still up."""
    return Comment.objects.filter(state=Comment.State.VISIBLE, thread__is_removed=False)


def max_item() -> int:
    return Comment.objects.aggregate(top=Max("pk"))["top"] or 0


def top_stories() -> list[int]:
    return [t.op_id for t in selectors.threads_ranked(offset=0, limit=LIST_LENGTH)]


def new_stories() -> list[int]:
    return [t.op_id for t in selectors.threads_newest(offset=0, limit=LIST_LENGTH)]


def best_stories() -> list[int]:
    return [t.op_id for t in selectors.threads_best(offset=0, limit=LIST_LENGTH)]


def ask_stories() -> list[int]:
    return _titled(ASK_TITLES)


def show_stories() -> list[int]:
    return _titled(SHOW_TITLES)


def _titled(pattern: str) -> list[int]:
    threads = Thread.objects.visible().filter(title__regex=pattern).newest()
    return list(threads.values_list("op_id", flat=True)[:TITLED_LENGTH])


def updates() -> dict:
    """The newest readable posts and their authors."""
    rows = shown_posts().order_by("-pk").values_list("pk", "author__username")[:UPDATES_LENGTH]
    rows = list(rows)
    profiles = list(dict.fromkeys(username for _pk, username in rows))
    return {"items": [pk for pk, _username in rows], "profiles": profiles}


def export_items(*, thread: Thread) -> list[dict]:
    """The thread as Hacker News items, the story first: item ids are the story's id plus
    each post's number, so that import_hn gives back the same names."""
    rows = selectors.thread_posts(thread_id=thread.pk, html=True)
    posts = Comment.objects.filter(tree_id=thread.pk).select_related("author", "thread", "hn_item")
    by_pk = {post.pk: post for post in posts}
    op_id = rows[0][ID]
    item_id = {row[ID]: op_id + row[REF] for row in rows}
    kids: dict[int, list[tuple[int, int]]] = {}
    for row in order_best_first(rows, timezone.now()):
        kids.setdefault(row[PARENT], []).append((item_id[row[ID]], row[REF]))
    items = []
    for row in rows:
        fields = item_fields(by_pk[row[ID]], kids=kids.get(row[ID], []))
        fields["id"] = item_id[row[ID]]
        if "parent" in fields:
            fields["parent"] = item_id[fields["parent"]]
        items.append(fields)
    return items
