"""Who may do what: each answer is a Refusal saying why not, or None when it is allowed.

The services refuse with these answers and the pages ask the same questions, so that no page
offers an action its service would refuse.
"""

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.core import selectors
from threads.models import Ban, Comment, Flag, Thread, Vote

EDIT_WINDOW = timedelta(hours=2)
UNVOTE_WINDOW = timedelta(hours=1)
POINTS_FLOOR = -4


@dataclass(frozen=True)
class Refusal:
    """Why an action is not allowed, and the HTTP status that says so."""

    message: str
    status: int = 403

    def __str__(self) -> str:
        return self.message

    def error(self) -> ForumError:
        return ForumError(self.message, status=self.status)


def refuse(refusal: Refusal | None) -> None:
    """Raises the refusal as a ForumError; nothing when the action is allowed."""
    if refusal is not None:
        raise refusal.error()


# Taking part


def active_ban(user: User) -> Ban | None:
    """The user's ban in force, the newest should there be more than one; None if not banned."""
    return Ban.objects.active().filter(user=user).order_by("-created_at").first()


def reader(user: User) -> User:
    """A copy of the user with their ban read once, for a page asking many questions about
    them; the services always ask with the user itself, and so read the ban afresh."""
    if not user.is_authenticated:
        return user
    seen = copy.copy(user)
    seen.policy_ban = active_ban(user)
    return seen


def voter_refusal(user: User) -> Refusal | None:
    """Why the user casts no vote anywhere (a ban), or None: pages then offer them no arrow."""
    return post_refusal(user)


def post_refusal(user: User) -> Refusal | None:
    """A banned user writes nothing: no post, edit, vote or unvote, flag or its withdrawal,
    favorite or hide (nor their undoing), profile change."""
    if not user.is_authenticated:
        return None
    ban = user.policy_ban if hasattr(user, "policy_ban") else active_ban(user)
    if ban is None:
        return None
    return Refusal(f"You are banned from posting {ban.until}. Reason: {ban.reason}")


def replies_closed(parent: Comment) -> Refusal | None:
    """Why the post takes no replies from anyone (its thread loaded), or None when it does."""
    if parent.thread.is_locked:
        return Refusal("This thread is locked: it accepts no new replies.")
    return _NO_REPLIES_TO.get(parent.state)


# Why a post in each state that is not visible takes no replies, nor posts moved under it.
_NO_REPLIES_TO = {
    Comment.State.REMOVED: Refusal("That post was removed by a moderator: it accepts no replies."),
    Comment.State.FLAGGED: Refusal(
        "That post is hidden until a moderator reviews it: it accepts no replies."
    ),
    Comment.State.DELETED: Refusal("That post was deleted by its author: it accepts no replies."),
    Comment.State.DEAD: Refusal("That post is dead: it accepts no replies."),
}


def dead_text_shown(*, user: User) -> bool:
    """Whether the reader may read a dead post's text (at its [source]): staff only, as Hacker
    News shows dead posts to those who turned showdead on; everyone else reads [dead]."""
    return user.is_authenticated and user.is_staff


def reply_refusal(*, user: User, parent: Comment) -> Refusal | None:
    return post_refusal(user) or replies_closed(parent)


def edit_refusal(*, user: User, comment: Comment, now: datetime | None = None) -> Refusal | None:
    if refusal := _author_refusal(user, comment, "edit"):
        return refusal
    if comment.state != Comment.State.VISIBLE:
        return Refusal("A deleted or removed post cannot be edited.")
    if comment.thread.is_locked:
        return Refusal("This thread is locked: its posts can no longer be edited.")
    if (now or timezone.now()) - comment.created_at > EDIT_WINDOW:
        return Refusal("Posts can be edited for 2 hours after posting; this one no more.")
    return post_refusal(user)


def delete_refusal(*, user: User, comment: Comment) -> Refusal | None:
    if refusal := _author_refusal(user, comment, "delete"):
        return refusal
    if comment.state != Comment.State.VISIBLE:
        return Refusal("This post is already deleted or removed.", status=404)
    return post_refusal(user)


