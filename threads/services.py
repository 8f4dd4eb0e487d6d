"""Every write to threads and comments: each in one transaction that locks the thread first."""

from datetime import datetime

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from forum.accounts.models import User

from . import markup, zlacker
from .models import Comment, Thread

MAX_TEXT_LENGTH = 10_000


class ForumError(Exception):
    """A write the forum refuses; the message is shown to the user as it is."""


def _locked_thread(thread_id: int) -> Thread:
    # Every structural write starts here: the row lock serialises writers of one tree.
    return Thread.objects.select_for_update().get(pk=thread_id)


def _thread_touch(thread_id: int, **changes) -> None:
    """Records that the thread's page changed, with any other changes to the thread's row.

    Every write that changes what the thread page shows (a reply, an edit, a delete, a
    removal, a move, a lock) must call this inside its transaction: the cached pages are keyed
    by the version it bumps, so without it readers keep the old page.
    """
    Thread.objects.filter(pk=thread_id).update(version=F("version") + 1, **changes)


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
    created_at = created_at or timezone.now()
    thread = Thread.objects.create(
        title=title, url=url, author=author, created_at=created_at, last_activity=created_at
    )
    # The root is placed by hand so its tree_id is the thread's key, never max(tree_id) + 1.
    Comment.objects.create(
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
    return thread


@transaction.atomic
def comment_reply(
    *,
    parent_id: int,
    author: User,
    text: str,
    created_at: datetime | None = None,
    ref: int | None = None,
) -> Comment:
    thread_id = Comment.objects.values_list("thread_id", flat=True).get(pk=parent_id)
    thread = _locked_thread(thread_id)
    parent = Comment.objects.get(pk=parent_id)
    if thread.is_locked:
        raise ForumError("This thread is locked: it accepts no new replies.")
    if parent.state == Comment.State.REMOVED:
        raise ForumError("That post was removed by a moderator: it accepts no replies.")
    if ref is None:
        ref = (Comment.objects.filter(thread=thread).aggregate(top=Max("ref"))["top"] or 0) + 1
    elif Comment.objects.filter(thread=thread, ref=ref).exists():
        raise ForumError(f"Post number {zlacker.encode_ref(ref)} already exists in this thread.")
    created_at = created_at or timezone.now()
    comment = Comment(
        thread=thread,
        parent=parent,
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
    return comment


def _imported_user(short_name: str, joined: datetime) -> User:
    user = User.objects.filter(username__iexact=short_name).first()
    if user is None:
        # A fixed unusable password keeps the seed fixture reproducible byte for byte.
        user = User.objects.create(username=short_name, password="!imported", date_joined=joined)
    return user


def _imported_thread(doc: zlacker.Discussion) -> Thread:
    existing = Thread.objects.filter(
        title=doc.title, comments__level=0, comments__author__username__iexact=doc.op_author
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
    parent_id = Comment.objects.values_list("pk", flat=True).get(tree_id=thread.pk, level=0)
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
