"""Every write to threads and comments: each in one transaction that locks the thread first."""

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from forum.accounts.models import User
from forum.exceptions import ForumError

from . import markup, notify, trees, zlacker
from .models import Ban, Comment, Flag, ModerationAction, Thread, Vote

MAX_TEXT_LENGTH = 10_000
MAX_TITLE_LENGTH = 80
EDIT_WINDOW = timedelta(hours=2)
UNVOTE_WINDOW = timedelta(hours=1)
POINTS_FLOOR = -4
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def text_checked(text: str, *, required: bool = True) -> str:
    """The text as it will be stored, or ForumError saying what is wrong with it."""
    if "\x00" in text:
        raise ForumError("The text contains a NUL character, which cannot be stored.")
    if len(text) > MAX_TEXT_LENGTH:
        raise ForumError(
            f"The text is {len(text):,} characters long; at most {MAX_TEXT_LENGTH:,} are allowed."
        )
    text = text.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    text = _LEADING_BLANK_LINES.sub("", text)
    if required and not text.strip():
        raise ForumError("Please write something: the text is empty.")
    return text


def title_checked(title: str) -> str:
    if "\x00" in title:
        raise ForumError("The title contains a NUL character, which cannot be stored.")
    # A title sits in lists beside others: a bidi override in it would reorder its neighbours.
    title = " ".join(markup.without_hidden(title).split())
    if not title:
        raise ForumError("Please give a title.")
    if len(title) > MAX_TITLE_LENGTH:
        raise ForumError(
            f"The title is {len(title)} characters long; at most {MAX_TITLE_LENGTH} are allowed."
        )
    return title


def ensure_can_post(user: User) -> None:
    """Refuses a banned user, saying why and until when."""
    ban = Ban.objects.active().filter(user=user).order_by("-created_at").first()
    if ban is None:
        return
    until = f"until {ban.expires_at:%Y-%m-%d %H:%M} UTC" if ban.expires_at else "for good"
    raise ForumError(f"You are banned from posting {until}. Reason: {ban.reason}", status=403)


def _locked_thread(thread_id: int) -> Thread:
    # Every structural write starts here: the row lock serialises writers of one tree.
    # FORUM_TREE_LOCK is off only in the concurrency bench, to show what the lock prevents.
    threads = Thread.objects.select_for_update() if settings.FORUM_TREE_LOCK else Thread.objects
    return threads.get(pk=thread_id)


def _thread_touch(thread_id: int, **changes) -> None:
    """Records that the thread's page changed, with any other changes to the thread's row.

    Every write that changes what the thread page shows (a reply, an edit, a delete, a
    removal, a move, a lock) must call this inside its transaction: the cached pages are keyed
    by the version it bumps, so without it readers keep the old page.
    """
    Thread.objects.filter(pk=thread_id).update(version=F("version") + 1, **changes)


def _post_changed(comment: Comment, *fields: str) -> None:
    comment.save(update_fields=list(fields))
    changes = {"comment_count": _readable_replies(comment.thread_id)} if "state" in fields else {}
    _thread_touch(comment.thread_id, **changes)


def _readable_replies(thread_id: int) -> int:
    """What "N comments" counts (trees.reply_count): replies neither deleted nor hidden."""
    replies = Comment.objects.filter(thread_id=thread_id, level__gt=0)
    return replies.filter(state=Comment.State.VISIBLE).count()


def _ref_resolver(thread_id: int, text: str) -> markup.RefResolver:
    names = markup.referenced_names(text)
    refs = set()
    for name in names:
        try:
            refs.add(zlacker.split_name(name)[1])
        except ValueError:
            continue
    rows = Comment.objects.filter(thread_id=thread_id, ref__in=refs).values_list(
        "pk", "ref", "author__username"
    )
    ids = {zlacker.post_name(username, ref): pk for pk, ref, username in rows}
    return ids.get


