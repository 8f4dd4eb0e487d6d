"""Reads of what a reader keeps: their favorites (public, as on Hacker News) and the threads
they hid (their own)."""

from django.db.models import QuerySet

from forum.accounts.models import User
from threads.models import Comment, Favorite, HiddenThread, Thread


def _favorites(username: str, **post_filters) -> QuerySet[Favorite]:
    """A user's favorites of shown posts, the latest favorite first, with post and thread."""
    return (
        Favorite.objects.filter(
            user__username__iexact=username,
            comment__state=Comment.State.VISIBLE,
            comment__thread__is_removed=False,
            **{f"comment__{key}": value for key, value in post_filters.items()},
        )
        .select_related("comment__thread__author", "comment__author")
        .order_by("-created_at", "-pk")
    )


def favorite_threads(*, username: str, offset: int, limit: int) -> list[Thread]:
    favorites = _favorites(username, level=0)[offset : offset + limit]
    return [favorite.comment.thread for favorite in favorites]


def favorite_comments(*, username: str, offset: int, limit: int) -> list[Comment]:
    favorites = _favorites(username, level__gt=0)[offset : offset + limit]
    return [favorite.comment for favorite in favorites]


def is_favorite(*, user: User, comment_id: int) -> bool:
    return (
        user.is_authenticated and Favorite.objects.filter(user=user, comment_id=comment_id).exists()
    )


def hidden_among(*, user: User, threads) -> set[int]:
    """Which of these threads the reader hid."""
    if not user.is_authenticated:
        return set()
    ids = [thread.pk for thread in threads]
    rows = HiddenThread.objects.filter(user=user, thread_id__in=ids)
    return set(rows.values_list("thread_id", flat=True))


def hidden_threads(*, user: User, offset: int, limit: int) -> list[Thread]:
    """The threads a reader hid, the latest hidden first."""
    hidden = HiddenThread.objects.filter(user=user, thread__is_removed=False)
    hidden = hidden.select_related("thread__author").order_by("-created_at", "-pk")
    return [row.thread for row in hidden[offset : offset + limit]]


def hidden_thread_ids(*, user: User) -> set[int]:
    return set(HiddenThread.objects.filter(user=user).values_list("thread_id", flat=True))