def _author_refusal(user: User, comment: Comment, action: str) -> Refusal | None:
    if comment.author_id != user.pk:
        return Refusal(f"Only its author can {action} this post.")
    return None


def flag_refusal(*, user: User, comment: Comment) -> Refusal | None:
    if refusal := post_refusal(user):
        return refusal
    if comment.author_id == user.pk:
        return Refusal("You cannot flag your own post.")
    if comment.state != Comment.State.VISIBLE:
        return Refusal("This post is deleted or hidden: there is nothing to flag.")
    if Flag.objects.filter(user=user, comment=comment).exists():
        return Refusal("You have flagged this already.", status=409)
    return None


def unflag_refusal(*, user: User, comment: Comment) -> Refusal | None:
    """A flag may be taken back until a moderator has acted on it."""
    flag = Flag.objects.filter(user=user, comment=comment).only("resolved_at").first()
    if flag is None:
        return Refusal("You have not flagged this post.", status=404)
    if flag.resolved_at is not None:
        return Refusal(
            "A moderator has acted on your flag already: it can no longer be withdrawn.",
            status=409,
        )
    return post_refusal(user)


# Votes. A vote on a thread is a vote on its opening post.


def vote_refusal(*, user: User, comment: Comment, direction: str) -> Refusal | None:
    """Why the user may not cast this vote (up or down) on the post, or None."""
    if direction not in ("up", "down"):
        return Refusal(f"A vote is up or down, not {direction!r}.", status=400)
    if refusal := voter_refusal(user):
        return refusal
    if comment.author_id == user.pk:
        return Refusal("You cannot vote on your own post.")
    if comment.state != Comment.State.VISIBLE:
        return Refusal("This post is deleted or hidden: it takes no votes.")
    if direction == "down":
        if comment.is_op:
            return Refusal("Threads can be voted up but not down.")
        karma = User.objects.values_list("karma", flat=True).get(pk=user.pk)
        if karma < settings.FORUM_DOWNVOTE_KARMA:
            needed = settings.FORUM_DOWNVOTE_KARMA
            return Refusal(f"Downvoting needs {needed} karma; you have {karma}.")
        if comment.points <= POINTS_FLOOR:
            return Refusal(f"This post is at {POINTS_FLOOR} points, the lowest a post can go.")
    if Vote.objects.filter(user=user, comment=comment).exists():
        return Refusal("You have already voted on this post.", status=409)
    return None


def unvote_refusal(*, user: User, comment: Comment, now: datetime | None = None) -> Refusal | None:
    vote = Vote.objects.filter(user=user, comment=comment).only("created_at").first()
    if vote is None:
        return Refusal("You have not voted on this post.", status=404)
    if (now or timezone.now()) - vote.created_at > UNVOTE_WINDOW:
        return Refusal("A vote can be taken back for an hour after voting; this one no more.")
    return voter_refusal(user)


# Moderation. Who moderates is the admin's permissions' business; these say what can be done.


def reason_refusal(reason: str, *, what: str) -> Refusal | None:
    """Removals, bans and decisions on flags say why: the moderation log shows it to everyone."""
    if not reason.strip():
        return Refusal(f"{what} needs a reason: the moderation log shows it.", status=400)
    return None


def flags_decision_refusal(*, moderator: User, comment: Comment) -> Refusal | None:
    """Nobody judges the flags against their own post: another moderator decides."""
    if comment.author_id == moderator.pk:
        return Refusal("The flags against your own post are for another moderator to decide.")
    return None


def remove_refusal(*, comment: Comment) -> Refusal | None:
    if comment.is_op:
        return Refusal("An opening post is removed with its thread: remove the thread.", status=400)
    if comment.state == Comment.State.REMOVED:
        return Refusal("This post is already removed.", status=409)
    return None


