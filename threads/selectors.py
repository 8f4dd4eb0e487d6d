"""Every read the pages need, each a constant number of queries whatever the thread's size."""

from datetime import datetime

from django.db.models import F, OuterRef, QuerySet, Subquery, TextField, Value

from .models import Comment, ModerationAction, Thread

# A post row is a plain tuple of these, then its html and its text: pages.build unpacks it.
POST_FIELDS = (
    "id",
    "parent_id",
    "ref",
    "level",
    "lft",
    "rght",
    "created_at",
    "edited_at",
    "state",
    "author__username",
)
_EMPTY = Value("", output_field=TextField())


def post_get(*, post_id: int) -> Comment:
    """One post with its thread and author; raises Comment.DoesNotExist."""
    return Comment.objects.select_related("thread", "author").get(
        pk=post_id, thread__is_removed=False
    )


def thread_posts(*, thread_id: int, html: bool = True, text: bool = False) -> list[tuple]:
    """Every post of a thread, the opening post first, in tree order: one query.

    Each row carries the bodies asked for (the rest are empty strings): an HTML page needs
    only the rendered html, a text form only the text, and the bodies are most of the bytes.
    """
    return list(_posts(html, text).filter(tree_id=thread_id))


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


def threads_ranked(*, offset: int, limit: int) -> QuerySet[Thread]:
    return _with_op(Thread.objects.visible().ranked())[offset : offset + limit]


def threads_newest(*, offset: int, limit: int) -> QuerySet[Thread]:
    return _with_op(Thread.objects.visible().newest())[offset : offset + limit]


def threads_best(*, offset: int, limit: int) -> QuerySet[Thread]:
    return _with_op(Thread.objects.visible().order_by("-points", "-pk"))[offset : offset + limit]


def moderation_log(*, offset: int, limit: int) -> QuerySet[ModerationAction]:
    return ModerationAction.objects.select_related("moderator").order_by("-created_at", "-pk")[
        offset : offset + limit
    ]


def _with_op(threads: QuerySet[Thread]) -> QuerySet[Thread]:
    op = Comment.objects.filter(tree_id=OuterRef("pk"), level=0).values("pk")[:1]
    return threads.select_related("author").annotate(op_id=Subquery(op))


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
    return _with_op(
        Thread.objects.visible().filter(url=url, created_at__gte=since).newest()
    ).first()


def threads_by(*, username: str, offset: int, limit: int) -> QuerySet[Thread]:
    threads = Thread.objects.visible().filter(author__username__iexact=username).newest()
    return _with_op(threads)[offset : offset + limit]


def comments_by(*, username: str, offset: int, limit: int) -> QuerySet[Comment]:
    """A user's visible replies, newest first, each with its thread."""
    op_of_tree = Comment.objects.filter(tree_id=OuterRef("tree_id"), level=0).values("pk")[:1]
    comments = (
        Comment.objects.replies()
        .filter(
            author__username__iexact=username,
            state=Comment.State.VISIBLE,
            thread__is_removed=False,
        )
        .select_related("thread", "author")
        .annotate(op_id=Subquery(op_of_tree))
        .order_by("-created_at", "-pk")
    )
    return comments[offset : offset + limit]


def thread_op_id(*, thread_id: int) -> int:
    return Comment.objects.values_list("pk", flat=True).get(tree_id=thread_id, level=0)
