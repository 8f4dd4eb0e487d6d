"""Importing zlacker discussion pages: users, thread and posts, through the posting services."""

from datetime import datetime

from django.db import transaction

from forum.accounts.models import IMPORTED_PASSWORD, User
from forum.exceptions import ForumError
from threads.models import Comment, ImportSource, Thread
from threads.services.posting import comment_reply, thread_create
from threads.text import zlacker


def _imported_user(short_name: str, joined: datetime, post_name: str) -> User:
    """The imported account of the name, made when missing; never an account made here."""
    user = User.objects.filter(username__iexact=short_name).first()
    if user is None:
        # A fixed unusable password keeps the seed fixture reproducible byte for byte.
        return User.objects.create(
            username=short_name, password=IMPORTED_PASSWORD, date_joined=joined, is_imported=True
        )
    if not user.is_imported:
        raise ForumError(
            f"Post {post_name} is by {short_name}, the name of an account made here"
            f" ({user.username}); an import never posts as an account made here."
        )
    return user


def _imported_thread(doc: zlacker.Discussion) -> Thread:
    """The thread an import of pages of this discussion made (same title and opening poster),
    or a new one: never a thread written here or made from a Hacker News file."""
    existing = Thread.objects.filter(
        imported_from=ImportSource.ZLACKER,
        title=doc.title,
        op__author__username__iexact=doc.op_author,
    ).first()
    if existing:
        return existing
    # The page does not give the opening post's time: its first reply's time is the latest
    # it can have been, so it stands in; the OP's text and url are left empty, never invented.
    opened = doc.posts[0].created
    author = _imported_user(doc.op_author, opened, zlacker.post_name(doc.op_author, 0))
    thread = thread_create(author=author, title=doc.title, created_at=opened)
    Thread.objects.filter(pk=thread.pk).update(imported_from=ImportSource.ZLACKER)
    thread.imported_from = ImportSource.ZLACKER
    return thread


@transaction.atomic
def zlacker_import(*, text: str) -> Thread:
    """Imports one discussion page; posts already present must match, or nothing is stored."""
    doc = zlacker.parse_discussion(text)
    _refuse_numbers_past_the_column(doc)
    thread = _imported_thread(doc)
    parent_id = thread.op_id
    for post in doc.posts:
        parent_id = _imported_post(thread, parent_id, post).pk
    return thread


def _refuse_numbers_past_the_column(doc: zlacker.Discussion) -> None:
    """The page's format writes any number; a post's column holds numbers up to MAX_REF."""
    for post in doc.posts:
        if post.ref > zlacker.MAX_REF:
            name = post.name if len(post.name) <= 24 else f"{post.name[:24]}..."
            raise ForumError(
                f"Post {name} has the number {post.ref}: a post's number goes up to"
                f" {zlacker.MAX_REF}."
            )


def _imported_post(thread: Thread, parent_id: int, post: zlacker.DiscussionPost) -> Comment:
    existing = Comment.objects.select_related("author").filter(thread=thread, ref=post.ref).first()
    if existing is None:
        return comment_reply(
            parent_id=parent_id,
            author=_imported_user(post.author, post.created, post.name),
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
