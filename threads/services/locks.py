"""The thread lock every write takes first, and the version bumps that renew cached pages."""

from django.conf import settings
from django.db.models import F, Subquery

from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.models import Comment, Thread


def locked_thread(thread_id: int) -> Thread:
    """The thread, its row locked until the transaction ends: one writer of a tree at a time."""
    # FORUM_TREE_LOCK is off only in the concurrency bench, to show what the lock prevents.
    threads = Thread.objects.select_for_update() if settings.FORUM_TREE_LOCK else Thread.objects
    return threads.get(pk=thread_id)


def locked_comment(comment_id: int) -> Comment:
    """The post, with its thread locked first (the order every write takes: no deadlock)."""
    thread_id = Comment.objects.filter(pk=comment_id).values_list("thread_id", flat=True).first()
    if thread_id is None:
        raise ForumError(f"There is no post with id {comment_id}.", status=404)
    thread = locked_thread(thread_id)
    if thread.is_removed:
        raise ForumError(f"There is no post with id {comment_id}.", status=404)
    comment = Comment.objects.select_related("author").get(pk=comment_id)
    comment.thread = thread
    return comment


def thread_touch(thread_id: int, **changes) -> None:
    """Records that the thread's page changed, with any other changes to the thread's row.

    Every write that changes what the thread page shows (a reply, an edit, a delete, a
    removal, a move, a lock) must call this inside its transaction: the cached pages are keyed
    by the version it bumps, so without it readers keep the old page.
    """
    stamp = lists_stamp_next()
    Thread.objects.filter(pk=thread_id).update(
        version=F("version") + 1, lists_stamp=stamp, **changes
    )


def lists_stamp_next() -> Subquery:
    """The lists' next stamp, for the thread a write changes (selectors.lists_stamp)."""
    highest = Thread.objects.order_by("-lists_stamp").values("lists_stamp")[:1]
    return Subquery(highest) + 1


def reader_touch(user: User) -> None:
    """Records that what only this user is shown changed (a thread hidden, a flag, a ban):
    what pages keep of a reader is keyed by the version it bumps (threads.caching.readers)."""
    User.objects.filter(pk=user.pk).update(reader_version=F("reader_version") + 1)


def post_changed(comment: Comment, *fields: str) -> None:
    """Saves the post's changed fields and renews its thread's page (and count, if it hid)."""
    comment.save(update_fields=list(fields))
    changes = {"comment_count": readable_replies(comment.thread_id)} if "state" in fields else {}
    thread_touch(comment.thread_id, **changes)


def readable_replies(thread_id: int) -> int:
    """What "N comments" counts (trees.reply_count): replies neither deleted nor hidden."""
    replies = Comment.objects.filter(thread_id=thread_id, level__gt=0)
    return replies.filter(state=Comment.State.VISIBLE).count()
