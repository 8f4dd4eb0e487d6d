"""Writing by readers: new threads, replies, edits and deletes, with the checks of their input."""

import re
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from forum import characters
from forum.accounts.models import User
from forum.exceptions import ForumError
from threads.core import notify, policies, selectors
from threads.core.thread_urls import url_checked, url_key
from threads.models import Comment, Thread
from threads.services.locks import (
    lists_stamp_next,
    locked_comment,
    locked_thread,
    post_changed,
    thread_touch,
)
from threads.text import markup, zlacker

MAX_TEXT_LENGTH = 10_000
MAX_TITLE_LENGTH = 80
_LEADING_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")
# White space a title folds into one space; every other control character is refused.
_TITLE_SPACES = str.maketrans("\t\n\r", "   ")


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
    if required and markup.is_blank(text):
        raise ForumError("Please write something: the text is empty.")
    # Every text passes here (replies, edits, submissions, both importers): a terminal's
    # escapes and non-characters are refused, right-to-left format characters kept.
    if refusal := characters.refusal("The text", text, lines=True):
        raise ForumError(refusal)
    return text


def title_checked(title: str) -> str:
    """The title as it will be stored, or ForumError saying what is wrong with it."""
    if "\x00" in title:
        raise ForumError("The title contains a NUL character, which cannot be stored.")
    # A title sits in lists beside others: a bidi override in it would reorder its neighbours.
    folded = title.translate(_TITLE_SPACES)
    if markup.is_blank(folded):
        raise ForumError("Please give a title.")
    if refusal := characters.refusal("The title", folded):
        raise ForumError(refusal)
    title = markup.one_line(folded)
    if len(title) > MAX_TITLE_LENGTH:
        raise ForumError(
            f"The title is {len(title)} characters long; at most {MAX_TITLE_LENGTH} are allowed."
        )
    return title


def _posted_once(
    *, form_key: str | None, earlier: Callable[[], Comment | None], write: Callable[[], Comment]
) -> Comment:
    """The post `write` makes, once per form: when the form was posted before (`earlier` finds
    what it made: selectors.post_repeated), that post, and nothing is written. Two posts of one
    key at once meet at the unique constraint, in a savepoint; the second returns the first."""
    if existing := earlier():
        return existing
    if not form_key:
        return write()
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        if existing := earlier():
            return existing
        raise


@transaction.atomic
def thread_create(
    *,
    author: User,
    title: str,
    url: str = "",
    text: str = "",
    created_at: datetime | None = None,
    form_key: str | None = None,
) -> Thread:
    """A new thread; `form_key`: see _posted_once."""

    def write() -> Comment:
        return _thread_write(
            author=author, title=title, url=url, text=text, created_at=created_at, key=form_key
        )

    def earlier() -> Comment | None:
        return selectors.post_repeated(author=author, form_key=form_key)

    return _posted_once(form_key=form_key, earlier=earlier, write=write).thread


def _thread_write(
    *, author: User, title: str, url: str, text: str, created_at: datetime | None, key: str | None
) -> Comment:
    """The thread and its opening post, which is returned."""
    policies.refuse(policies.post_refusal(author))
    title = title_checked(title)
    url = url_checked(url)
    text = text_checked(text, required=False)
    created_at = created_at or timezone.now()
    thread = Thread.objects.create(
        title=title,
        url=url,
        url_key=url_key(url),
        author=author,
        created_at=created_at,
        last_activity=created_at,
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
        form_key=key or "",
    )
    thread.save(update_fields=["op"])
    Thread.objects.filter(pk=thread.pk).update(lists_stamp=lists_stamp_next())
    return thread.op


