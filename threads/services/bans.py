"""Bans: barring a user from every write, lifting it, and removing all they wrote."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from forum.accounts.models import User
from forum.exceptions import ForumError

from .. import policies
from ..models import Ban, Comment, ModerationAction, Thread
from .locks import locked_thread, readable_replies, thread_touch
from .moderation import comment_remove, log


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
    policies.refuse(policies.ban_refusal(user=user))
    ban = Ban.objects.create(user=user, moderator=moderator, reason=reason, expires_at=expires_at)
    log(
        moderator=moderator,
        kind=ModerationAction.Kind.BAN,
        target=f"{user.username} {ban.until}",
        user=user,
        reason=reason,
    )
    if remove_posts:
        _remove_all_posts(user=user, moderator=moderator, reason=reason)
    return ban


def _remove_all_posts(*, user: User, moderator: User, reason: str) -> None:
    posts = Comment.objects.filter(author=user, state=Comment.State.VISIBLE)
    # Lock in key order so two moderators banning at once cannot deadlock.
    thread_ids = sorted(set(posts.values_list("thread_id", flat=True)))
    for thread_id in thread_ids:
        locked_thread(thread_id)
    posts.filter(level__gt=0).update(state=Comment.State.REMOVED, removal_reason=reason)
    for thread_id in thread_ids:
        thread_touch(thread_id, comment_count=readable_replies(thread_id))
    Thread.objects.filter(author=user, is_removed=False).update(is_removed=True)
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
def user_unban(*, ban_id: int, moderator: User, reason: str = "") -> Ban:
    ban = Ban.objects.select_for_update().select_related("user").filter(pk=ban_id).first()
    if ban is None:
        raise ForumError(f"There is no ban with id {ban_id}.", status=404)
    policies.refuse(policies.unban_refusal(ban=ban))
    ban.lifted_at = timezone.now()
    ban.save(update_fields=["lifted_at"])
    log(
        moderator=moderator,
        kind=ModerationAction.Kind.UNBAN,
        target=ban.user.username,
        user=ban.user,
        reason=reason,
    )
    return ban
