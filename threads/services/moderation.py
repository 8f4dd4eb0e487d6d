"""Moderators' writes to posts and threads, and readers' flags; each is logged for /modlog.

Who may moderate is the admin's permissions' business; policies say what can be done.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from forum import characters
from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.core import policies
from threads.models import Comment, Flag, ModerationAction, Thread
from threads.services.locks import (
    locked_comment,
    locked_thread,
    post_changed,
    reader_touch,
    thread_touch,
)
from threads.services.posting import title_checked


def log(
    *,
    moderator: User,
    kind: str,
    target: str,
    reason: str = "",
    comment: Comment | None = None,
    thread: Thread | None = None,
    user: User | None = None,
) -> ModerationAction:
    """One line of the log: `target` is its text, and it links to the comment, thread or user
    acted on (one of them). Every action logs here, in its transaction: a reason refused here
    leaves nothing of the action written."""
    return ModerationAction.objects.create(
        moderator=moderator,
        kind=kind,
        target=target,
        reason=reason_checked(reason),
        comment=comment,
        thread=thread,
        user=user,
    )


def reason_checked(reason: str) -> str:
    """The reason, or ForumError refusing it: every reason of a moderator (removals, bans and
    their lifting, decisions on flags, thread changes) is shown on the public /modlog, whose
    text form a terminal may read, so no control character but tab and line ends, and no
    non-character. The admin's forms ask the same before the services run."""
    if refusal := characters.refusal("The reason", reason, lines=True):
        raise ForumError(refusal)
    return reason


def _post_target(comment: Comment) -> str:
    return f'{comment.name} in "{comment.thread.title}"'


def _resolve_flags(comment: Comment) -> None:
    Flag.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


def _post_logged(comment: Comment, moderator: User, kind: str, reason: str = "") -> None:
    log(
        moderator=moderator, kind=kind, target=_post_target(comment), comment=comment, reason=reason
    )


@transaction.atomic
def comment_remove(*, comment_id: int, moderator: User, reason: str) -> Comment:
    """Puts a placeholder in the post's place; its author is told the reason."""
    policies.refuse(policies.reason_refusal(reason, what="A removal"))
    # Kept on the post as well as in the log: checked before it is kept anywhere.
    reason = reason_checked(reason).strip()
    comment = locked_comment(comment_id)
    policies.refuse(policies.remove_refusal(comment=comment))
    comment.state = Comment.State.REMOVED
    comment.removal_reason = reason
    post_changed(comment, "state", "removal_reason")
    _resolve_flags(comment)
    _post_logged(comment, moderator, ModerationAction.Kind.REMOVE, reason)
    return comment


@transaction.atomic
def comment_restore(*, comment_id: int, moderator: User, reason: str = "") -> Comment:
    """Shows again a post a moderator removed or flags hid; the latter dismisses its flags, a
    decision on them that needs a reason and is not the post's author's to make."""
    comment = locked_comment(comment_id)
    policies.refuse(policies.restore_refusal(comment=comment))
    if comment.state == Comment.State.FLAGGED:
        policies.refuse(policies.flags_decision_refusal(moderator=moderator, comment=comment))
        policies.refuse(policies.reason_refusal(reason, what="Dismissing flags"))
    comment.state = Comment.State.VISIBLE
    comment.removal_reason = ""
    post_changed(comment, "state", "removal_reason")
    _resolve_flags(comment)
    _post_logged(comment, moderator, ModerationAction.Kind.RESTORE, reason)
    return comment


@transaction.atomic
def comment_move(
    *, comment_id: int, new_parent_id: int, moderator: User, reason: str = ""
) -> Comment:
    """Re-attaches a post and its replies under another post of the same thread."""
    comment = locked_comment(comment_id)
    try:
        new_parent = Comment.objects.get(pk=new_parent_id)
    except Comment.DoesNotExist:
        raise ForumError(f"There is no post with id {new_parent_id}.") from None
    policies.refuse(policies.move_refusal(comment=comment, new_parent=new_parent))
    Comment.objects.move_node(comment, new_parent, position="last-child")
    thread_touch(comment.thread_id)
    Comment.objects.filter(pk=comment.pk).update(parent_author_id=new_parent.author_id)
    log(
        moderator=moderator,
        kind=ModerationAction.Kind.MOVE,
        target=f"{_post_target(comment)} under {new_parent.name}",
        comment=comment,
        reason=reason,
    )
    return comment


