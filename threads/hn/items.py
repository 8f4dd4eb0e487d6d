"""Items, users and story lists as Hacker News' API (v0) shapes them, read from the forum."""

from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from forum.accounts.models import User
from threads.core import selectors
from threads.core.ranking import order_best_first
from threads.core.rows import POST_FIELDS
from threads.core.selectors import ThreadStamp
from threads.models import Comment, Thread
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
    post = Comment.objects.select_related("thread", "author").filter(pk=item_id).first()
    if post is None:
        return None
    return item_fields(post, kids=kids_of(post_id=post.pk))


def kids_of(*, post_id: int) -> list[int]:
    """The direct replies' ids, best first as the thread page shows them."""
    rows = Comment.objects.filter(parent_id=post_id).order_by("lft").values_list(*POST_FIELDS)
    return [row[0] for row in order_best_first(list(rows), timezone.now())]


def item_fields(post: Comment, *, kids: list[int]) -> dict:
    """A post as a Hacker News item: a story for an opening post, else a comment. A deleted or
    hidden post says so and keeps its place, without its author or its text."""
    fields = {"id": post.pk, "type": "story" if post.is_op else "comment"}
    fields["time"] = unix(post.created_at)
    if not post.is_op:
        fields["parent"] = post.parent_id
    if kids:
        fields["kids"] = kids
    if post.state == Comment.State.DELETED:
        return fields | {"deleted": True}
    if post.thread.is_removed or post.state in HIDDEN:
        return fields | {"dead": True}
    fields["by"] = post.author.username
    if post.is_op:
        thread = post.thread
        fields |= {"title": thread.title, "score": thread.points}
        fields |= {"descendants": thread.comment_count, "url": thread.url}
        if not thread.url:
            del fields["url"]
    if post.text:
        fields["text"] = hn_html.from_forum(post.html)
    return fields


def user(*, username: str) -> dict | None:
    found = User.objects.filter(username__iexact=username).first()
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
        fields["about"] = hn_html.from_forum(markup.render(found.about))
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
    posts = Comment.objects.filter(tree_id=thread.pk).select_related("author", "thread")
    by_pk = {post.pk: post for post in posts}
    op_id = rows[0][0]
    item_id = {row[0]: op_id + row[2] for row in rows}
    kids: dict[int, list[int]] = {}
    for row in order_best_first(rows, timezone.now()):
        kids.setdefault(row[1], []).append(item_id[row[0]])
    items = []
    for row in rows:
        fields = item_fields(by_pk[row[0]], kids=kids.get(row[0], []))
        fields["id"] = item_id[row[0]]
        if "parent" in fields:
            fields["parent"] = item_id[fields["parent"]]
        items.append(fields)
    return items