@transaction.atomic
def thread_create(
    *,
    author: User,
    title: str,
    url: str = "",
    text: str = "",
    created_at: datetime | None = None,
) -> Thread:
    ensure_can_post(author)
    created_at = created_at or timezone.now()
    thread = Thread.objects.create(
        title=title, url=url, author=author, created_at=created_at, last_activity=created_at
    )
    # The root is placed by hand so its tree_id is the thread's key, never max(tree_id) + 1.
    thread.op = Comment.objects.create(
        thread=thread,
        author=author,
        ref=0,
        text=text,
        html=markup.render(text),
        created_at=created_at,
        tree_id=thread.pk,
        lft=1,
        rght=2,
        level=0,
    )
    thread.save(update_fields=["op"])
    return thread


def reply_closed_reason(*, thread: Thread, parent: Comment) -> str:
    """Why the post accepts no replies, or "" when it does."""
    if thread.is_locked:
        return "This thread is locked: it accepts no new replies."
    if parent.state == Comment.State.REMOVED:
        return "That post was removed by a moderator: it accepts no replies."
    if parent.state == Comment.State.FLAGGED:
        return "That post is hidden until a moderator reviews it: it accepts no replies."
    if parent.state == Comment.State.DELETED:
        return "That post was deleted by its author: it accepts no replies."
    return ""


@transaction.atomic
def comment_reply(
    *,
    parent_id: int,
    author: User,
    text: str,
    created_at: datetime | None = None,
    ref: int | None = None,
    thread_id: int | None = None,
) -> Comment:
    """A new post under parent_id; thread_id, when given, is the thread the author was reading."""
    ensure_can_post(author)
    parent_thread_id = (
        Comment.objects.filter(pk=parent_id).values_list("thread_id", flat=True).first()
    )
    if parent_thread_id is None:
        raise ForumError(f"There is no post with id {parent_id} to reply to.", status=404)
    if thread_id is not None and thread_id != parent_thread_id:
        raise ForumError("The post you are replying to is not in this thread.")
    thread = _locked_thread(parent_thread_id)
    parent = Comment.objects.get(pk=parent_id)
    if thread.is_removed:
        raise ForumError("This thread was removed by a moderator.", status=404)
    if closed := reply_closed_reason(thread=thread, parent=parent):
        raise ForumError(closed, status=403)
    if ref is None:
        ref = (Comment.objects.filter(thread=thread).aggregate(top=Max("ref"))["top"] or 0) + 1
    elif Comment.objects.filter(thread=thread, ref=ref).exists():
        raise ForumError(f"Post number {zlacker.encode_ref(ref)} already exists in this thread.")
    created_at = created_at or timezone.now()
    comment = Comment(
        thread=thread,
        parent=parent,
        parent_author_id=parent.author_id,
        author=author,
        ref=ref,
        text=text,
        html=markup.render(text, _ref_resolver(thread.pk, text)),
        created_at=created_at,
    )
    comment.save()
    _thread_touch(
        thread.pk,
        comment_count=F("comment_count") + 1,
        last_activity=max(created_at, thread.last_activity),
    )
    if parent.author_id != author.pk:
        notify.reply_emailed_after_commit(comment)
    return comment


def comment_edit_check(*, comment: Comment, user: User, now: datetime) -> None:
    """Raises ForumError unless the user may edit the post now."""
    _check_author(comment, user, "edit")
    if comment.state != Comment.State.VISIBLE:
        raise ForumError("A deleted or removed post cannot be edited.", status=403)
    if now - comment.created_at > EDIT_WINDOW:
        raise ForumError(
            "Posts can be edited for 2 hours after posting; this one no more.", status=403
        )


def comment_delete_check(*, comment: Comment, user: User) -> None:
    """Raises ForumError unless the user may delete the post."""
    _check_author(comment, user, "delete")
    if comment.state != Comment.State.VISIBLE:
        raise ForumError("This post is already deleted or removed.", status=404)


def _check_author(comment: Comment, user: User, action: str) -> None:
    if comment.author_id != user.pk:
        raise ForumError(f"Only its author can {action} this post.", status=403)