def restore_refusal(*, comment: Comment) -> Refusal | None:
    """Only what a moderator removed or flags hid comes back; an author's delete is theirs."""
    if comment.state == Comment.State.DELETED:
        return Refusal("This post was deleted by its author: it is theirs.")
    if comment.state == Comment.State.VISIBLE:
        return Refusal("This post is not removed or hidden: there is nothing to restore.", 409)
    return None


def removed_thread_refusal(*, thread: Thread, user: User) -> Refusal:
    """What a removed thread answers: taken away by its author (410), or by a moderator (404),
    whose reason only the thread's author is told, as with a removed post."""
    if thread.removed_by_author:
        return Refusal("This thread was deleted by its author.", status=410)
    message = "This thread was removed by a moderator."
    if user.is_authenticated and user.pk == thread.author_id:
        reason = selectors.thread_removal_reason(thread=thread) or "no reason was given"
        message += f" Reason: {reason}"
    return Refusal(message, status=404)


def move_refusal(*, comment: Comment, new_parent: Comment) -> Refusal | None:
    if comment.is_op:
        return Refusal("The opening post cannot be moved.", status=400)
    if new_parent.thread_id != comment.thread_id:
        return Refusal("A post can only move within its own thread.", status=400)
    if comment.lft <= new_parent.lft <= comment.rght:
        return Refusal("A post cannot move under itself or one of its own replies.", status=400)
    if new_parent.pk == comment.parent_id:
        return Refusal(f"This post is a reply to {new_parent.name} already.", status=409)
    # A moderator puts a post only where a reader could have replied (a locked thread aside).
    return _NO_REPLIES_TO.get(new_parent.state)


# What a moderator's change to a thread finds already done; refused, the log stays true.
_THREAD_ALREADY = {
    ("is_locked", True): "This thread is locked already.",
    ("is_locked", False): "This thread is not locked: there is nothing to unlock.",
    ("is_pinned", True): "This thread is pinned already.",
    ("is_pinned", False): "This thread is not pinned: there is nothing to unpin.",
    ("is_removed", True): "This thread is removed already.",
    ("is_removed", False): "This thread is not removed: there is nothing to restore.",
}


def thread_change_refusal(*, thread: Thread, **changes) -> Refusal | None:
    """Refuses a change of the thread's flags or title that would change nothing, and the
    restoring of a thread its author deleted: as with a post, that deletion is theirs."""
    if thread.removed_by_author and changes.get("is_removed") is False:
        return Refusal("Its author deleted this thread before anyone replied: it is theirs.")
    for field, value in changes.items():
        if getattr(thread, field) == value:
            if field == "title":
                return Refusal(f'This thread is titled "{value}" already.', status=409)
            return Refusal(_THREAD_ALREADY[field, value], status=409)
    return None


def ban_refusal(*, user: User) -> Refusal | None:
    if user.is_staff:
        return Refusal(f"{user.username} is staff: staff cannot be banned here.")
    # One ban at a time: a second would outlive the first one's lifting.
    if ban := active_ban(user):
        return Refusal(f"{user.username} is already banned {ban.until}.", status=409)
    return None


def unban_refusal(*, ban: Ban) -> Refusal | None:
    if ban.lifted_at is not None:
        return Refusal(f"The ban of {ban.user.username} was lifted already.", status=409)
    return None


def keep_refusal(*, user: User, comment: Comment) -> Refusal | None:
    """A post is favorited, or its thread hidden, only while readers can see it, and by a
    reader who is not banned."""
    if comment.state != Comment.State.VISIBLE or comment.thread.is_removed:
        return Refusal("This post is not shown on the forum: it cannot be kept.", status=409)
    return post_refusal(user)


def hide_refusal(*, user: User, comment: Comment) -> Refusal | None:
    """A thread is hidden through its opening post, while readers can see it."""
    if not comment.is_op:
        return Refusal("Only a thread is hidden: give its opening post's id.", status=400)
    return keep_refusal(user=user, comment=comment)


def unkeep_refusal(*, user: User) -> Refusal | None:
    """A favorite taken back or a thread brought back: a write like any, refused under a ban."""
    return post_refusal(user)