@transaction.atomic
def comment_flag(*, comment_id: int, user: User, reason: str) -> tuple[Flag, bool]:
    """Records a reader's flag; enough distinct flags hide the post until a moderator decides.
    Returns the flag and whether this call made it (not: the same flag posted again)."""
    comment = locked_comment(comment_id)
    if repeated := Flag.objects.filter(user=user, comment=comment).first():
        return repeated, False  # it stands, nothing more to write
    policies.refuse(policies.flag_refusal(user=user, comment=comment))
    if reason not in Flag.Reason.values:
        raise ForumError("Choose a reason for the flag.")
    flag = Flag.objects.create(user=user, comment=comment, reason=reason)
    reader_touch(user)
    open_flags = Flag.objects.filter(comment=comment, resolved_at__isnull=True).count()
    if not comment.is_op and open_flags >= settings.FORUM_FLAGS_TO_HIDE:
        comment.state = Comment.State.FLAGGED
        post_changed(comment, "state")
    return flag, True


@transaction.atomic
def flag_withdraw(*, comment_id: int, user: User) -> Comment:
    """Takes back a reader's flag before a moderator acts on it; a post hidden by flags shows
    again when too few are left to hide it."""
    comment = locked_comment(comment_id)
    policies.refuse(policies.unflag_refusal(user=user, comment=comment))
    Flag.objects.filter(user=user, comment=comment).delete()
    reader_touch(user)
    open_flags = Flag.objects.filter(comment=comment, resolved_at__isnull=True).count()
    if comment.state == Comment.State.FLAGGED and open_flags < settings.FORUM_FLAGS_TO_HIDE:
        comment.state = Comment.State.VISIBLE
        post_changed(comment, "state")
    return comment


def _flags_decided(comment_id: int, moderator: User, reason: str, what: str) -> Comment:
    """The post, locked, once the moderator may decide on its open flags and says why."""
    policies.refuse(policies.reason_refusal(reason, what=what))
    comment = locked_comment(comment_id)
    policies.refuse(policies.flags_decision_refusal(moderator=moderator, comment=comment))
    if not Flag.objects.filter(comment=comment, resolved_at__isnull=True).exists():
        raise ForumError("This post has no open flags: there is nothing to decide.", status=409)
    return comment


@transaction.atomic
def flags_dismiss(*, comment_id: int, moderator: User, reason: str) -> Comment:
    """The flags were wrong: they are closed and a post they hid shows again."""
    comment = _flags_decided(comment_id, moderator, reason, "Dismissing flags")
    _resolve_flags(comment)
    if comment.state == Comment.State.FLAGGED:
        comment.state = Comment.State.VISIBLE
        post_changed(comment, "state")
    _post_logged(comment, moderator, ModerationAction.Kind.DISMISS_FLAGS, reason.strip())
    return comment


@transaction.atomic
def flags_uphold(*, comment_id: int, moderator: User, reason: str) -> Comment:
    """The flags were right: the post is removed for them (logged as its removal)."""
    _flags_decided(comment_id, moderator, reason, "Upholding flags")
    return comment_remove(comment_id=comment_id, moderator=moderator, reason=reason)


def _thread_change(*, thread_id: int, moderator: User, kind: str, reason: str, **changes):
    thread = locked_thread(thread_id)
    policies.refuse(policies.thread_change_refusal(thread=thread, **changes))
    for field, value in changes.items():
        setattr(thread, field, value)
    thread_touch(thread_id, **changes)
    log(moderator=moderator, kind=kind, target=f'"{thread.title}"', thread=thread, reason=reason)
    return thread


def _thread_flag_service(name: str, kind: str, **changes):
    """A service that sets one of a thread's flags (locked, pinned, removed) and logs it."""

    @transaction.atomic
    def service(*, thread_id: int, moderator: User, reason: str = "") -> Thread:
        if changes.get("is_removed"):
            policies.refuse(policies.reason_refusal(reason, what="A removal"))
        return _thread_change(
            thread_id=thread_id, moderator=moderator, kind=kind, reason=reason, **changes
        )

    service.__name__ = service.__qualname__ = name
    service.__doc__ = f"Logged as {kind.label!r}: sets {changes} on the thread."
    return service


Kind = ModerationAction.Kind
thread_lock = _thread_flag_service("thread_lock", Kind.LOCK, is_locked=True)
thread_unlock = _thread_flag_service("thread_unlock", Kind.UNLOCK, is_locked=False)
thread_pin = _thread_flag_service("thread_pin", Kind.PIN, is_pinned=True)
thread_unpin = _thread_flag_service("thread_unpin", Kind.UNPIN, is_pinned=False)
thread_remove = _thread_flag_service("thread_remove", Kind.REMOVE_THREAD, is_removed=True)
thread_restore = _thread_flag_service("thread_restore", Kind.RESTORE_THREAD, is_removed=False)


@transaction.atomic
def thread_retitle(*, thread_id: int, moderator: User, title: str, reason: str) -> Thread:
    if not reason.strip():
        raise ForumError("A new title needs a reason: the moderation log shows it.")
    return _thread_change(
        thread_id=thread_id,
        moderator=moderator,
        kind=Kind.RETITLE,
        reason=reason,
        title=title_checked(title),
    )