@transaction.atomic
def comment_edit(
    *, comment_id: int, editor: User, text: str, now: datetime | None = None
) -> Comment:
    """New text for a post, by its author, within EDIT_WINDOW of posting it."""
    comment = _locked_comment(comment_id)
    now = now or timezone.now()
    comment_edit_check(comment=comment, user=editor, now=now)
    # The opening post of a link thread may have no text, as when it was submitted.
    comment.text = text_checked(text, required=not (comment.is_op and comment.thread.url))
    comment.html = markup.render(comment.text, _ref_resolver(comment.thread_id, comment.text))
    comment.edited_at = now
    _post_changed(comment, "text", "html", "edited_at")
    return comment


@transaction.atomic
def comment_delete(*, comment_id: int, user: User) -> Comment:
    """Deletes a post by its author: it stays as a placeholder while replies hang below it.

    An opening post without replies takes its thread off the lists with it.
    """
    comment = _locked_comment(comment_id)
    comment_delete_check(comment=comment, user=user)
    comment.state = Comment.State.DELETED
    if comment.is_op and comment.is_leaf_node():
        comment.save(update_fields=["state"])
        _thread_touch(comment.thread_id, is_removed=True)
    else:
        _post_changed(comment, "state")
    return comment


def _locked_comment(comment_id: int) -> Comment:
    thread_id = Comment.objects.filter(pk=comment_id).values_list("thread_id", flat=True).first()
    if thread_id is None:
        raise ForumError(f"There is no post with id {comment_id}.", status=404)
    thread = _locked_thread(thread_id)
    if thread.is_removed:
        raise ForumError(f"There is no post with id {comment_id}.", status=404)
    comment = Comment.objects.select_related("author").get(pk=comment_id)
    comment.thread = thread
    return comment


def _imported_user(short_name: str, joined: datetime) -> User:
    user = User.objects.filter(username__iexact=short_name).first()
    if user is None:
        # A fixed unusable password keeps the seed fixture reproducible byte for byte.
        user = User.objects.create(username=short_name, password="!imported", date_joined=joined)
    return user


def _imported_thread(doc: zlacker.Discussion) -> Thread:
    existing = Thread.objects.filter(
        title=doc.title, op__author__username__iexact=doc.op_author
    ).first()
    if existing:
        return existing
    # The page does not give the opening post's time: its first reply's time is the latest
    # it can have been, so it stands in; the OP's text and url are left empty, never invented.
    opened = doc.posts[0].created
    return thread_create(
        author=_imported_user(doc.op_author, opened), title=doc.title, created_at=opened
    )


@transaction.atomic
def zlacker_import(*, text: str) -> Thread:
    """Imports one discussion page; posts already present must match, or nothing is stored."""
    doc = zlacker.parse_discussion(text)
    thread = _imported_thread(doc)
    parent_id = thread.op_id
    for post in doc.posts:
        parent_id = _imported_post(thread, parent_id, post).pk
    return thread


def _imported_post(thread: Thread, parent_id: int, post: zlacker.Post) -> Comment:
    existing = Comment.objects.select_related("author").filter(thread=thread, ref=post.ref).first()
    if existing is None:
        return comment_reply(
            parent_id=parent_id,
            author=_imported_user(post.author, post.created),
            text=post.text,
            created_at=post.created,
            ref=post.ref,
        )
    same = (
        existing.parent_id == parent_id
        and zlacker.short_name(existing.author.username) == post.author
        and existing.text == post.text
        and existing.created_at == post.created
    )
    if not same:
        raise ForumError(f"Post {post.name} is already in this thread with other content.")
    return existing


# Moderation. Callers check that the user may moderate; these record every action in the log.


