"""Every read the pages need, each a constant number of queries whatever the thread's size."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import connections, router
from django.db.models import F, IntegerField, Q, QuerySet, Subquery, TextField, Value
from django.utils import timezone

from forum.accounts.models import User
from forum.http import digits_only, whole_number
from threads.core import keeping
from threads.core.ranking import hot_score
from threads.core.rows import POST_FIELDS
from threads.core.thread_urls import url_key
from threads.models import Comment, Favorite, Flag, HiddenThread, ModerationAction, Thread, Vote
from threads.text import markup, zlacker

_EMPTY = Value("", output_field=TextField())


def post_get(*, post_id: int) -> Comment:
    """One post with its thread and author; raises Comment.DoesNotExist."""
    return Comment.objects.select_related("thread", "author").get(
        pk=post_id, thread__is_removed=False
    )


# A browser shows a form afresh on Back, with a new one-time key and the text put back: the
# same text under the same post this soon is the same reply posted again.
REPEAT_WINDOW = timedelta(minutes=10)


def post_repeated(
    *, author: User, form_key: str | None, parent_id: int | None = None, text: str | None = None
) -> Comment | None:
    """The post this author already made from this form, if any (with its thread): the post of
    its one-time key, or, given a reply's parent and text, the same reply made within
    REPEAT_WINDOW."""
    posts = Comment.objects.select_related("thread").filter(author=author)
    if form_key and (post := posts.filter(form_key=form_key).first()):
        return post
    if parent_id is None or not text:
        return None
    since = timezone.now() - REPEAT_WINDOW
    same = posts.filter(parent_id=parent_id, text=text, created_at__gte=since)
    return same.filter(state=Comment.State.VISIBLE).order_by("-pk").first()


def post_deleted_by(*, author: User, post_id: int) -> Comment | None:
    """The post, if its author is this user and they deleted it (its thread may be gone too)."""
    posts = Comment.objects.select_related("thread", "parent__thread")
    return posts.filter(pk=post_id, author=author, state=Comment.State.DELETED).first()


def post_named(*, name: str, thread_id: int | None) -> Comment | None:
    """A post by its public id, or by its name (bob+1) within the thread `thread_id`."""
    name = name.strip()
    posts = Comment.objects.select_related("thread", "author")
    if digits_only(name):
        post_id = whole_number(name)
        return None if post_id is None else posts.filter(pk=post_id).first()
    try:
        user, ref = zlacker.split_name(name)
    except ValueError:
        return None
    named = posts.filter(tree_id=thread_id, ref=ref, author__username__istartswith=user)
    return next((post for post in named if post.name.lower() == name.lower()), None)


def removed_thread_of(*, post_id: int) -> Thread | None:
    """The removed thread this post is in, if it is in one."""
    return Thread.objects.filter(is_removed=True, comments__pk=post_id).first()


def flagged_by(*, user: User, comment_id: int) -> bool:
    return Flag.objects.filter(user=user, comment_id=comment_id).exists()


def thread_removal_reason(*, thread: Thread) -> str:
    """Why a moderator last removed the thread, as the log says ("" if they gave no reason)."""
    removals = ModerationAction.objects.filter(
        thread=thread, kind=ModerationAction.Kind.REMOVE_THREAD
    )
    return removals.order_by("-created_at", "-pk").values_list("reason", flat=True).first() or ""


class ThreadStamp(NamedTuple):
    """What a thread's cached pages are keyed by, and its author (a logged-in reader who
    wrote the thread is shown a page of their own); a Thread has the same attributes."""

    pk: int
    created_at: datetime
    version: int
    author_id: int


def reading_connection():
    """The database a raw read goes to: a replica where the router sends reads, else the one
    database (a read in a write's transaction stays on the primary)."""
    return connections[router.db_for_read(Thread)]


def thread_stamp(*, op_id: int) -> ThreadStamp | None:
    """The visible thread that this post opens, with its version; None if it opens none.

    Read on every anonymous view of a thread page to find the cached copy. Written in SQL: the
    ORM spends four times the query's own cost compiling it.
    """
    threads = Thread._meta.db_table
    with reading_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT id, created_at, version, author_id FROM {threads}"
            " WHERE op_id = %s AND NOT is_removed",
            [op_id],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    thread_id, created_at, version, author_id = row
    if timezone.is_naive(created_at):  # SQLite's, stored in UTC (USE_TZ)
        created_at = created_at.replace(tzinfo=UTC)
    return ThreadStamp(thread_id, created_at, version, author_id)


def thread_posts(
    *, thread_id: int, html: bool = True, text: bool = False, by_number: bool = False
) -> list[tuple]:
    """Every post of a thread, the opening post first, in tree order or, `by_number`, in the
    order of their numbers in the thread (zlacker's time order): one query.

    Each row carries the bodies asked for (the rest are empty strings): an HTML page needs
    only the rendered html, a text form only the text, and the bodies are most of the bytes.
    The database sorts by number rather than Python: a page drawn from rows in the order they
    were read is a tenth faster at 20,000 posts than from the same rows sorted after.
    """
    posts = _posts(html, text).filter(tree_id=thread_id)
    return list(posts.order_by("ref", "pk") if by_number else posts)


def subtree_posts(*, post: Comment, html: bool = True, text: bool = False) -> list[tuple]:
    """A post and everything below it, in tree order."""
    return list(
        _posts(html, text).filter(tree_id=post.tree_id, lft__gte=post.lft, lft__lt=post.rght)
    )


def chain_posts(*, post: Comment, html: bool = True, text: bool = False) -> list[tuple]:
    """The opening post, then every ancestor of a post down to the post itself."""
    return list(
        _posts(html, text).filter(tree_id=post.tree_id, lft__lte=post.lft, rght__gte=post.rght)
    )


def lists_stamp() -> str:
    """What the cached lists of threads and comments are keyed by: the highest of the threads'
    lists_stamp, which every write sets on its thread to the highest + 1.

    On PostgreSQL, two writes at once may each set the same number, and a list read between
    their commits would be kept under it: the transactions in progress are part of the stamp,
    and the one still writing leaves it when it commits. (The set is empty again once nothing
    writes, so a write elsewhere costs the lists nothing once it is done.) SQLite has one writer
    at a time. Read on every view of a list: one indexed lookup, in SQL as thread_stamp is.
    """
    highest = f"SELECT lists_stamp FROM {Thread._meta.db_table} ORDER BY lists_stamp DESC LIMIT 1"
    connection = reading_connection()
    if connection.vendor == "postgresql":
        writing = (
            "SELECT string_agg(x::text, ',' ORDER BY x)"
            " FROM pg_snapshot_xip(pg_current_snapshot()) AS x"
        )
        sql = f"SELECT ({highest}), ({writing})"
    else:
        sql = f"SELECT ({highest}), ''"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        highest_stamp, in_progress = cursor.fetchone()
    if not in_progress:
        return str(highest_stamp or 0)
    return f"{highest_stamp or 0}.{hashlib.sha256(in_progress.encode()).hexdigest()[:16]}"


def thread_ranking(*, now: datetime | None = None) -> list[int]:
    """The front page's order, as thread ids: pinned threads, then the most recent threads by
    Hacker News' formula. One query: only the FORUM_RANK_WINDOW newest threads compete; an
    older one has aged out of the formula's reach in any case."""
    now = now or timezone.now()
    window = settings.FORUM_RANK_WINDOW
    newest = Thread.objects.visible().newest().values("pk")[:window]
    candidates = Thread.objects.visible().filter(Q(is_pinned=True) | Q(pk__in=Subquery(newest)))
    rows = candidates.values_list("pk", "is_pinned", "points", "created_at")
    order = sorted(rows, key=lambda row: (not row[1], -hot_score(row[2], row[3], now), -row[0]))
    return [row[0] for row in order]


def threads_in_order(ids: list[int]) -> list[Thread]:
    """The threads of these ids, with their authors, in the order given: one query."""
    threads = Thread.objects.filter(pk__in=ids).select_related("author").in_bulk(ids)
    return [threads[pk] for pk in ids if pk in threads]


def threads_ranked(
    *, offset: int, limit: int, now: datetime | None = None, hidden_by: User | None = None
) -> list[Thread]:
    """A page of the front page's threads (thread_ranking), less those the reader hid."""
    ranking = thread_ranking(now=now)
    if hidden_by is not None and hidden_by.is_authenticated:
        hidden = keeping.hidden_thread_ids(user=hidden_by)
        ranking = [pk for pk in ranking if pk not in hidden]
    return threads_in_order(ranking[offset : offset + limit])


def threads_newest(*, offset: int, limit: int, hidden_by: User | None = None) -> QuerySet[Thread]:
    threads = Thread.objects.visible().not_hidden_by(hidden_by).newest()
    return threads.select_related("author")[offset : offset + limit]


def threads_best(*, offset: int, limit: int, hidden_by: User | None = None) -> QuerySet[Thread]:
    return (
        Thread.objects.visible()
        .not_hidden_by(hidden_by)
        .order_by("-points", "-pk")
        .select_related("author")[offset : offset + limit]
    )


def moderation_log(*, offset: int, limit: int) -> QuerySet[ModerationAction]:
    """Newest first, with what each line links to (ModerationAction.target_url)."""
    actions = ModerationAction.objects.select_related("moderator", "thread", "user")
    return actions.order_by("-created_at", "-pk")[offset : offset + limit]


def _posts(html: bool, text: bool) -> QuerySet:
    bodies = {
        "body_html": F("html") if html else _EMPTY,
        "body_text": F("text") if text else _EMPTY,
    }
    return (
        Comment.objects.order_by("lft")
        .annotate(**bodies)
        .values_list(*POST_FIELDS, "body_html", "body_text")
    )


def thread_with_url(*, url: str, since: datetime) -> Thread | None:
    """The newest visible thread submitted with this url since the given moment."""
    threads = Thread.objects.visible().filter(url_key=url_key(url), created_at__gte=since)
    return threads.newest().first()


def threads_by(*, username: str, offset: int, limit: int) -> QuerySet[Thread]:
    threads = Thread.objects.visible().filter(author__username__iexact=username).newest()
    return threads.select_related("author")[offset : offset + limit]


def _listed_comments() -> QuerySet[Comment]:
    """Visible replies in threads that are not removed, newest first, each with its thread."""
    return (
        Comment.objects.replies()
        .filter(state=Comment.State.VISIBLE, thread__is_removed=False)
        .select_related("thread", "author")
        .order_by("-created_at", "-pk")
    )


def comments_by(*, username: str, offset: int, limit: int) -> QuerySet[Comment]:
    """A user's visible replies, newest first, each with its thread."""
    comments = _listed_comments().filter(author__username__iexact=username)
    return comments[offset : offset + limit]


def comments_newest(*, offset: int, limit: int) -> QuerySet[Comment]:
    """The forum's newest visible replies, each with its thread."""
    return _listed_comments()[offset : offset + limit]


def threads_from(
    *, site: str, offset: int, limit: int, hidden_by: User | None = None
) -> QuerySet[Thread]:
    """Threads linking to the site (its www. form too), newest first."""
    host = rf"^https?://(www\.)?{re.escape(site)}([:/?#]|$)"
    threads = Thread.objects.visible().not_hidden_by(hidden_by).filter(url__iregex=host).newest()
    return threads.select_related("author")[offset : offset + limit]


def replies_to(*, user: User) -> QuerySet[Comment]:
    """Visible replies to the user's posts and threads by anyone else, newest first."""
    return (
        Comment.objects.filter(
            parent_author=user, state=Comment.State.VISIBLE, thread__is_removed=False
        )
        .exclude(author=user)
        .order_by("-created_at", "-pk")
    )


def replies_page(*, user: User, offset: int, limit: int) -> QuerySet[Comment]:
    replies = replies_to(user=user).select_related("thread", "author", "parent__author")
    return replies[offset : offset + limit]


def replies_unread(*, user: User) -> int:
    """How many replies came since the user last opened the inbox: one indexed count."""
    replies = replies_to(user=user)
    if user.replies_seen_at is not None:
        replies = replies.filter(created_at__gt=user.replies_seen_at)
    return replies.count()


def votes_in_thread(*, user: User, thread_id: int) -> dict[int, int]:
    """The user's votes on a thread's posts: post id -> +1 or -1."""
    rows = Vote.objects.filter(user=user, comment__tree_id=thread_id)
    return dict(rows.values_list("comment_id", "value"))


def votes_on(*, user: User, comment_ids) -> dict[int, int]:
    rows = Vote.objects.filter(user=user, comment_id__in=list(comment_ids))
    return dict(rows.values_list("comment_id", "value"))


def marked_in_thread(*, user: User, thread_id: int) -> tuple[list[int], list[int], bool]:
    """The posts a reader flagged in a thread, those they favorite, and whether they hid the
    thread, in one query."""
    kind = lambda n: Value(n, output_field=IntegerField())  # noqa: E731
    flags = Flag.objects.filter(user=user, comment__tree_id=thread_id)
    faves = Favorite.objects.filter(user=user, comment__tree_id=thread_id)
    hidden = HiddenThread.objects.filter(user=user, thread_id=thread_id)
    rows = flags.values_list("comment_id", kind(0)).union(
        faves.values_list("comment_id", kind(1)),
        hidden.values_list("thread_id", kind(2)),
        all=True,
    )
    marked = ([], [], [])
    for pk, which in rows:
        marked[which].append(pk)
    return marked[0], marked[1], bool(marked[2])


def refs_named(*, thread_id: int, text: str) -> markup.RefResolver:
    """The posts of the thread that the text's `>>name+ref` references name, as the renderer
    asks for them (markup.render): one query, none for a text that names none."""
    refs = {_ref_of(name) for name in markup.referenced_names(text)} - {None}
    if not refs:
        return lambda name: None
    rows = Comment.objects.filter(thread_id=thread_id, ref__in=refs).values_list(
        "pk", "ref", "author__username"
    )
    ids = {zlacker.post_name(username, ref): pk for pk, ref, username in rows}
    return ids.get


def _ref_of(name: str) -> int | None:
    try:
        return zlacker.split_name(name)[1]
    except ValueError:
        return None


def own_posts_in_thread(*, user: User, thread_id: int) -> list[Comment]:
    """The user's own posts in a thread, with what their points (only they are shown a post's
    points) and the edit and delete policies read, their thread's lock among it."""
    rows = Comment.objects.filter(tree_id=thread_id, author=user).select_related("thread")
    fields = ("points", "created_at", "state", "author_id", "thread_id", "thread__is_locked")
    return list(rows.only(*fields))
