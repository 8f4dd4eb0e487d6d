"""Votes on posts; a vote on a thread is a vote on its opening post, whose points it shows."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F

from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.core import policies
from threads.models import Comment, Vote
from threads.services.locks import locked_comment, thread_touch


def _points_add(comment: Comment, delta: int) -> None:
    """Moves the post's points, its thread's if it opens one, and its author's karma together."""
    Comment.objects.filter(pk=comment.pk).update(points=F("points") + delta)
    # Points fade posts and order replies: the cached thread page must change with them.
    if comment.is_op:
        thread_touch(comment.thread_id, points=F("points") + delta)
    else:
        thread_touch(comment.thread_id)
    User.objects.filter(pk=comment.author_id).update(karma=F("karma") + delta)
    comment.points += delta


@transaction.atomic
def comment_vote(*, comment_id: int, user: User, direction: str) -> Comment:
    """Casts the user's vote (up or down) on a post or, through its opening post, a thread."""
    # The thread's row is locked as for every write: a vote changes the thread page, and
    # locking in the same order as replies (thread, then posts) cannot deadlock with them.
    comment = locked_comment(comment_id)
    policies.refuse(policies.vote_refusal(user=user, comment=comment, direction=direction))
    value = 1 if direction == "up" else -1
    try:
        # The row lock already orders two votes on the post; the unique constraint is the last
        # word should anything get past it, and the savepoint keeps the transaction usable.
        with transaction.atomic():
            Vote.objects.create(user=user, comment=comment, value=value)
    except IntegrityError:
        raise ForumError("You have already voted on this post.", status=409) from None
    _points_add(comment, value)
    return comment


@transaction.atomic
def vote_withdraw(*, comment_id: int, user: User, now: datetime | None = None) -> Comment:
    """Takes back the user's vote on a post, within policies.UNVOTE_WINDOW of casting it."""
    comment = locked_comment(comment_id)
    policies.refuse(policies.unvote_refusal(user=user, comment=comment, now=now))
    vote = Vote.objects.get(user=user, comment=comment)
    vote.delete()
    _points_add(comment, -vote.value)
    return comment