def _log(
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
    acted on (one of them)."""
    return ModerationAction.objects.create(
        moderator=moderator,
        kind=kind,
        target=target,
        reason=reason,
        comment=comment,
        thread=thread,
        user=user,
    )


def _post_target(comment: Comment) -> str:
    return f'{comment.name} in "{comment.thread.title}"'


def _resolve_flags(comment: Comment) -> None:
    Flag.objects.filter(comment=comment, resolved_at__isnull=True).update(
        resolved_at=timezone.now()
    )


@transaction.atomic
def comment_remove(*, comment_id: int, moderator: User, reason: str = "") -> Comment:
    comment = _locked_comment(comment_id)
    if comment.is_op:
        raise ForumError("An opening post is removed with its thread: remove the thread.")
    reason = reason.strip()
    comment.state = Comment.State.REMOVED
    comment.removal_reason = reason
    _post_changed(comment, "state", "removal_reason")
    _resolve_flags(comment)
    _log(
        moderator=moderator,
        kind=ModerationAction.Kind.REMOVE,
        target=_post_target(comment),
        comment=comment,
        reason=reason,
    )
    return comment


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
    if not Ban.objects.active().filter(user=comment.author).exists():
        user_ban(
            user=comment.author,
            moderator=moderator,
            reason=reason,
            expires_at=expires_at,
            remove_posts=remove_posts,
        )
    return comment


@transaction.atomic
def comment_restore(*, comment_id: int, moderator: User, reason: str = "") -> Comment:
    comment = _locked_comment(comment_id)
    comment.state = Comment.State.VISIBLE
    comment.removal_reason = ""
    _post_changed(comment, "state", "removal_reason")
    _resolve_flags(comment)
    _log(
        moderator=moderator,
        kind=ModerationAction.Kind.RESTORE,
        target=_post_target(comment),
        comment=comment,
        reason=reason,
    )
    return comment


@transaction.atomic
def comment_move(
    *, comment_id: int, new_parent_id: int, moderator: User, reason: str = ""
) -> Comment:
    """Re-attaches a post and its replies under another post of the same thread."""
    comment = _locked_comment(comment_id)
    try:
        new_parent = Comment.objects.get(pk=new_parent_id)
    except Comment.DoesNotExist:
        raise ForumError(f"There is no post with id {new_parent_id}.") from None
    if comment.is_op:
        raise ForumError("The opening post cannot be moved.")
    if new_parent.thread_id != comment.thread_id:
        raise ForumError("A post can only move within its own thread.")
    if comment.lft <= new_parent.lft <= comment.rght:
        raise ForumError("A post cannot move under itself or one of its own replies.")
    Comment.objects.move_node(comment, new_parent, position="last-child")
    _thread_touch(comment.thread_id)
    Comment.objects.filter(pk=comment.pk).update(parent_author_id=new_parent.author_id)
    _log(
        moderator=moderator,
        kind=ModerationAction.Kind.MOVE,
        target=f"{_post_target(comment)} under {new_parent.name}",
        comment=comment,
        reason=reason,
    )
    return comment


@transaction.atomic
def comment_flag(*, comment_id: int, user: User, reason: str) -> Flag:
    """Records a reader's flag; enough distinct flags hide the post until a moderator decides."""
    ensure_can_post(user)
    comment = _locked_comment(comment_id)
    if reason not in Flag.Reason.values:
        raise ForumError("Choose a reason for the flag.")
    if comment.author_id == user.pk:
        raise ForumError("You cannot flag your own post.", status=403)
    if Flag.objects.filter(user=user, comment=comment).exists():
        raise ForumError("You have flagged this already.", status=409)
    flag = Flag.objects.create(user=user, comment=comment, reason=reason)
    open_flags = Flag.objects.filter(comment=comment, resolved_at__isnull=True).count()
    visible = comment.state == Comment.State.VISIBLE
    if visible and not comment.is_op and open_flags >= settings.FORUM_FLAGS_TO_HIDE:
        comment.state = Comment.State.FLAGGED
        _post_changed(comment, "state")
    return flag


@transaction.atomic
def flags_dismiss(*, comment_id: int, moderator: User) -> Comment:
    comment = _locked_comment(comment_id)
    _resolve_flags(comment)
    if comment.state == Comment.State.FLAGGED:
        comment.state = Comment.State.VISIBLE
        _post_changed(comment, "state")
    _log(
        moderator=moderator,
        kind=ModerationAction.Kind.DISMISS_FLAGS,
        target=_post_target(comment),
        comment=comment,
    )
    return comment


def _thread_flag(*, thread_id: int, moderator: User, kind: str, reason: str, **changes) -> Thread:
    thread = _locked_thread(thread_id)
    for field, value in changes.items():
        setattr(thread, field, value)
    _thread_touch(thread_id, **changes)
    _log(moderator=moderator, kind=kind, target=f'"{thread.title}"', thread=thread, reason=reason)
    return thread


@transaction.atomic
def thread_lock(*, thread_id: int, moderator: User, reason: str = "") -> Thread:
    return _thread_flag(
        thread_id=thread_id,
        moderator=moderator,
        kind=ModerationAction.Kind.LOCK,
        reason=reason,
        is_locked=True,
    )


@transaction.atomic
def thread_unlock(*, thread_id: int, moderator: User, reason: str = "") -> Thread:
    return _thread_flag(
        thread_id=thread_id,
        moderator=moderator,
        kind=ModerationAction.Kind.UNLOCK,
        reason=reason,
        is_locked=False,
    )


@transaction.atomic
def thread_pin(*, thread_id: int, moderator: User, reason: str = "") -> Thread:
    return _thread_flag(
        thread_id=thread_id,
        moderator=moderator,
        kind=ModerationAction.Kind.PIN,
        reason=reason,
        is_pinned=True,
    )


@transaction.atomic
def thread_unpin(*, thread_id: int, moderator: User, reason: str = "") -> Thread:
    return _thread_flag(
        thread_id=thread_id,
        moderator=moderator,
        kind=ModerationAction.Kind.UNPIN,
        reason=reason,
        is_pinned=False,
    )


@transaction.atomic
def thread_remove(*, thread_id: int, moderator: User, reason: str = "") -> Thread:
    return _thread_flag(
        thread_id=thread_id,
        moderator=moderator,
        kind=ModerationAction.Kind.REMOVE_THREAD,
        reason=reason,
        is_removed=True,
    )


@transaction.atomic
def thread_restore(*, thread_id: int, moderator: User, reason: str = "") -> Thread:
    return _thread_flag(
        thread_id=thread_id,
        moderator=moderator,
        kind=ModerationAction.Kind.RESTORE_THREAD,
        reason=reason,
        is_removed=False,
    )


@transaction.atomic
def thread_retitle(*, thread_id: int, moderator: User, title: str, reason: str = "") -> Thread:
    return _thread_flag(
        thread_id=thread_id,
        moderator=moderator,
        kind=ModerationAction.Kind.RETITLE,
        reason=reason,
        title=title_checked(title),
    )


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
    if user.is_staff:
        raise ForumError(f"{user.username} is staff: staff cannot be banned here.", status=403)
    ban = Ban.objects.create(user=user, moderator=moderator, reason=reason, expires_at=expires_at)
    until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "for good"
    _log(
        moderator=moderator,
        kind=ModerationAction.Kind.BAN,
        target=f"{user.username} {until}",
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
        _locked_thread(thread_id)
    posts.filter(level__gt=0).update(state=Comment.State.REMOVED, removal_reason=reason)
    for thread_id in thread_ids:
        _thread_touch(thread_id, comment_count=_readable_replies(thread_id))
    Thread.objects.filter(author=user, is_removed=False).update(is_removed=True)
    _log(
        moderator=moderator,
        kind=ModerationAction.Kind.REMOVE_ALL,
        target=f"every post and thread of {user.username}",
        user=user,
        reason=reason,
    )


@transaction.atomic
def user_unban(*, ban_id: int, moderator: User, reason: str = "") -> Ban:
    ban = Ban.objects.select_related("user").get(pk=ban_id)
    ban.lifted_at = timezone.now()
    ban.save(update_fields=["lifted_at"])
    _log(
        moderator=moderator,
        kind=ModerationAction.Kind.UNBAN,
        target=ban.user.username,
        user=ban.user,
        reason=reason,
    )
    return ban


@transaction.atomic
def thread_tree_repair(*, thread_id: int) -> int:
    """Rebuilds a thread's tree from its parent links; returns how many posts changed place."""
    _locked_thread(thread_id)
    nodes = trees.thread_nodes(thread_id)
    if not nodes:
        raise ForumError(f"Thread {thread_id} has no opening post to rebuild its tree from.")
    layout = trees.repaired_layout(nodes)
    changed = []
    for node in nodes:
        place = layout[node.id]
        current = (node.parent_id, node.ref, node.lft, node.rght, node.level, node.tree_id)
        if current != (*place, thread_id):
            changed.append((*place, thread_id, node.id))
    # One statement run for many rows: bulk_update's CASE expressions take seconds to build for
    # a thread of thousands. New numbers are past every old one, so (thread, ref) never clashes.
    table = connection.ops.quote_name(Comment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET parent_id = %s, ref = %s, lft = %s, rght = %s, level = %s,"
            " tree_id = %s WHERE id = %s",
            changed,
        )
    replies = trees.reply_count(trees.thread_nodes(thread_id))
    root_id = next(pk for pk, place in layout.items() if place.parent_id is None)
    _thread_touch(thread_id, comment_count=replies, op_id=root_id)
    _parent_authors_refresh(thread_id)
    return len(changed)


def _parent_authors_refresh(thread_id: int) -> None:
    """Copies each reply's parent's author again, after parent links changed under it."""
    parent_author = Comment.objects.filter(pk=OuterRef("parent_id")).values("author_id")[:1]
    Comment.objects.filter(tree_id=thread_id, parent__isnull=False).update(
        parent_author=Subquery(parent_author)
    )


# Votes. A vote on a thread is a vote on its opening post; the thread's points follow the OP's.


def _voted_post(comment_id: int) -> Comment:
    """The post, its thread's row locked like every write's: a vote changes the thread page,
    and locking in the same order as replies (thread, then posts) cannot deadlock with them."""
    return _locked_comment(comment_id)


def _points_add(comment: Comment, delta: int) -> None:
    """Moves the post's points, its thread's if it opens one, and its author's karma together."""
    Comment.objects.filter(pk=comment.pk).update(points=F("points") + delta)
    # Points fade posts and order replies: the cached thread page must change with them.
    if comment.is_op:
        _thread_touch(comment.thread_id, points=F("points") + delta)
    else:
        _thread_touch(comment.thread_id)
    User.objects.filter(pk=comment.author_id).update(karma=F("karma") + delta)
    comment.points += delta


def vote_refusal(*, comment: Comment, user: User, direction: str) -> str:
    """Why this user may not cast this vote on the post, or "" when they may."""
    if comment.author_id == user.pk:
        return "You cannot vote on your own post."
    if comment.state != Comment.State.VISIBLE:
        return "This post is deleted or hidden: it takes no votes."
    if direction == "down":
        if comment.is_op:
            return "Threads can be voted up but not down."
        if user.karma < settings.FORUM_DOWNVOTE_KARMA:
            return f"Downvoting needs {settings.FORUM_DOWNVOTE_KARMA} karma; you have {user.karma}."
        if comment.points <= POINTS_FLOOR:
            return f"This post is at {POINTS_FLOOR} points, the lowest a post can go."
    return ""


@transaction.atomic
def comment_vote(*, comment_id: int, user: User, direction: str) -> Comment:
    """Casts the user's vote (up or down) on a post or, through its opening post, a thread."""
    if direction not in ("up", "down"):
        raise ForumError(f"A vote is up or down, not {direction!r}.")
    ensure_can_post(user)  # a vote is taking part, which a ban stops
    comment = _voted_post(comment_id)
    voter = User.objects.only("karma").get(pk=user.pk)
    if refusal := vote_refusal(comment=comment, user=voter, direction=direction):
        raise ForumError(refusal, status=403)
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
    """Takes back the user's vote on a post, within an hour of casting it."""
    comment = _voted_post(comment_id)
    vote = Vote.objects.filter(user=user, comment=comment).first()
    if vote is None:
        raise ForumError("You have not voted on this post.", status=404)
    if (now or timezone.now()) - vote.created_at > UNVOTE_WINDOW:
        raise ForumError(
            "A vote can be taken back for an hour after voting; this one no more.", status=403
        )
    vote.delete()
    _points_add(comment, -vote.value)
    return comment


@transaction.atomic
def inbox_mark_read(*, user: User, until: datetime) -> None:
    """Every reply up to this moment counts as read."""
    User.objects.filter(pk=user.pk).update(replies_seen_at=until)
    user.replies_seen_at = until