@transaction.atomic
def comment_reply(
    *,
    parent_id: int,
    author: User,
    text: str,
    created_at: datetime | None = None,
    ref: int | None = None,
    thread_id: int | None = None,
    form_key: str | None = None,
    site_url: str = "",
) -> Comment:
    """A new post under parent_id; thread_id, when given, is the thread the author was reading;
    `form_key`: see _posted_once; `site_url`: the forum's address as the author reached it, for
    the link in the reply email (FORUM_SITE_URL when empty)."""

    def write() -> Comment:
        return _reply_write(
            parent_id=parent_id,
            author=author,
            text=text,
            created_at=created_at,
            ref=ref,
            thread_id=thread_id,
            key=form_key,
            site_url=site_url,
        )

    def earlier() -> Comment | None:
        # Only a reply written now can be a repeat of its text: imports bring their own times.
        repeated_text = _stored_text(text) if created_at is None else None
        return selectors.post_repeated(
            author=author, form_key=form_key, parent_id=parent_id, text=repeated_text
        )

    return _posted_once(form_key=form_key, earlier=earlier, write=write)


def _stored_text(text: str) -> str | None:
    """The text as a reply would store it; None for one that would be refused."""
    try:
        return text_checked(text)
    except ForumError:
        return None


def _reply_write(
    *,
    parent_id: int,
    author: User,
    text: str,
    created_at: datetime | None,
    ref: int | None,
    thread_id: int | None,
    key: str | None,
    site_url: str,
) -> Comment:
    policies.refuse(policies.post_refusal(author))
    text = text_checked(text)
    parent_thread_id = (
        Comment.objects.filter(pk=parent_id).values_list("thread_id", flat=True).first()
    )
    if parent_thread_id is None:
        raise ForumError(f"There is no post with id {parent_id} to reply to.", status=404)
    if thread_id is not None and thread_id != parent_thread_id:
        raise ForumError("The post you are replying to is not in this thread.")
    thread = locked_thread(parent_thread_id)
    parent = Comment.objects.get(pk=parent_id)
    parent.thread = thread
    if thread.is_removed:
        policies.refuse(policies.removed_thread_refusal(thread=thread, user=author))
    policies.refuse(policies.replies_closed(parent))
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
        html=markup.render(text, selectors.refs_named(thread_id=thread.pk, text=text)),
        created_at=created_at,
        form_key=key or "",
    )
    comment.save()
    thread_touch(
        thread.pk,
        comment_count=F("comment_count") + 1,
        last_activity=max(created_at, thread.last_activity),
    )
    if parent.author_id != author.pk:
        notify.reply_emailed_after_commit(comment, site_url=site_url)
    return comment


@transaction.atomic
def comment_edit(
    *, comment_id: int, editor: User, text: str, now: datetime | None = None
) -> Comment:
    """New text for a post, by its author, within policies.EDIT_WINDOW of posting it."""
    comment = locked_comment(comment_id)
    # The opening post of a link thread may have no text, as when it was submitted.
    text = text_checked(text, required=not (comment.is_op and comment.thread.url))
    if comment.author_id == editor.pk and text == comment.text:
        return comment  # the same edit posted again (or nothing changed): nothing to write
    now = now or timezone.now()
    policies.refuse(policies.edit_refusal(user=editor, comment=comment, now=now))
    comment.text = text
    refs = selectors.refs_named(thread_id=comment.thread_id, text=comment.text)
    comment.html = markup.render(comment.text, refs)
    comment.edited_at = now
    post_changed(comment, "text", "html", "edited_at")
    return comment


@transaction.atomic
def comment_delete(*, comment_id: int, user: User) -> Comment:
    """Deletes a post by its author: it stays as a placeholder while replies hang below it.

    An opening post without replies takes its thread off the lists with it.
    """
    comment = locked_comment(comment_id)
    policies.refuse(policies.delete_refusal(user=user, comment=comment))
    comment.state = Comment.State.DELETED
    if comment.is_op and comment.is_leaf_node():
        comment.save(update_fields=["state"])
        thread_touch(comment.thread_id, is_removed=True, removed_by_author=True)
    else:
        post_changed(comment, "state")
    return comment
