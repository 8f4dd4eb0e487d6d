"""Bans: barring a user from every write, lifting it, and removing all they wrote."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.core import policies
from threads.models import Ban, Comment, ModerationAction, Thread
from threads.services.locks import locked_thread, readable_replies, reader_touch, thread_touch
from threads.services.moderation import comment_remove, log, reason_checked


@transaction.atomic
def user_ban(
    *,
    user: User,
    moderator: User,
    reason: str,
    expires_at: datetime | None = None,
    remove_posts: bool = False,
) -> Ban:
    if not reason.strip():
        raise ForumError("A ban needs a reason: the banned user is told it.")
    # Kept on the ban and its posts as well as in the log: checked before it is kept anywhere.
    reason_checked(reason)
    policies.refuse(policies.ban_refusal(user=user))
    ban = Ban.objects.create(user=user, moderator=moderator, reason=reason, expires_at=expires_at)
    reader_touch(user)
    log(
        moderator=moderator,
        kind=ModerationAction.Kind.BAN,
        target=f"{user.username} {ban.until}",
        user=user,
        reason=reason,
    )
    if remove_posts:
        _remove_all_posts(ban=ban, moderator=moderator, reason=reason)
    return ban


def _lock_threads(thread_ids) -> list[int]:
    # Lock in key order so two moderators banning at once cannot deadlock.
    thread_ids = sorted(set(thread_ids))
    for thread_id in thread_ids:
        locked_thread(thread_id)
    return thread_ids


def _recount(thread_ids) -> None:
    for thread_id in thread_ids:
        thread_touch(thread_id, comment_count=readable_replies(thread_id))


def _remove_all_posts(*, ban: Ban, moderator: User, reason: str) -> None:
    user = ban.user
    posts = Comment.objects.filter(author=user, state=Comment.State.VISIBLE)
    thread_ids = _lock_threads(posts.values_list("thread_id", flat=True))
    replies = posts.filter(level__gt=0)
    ban.removed_posts.add(*replies.values_list("pk", flat=True))
    replies.update(state=Comment.State.REMOVED, removal_reason=reason)
    _recount(thread_ids)
    threads = Thread.objects.filter(author=user, is_removed=False)
    ban.removed_threads.add(*threads.values_list("pk", flat=True))
    threads.update(is_removed=True)
    log(
        moderator=moderator,
        kind=ModerationAction.Kind.REMOVE_ALL,
        target=f"every post and thread of {user.username}",
        user=user,
        reason=reason,
    )


@transaction.atomic
def comment_remove_and_ban(
    *,
    comment_id: int,
    moderator: User,
    reason: str,
    expires_at: datetime | None = None,
    remove_posts: bool = False,
) -> Comment:
    """Both or neither: a refused ban leaves the post as it was."""
    comment = comment_remove(comment_id=comment_id, moderator=moderator, reason=reason)
    if policies.active_ban(comment.author) is None:
        user_ban(
            user=comment.author,
            moderator=moderator,
            reason=reason,
            expires_at=expires_at,
            remove_posts=remove_posts,
        )
    return comment


@transaction.atomic
def user_unban(
    *, ban_id: int, moderator: User, reason: str = "", restore_posts: bool = False
) -> Ban:
    """Lifts a ban; with restore_posts, also brings back what the ban removed."""
    ban = Ban.objects.select_for_update().select_related("user").filter(pk=ban_id).first()
    if ban is None:
        raise ForumError(f"There is no ban with id {ban_id}.", status=404)
    policies.refuse(policies.unban_refusal(ban=ban))
    ban.lifted_at = timezone.now()
    ban.save(update_fields=["lifted_at"])
    reader_touch(ban.user)
    log(
        moderator=moderator,
        kind=ModerationAction.Kind.UNBAN,
        target=ban.user.username,
        user=ban.user,
        reason=reason,
    )
    if restore_posts:
        ban_removals_restore(ban=ban, moderator=moderator, reason=reason)
    return ban


@transaction.atomic
def ban_removals_restore(*, ban: Ban, moderator: User, reason: str = "") -> None:
    """Shows again the posts and threads this ban removed, only those still removed by it:
    never a post its author deleted or a moderator removed for another reason since."""
    posts = Comment.objects.filter(
        pk__in=ban.removed_posts.values("pk"),
        state=Comment.State.REMOVED,
        removal_reason=ban.reason,
    )
    threads = Thread.objects.filter(
        pk__in=ban.removed_threads.values("pk"), is_removed=True, removed_by_author=False
    )
    thread_ids = _lock_threads(
        [*posts.values_list("thread_id", flat=True), *threads.values_list("pk", flat=True)]
    )
    posts.update(state=Comment.State.VISIBLE, removal_reason="")
    threads.update(is_removed=False)
    _recount(thread_ids)
    log(
        moderator=moderator,
        kind=ModerationAction.Kind.RESTORE_ALL,
        target=f"every post and thread of {ban.user.username} that the ban removed",
        user=ban.user,
        reason=reason,
    )
