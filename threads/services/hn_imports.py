"""Hacker News stories written into the forum in bulk, and threads written back as HN items."""

from functools import partial

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models.functions import Lower

from forum.accounts.models import IMPORTED_PASSWORD, User
from forum.accounts.names import DELETED_AUTHOR
from forum.exceptions import ForumError
from threads.core import tree_check
from threads.core.thread_urls import url_checked, url_key
from threads.hn.story_files import Item, Story
from threads.models import Comment, HnItem, ImportSource, ModerationAction, Thread
from threads.services.locks import locked_thread, thread_touch
from threads.services.posting import text_checked, title_checked
from threads.text import markup, zlacker

_CONTENT = ("parent_id", "author_id", "parent_author_id", "text", "html", "state", "created_at")
_PLACE = ("lft", "rght", "level")


@transaction.atomic
def hn_story_import(*, story: Story) -> Thread:
    """The story and its replies as one thread: a post's number is its item id minus the
    story's, so names are zlacker's. A story imported before is updated in place: the posts
    its import made are matched by number, replies written here since are kept as they are.
    New posts keep their item ids where no post has them. Only a thread made by this story's
    import is ever changed, and authors are imported accounts, never ones made here. What a
    moderator did here outlives the file: a removal, a move, a new title. Nothing is
    half-written: the caller's transaction holds it all."""
    root = story.root
    title = _field(root, "title", title_checked, root.title)
    url = _field(root, "url", url_checked, root.url)
    _reply_fields_check(story.replies)
    items = [root, *sorted(story.replies, key=lambda item: item.id)]
    authors = _authors(items)
    thread = locked_thread(_thread_for(root, authors, title=title, url=url).pk)
    if ModerationAction.objects.filter(thread=thread, kind=ModerationAction.Kind.RETITLE).exists():
        title = thread.title
    existing = {
        node.ref: node for node in tree_check.thread_nodes(thread.pk) if node.thread_id == thread.pk
    }
    _refuse_written_here(thread, items, root)
    taken = _taken_ids({item.id for item in items})
    pk_of = {}
    for item in items:
        node = existing.get(item.id - root.id)
        pk_of[item.id] = node.id if node else None if item.id in taken else item.id
    new = [item for item in items if item.id - root.id not in existing]
    created = Comment.objects.bulk_create(_row(thread, item, root, pk_of, authors) for item in new)
    for item, row in zip(new, created, strict=True):
        pk_of[item.id] = row.pk
    moved = _moved_by_moderators(existing, items, pk_of, authors)
    _refuse_loops(items, root, pk_of, existing, moved)
    _contents_write(thread, items, root, pk_of, authors, existing, moved)
    _given_write(items, pk_of)
    _layout_write(thread.pk)
    _sequence_reset()
    replies = tree_check.reply_count(tree_check.thread_nodes(thread.pk))
    thread_touch(
        thread.pk,
        **_taken_away_by_author(thread, story),
        op_id=pk_of[root.id],
        title=title,
        url=url,
        url_key=url_key(url),
        points=root.score,
        created_at=root.time,
        comment_count=replies,
        last_activity=max(item.time for item in items),
    )
    Comment.objects.filter(pk=pk_of[root.id]).update(points=root.score)
    thread.refresh_from_db()
    return thread


def _taken_away_by_author(thread: Thread, story: Story) -> dict[str, bool]:
    """A story its author deleted, with no reply HN shows, is off the lists as a thread deleted
    here is (services.posting.comment_delete); a moderator's removal stands whatever the file,
    and what they removed here does not make the story the author's to take away."""
    if thread.is_removed and not thread.removed_by_author:
        return {}
    shown = any(item.state == Comment.State.VISIBLE for item in story.replies)
    deleted_alone = story.root.state == Comment.State.DELETED and not shown
    return {"is_removed": deleted_alone, "removed_by_author": deleted_alone}


def _reply_fields_check(replies: tuple[Item, ...]) -> None:
    """A reply's title or url is no part of its post, yet the item API gives it as kept: it is
    held to the story's rules."""
    for item in replies:
        for name, check in (("title", title_checked), ("url", url_checked)):
            if item.given.get(name):
                _field(item, name, check, item.given[name])


def _thread_for(root: Item, authors: dict[str, int], *, title: str, url: str) -> Thread:
    """The thread this story's import made, or a new one; never another thread, even one whose
    opening post has the story's id."""
    thread = Thread.objects.filter(hn_story=root.id).first()
    if thread is not None:
        return thread
    other = Comment.objects.filter(pk=root.id).values_list("thread_id", flat=True).first()
    if other is not None:
        raise ForumError(
            f"Story {root.id}: the forum's post {root.id} belongs to thread {other}, which this"
            " story's import did not make; an import never changes another thread."
        )
    return Thread.objects.create(
        title=title,
        url=url,
        url_key=url_key(url),
        author_id=authors[root.by],
        created_at=root.time,
        last_activity=root.time,
        imported_from=ImportSource.HACKER_NEWS,
        hn_story=root.id,
    )


def _refuse_written_here(thread: Thread, items: list[Item], root: Item) -> None:
    """A post written here holds its number: an item that would take it is refused."""
    numbers = {item.id - root.id: item for item in items}
    here = Comment.objects.filter(thread=thread, author__is_imported=False)
    for ref, pk in here.values_list("ref", "pk"):
        if ref in numbers:
            raise ForumError(
                f"Item {numbers[ref].id} would take the number +{zlacker.encode_ref(ref)} of"
                f" post {pk}, written here in thread {thread.pk}; an import never changes what"
                " was written here."
            )


def _authors(items: list[Item]) -> dict[str, int]:
    """Each author's user id: the imported accounts of their names, the missing ones made in
    one insert (no password, never staff). A name that an account made here has is refused:
    an import never posts as a member."""
    first_seen: dict[str, Item] = {}
    for item in sorted(items, key=lambda item: item.time):
        first_seen.setdefault(item.by.lower(), item)
    found = User.objects.annotate(lower=Lower("username")).filter(lower__in=list(first_seen))
    for lower, username in found.filter(is_imported=False).values_list("lower", "username"):
        item = first_seen[lower]
        raise ForumError(
            f"Item {item.id} is by {item.by!r}, the name of an account made here ({username});"
            " an import never posts as an account made here."
        )
    ids = dict(found.values_list("lower", "pk"))
    missing = [item for lower, item in first_seen.items() if lower not in ids]
    User.objects.bulk_create(
        User(username=item.by, password=IMPORTED_PASSWORD, date_joined=item.time, is_imported=True)
        for item in missing
    )
    found = User.objects.annotate(lower=Lower("username")).filter(lower__in=list(first_seen))
    ids = dict(found.values_list("lower", "pk"))
    return {item.by: ids[item.by.lower()] for item in items}


def _taken_ids(ids: set[int]) -> set[int]:
    """The item ids that posts of the forum have already, this thread's included."""
    return set(Comment.objects.filter(pk__in=ids).values_list("pk", flat=True))


def _field(item: Item, name: str, check, value):
    try:
        return check(value)
    except ForumError as error:
        raise ForumError(f"Item {item.id}, field {name!r}: {error}") from None


def _text(item: Item) -> str:
    return _field(item, "text", partial(text_checked, required=False), item.text)


def _row(thread: Thread, item: Item, root: Item, pk_of: dict, authors: dict) -> Comment:
    """A new post with placeholder tree fields (the layout pass sets them) and no html yet."""
    return Comment(
        id=pk_of[item.id],
        thread=thread,
        author_id=authors[item.by],
        ref=item.id - root.id,
        created_at=item.time,
        tree_id=thread.pk,
        lft=0,
        rght=0,
        level=0,
    )


def _moved_by_moderators(existing: dict, items: list[Item], pk_of: dict, authors: dict) -> dict:
    """Each post a moderator moved, with the parent it has now and that parent's author (as
    this file names them, when it holds the parent)."""
    moves = ModerationAction.objects.filter(
        kind=ModerationAction.Kind.MOVE, comment_id__in=[node.id for node in existing.values()]
    )
    posts = Comment.objects.filter(pk__in=moves.values("comment_id"))
    author_of = {pk_of[item.id]: authors[item.by] for item in items}
    return {
        pk: (parent, author_of.get(parent, author))
        for pk, parent, author in posts.values_list("pk", "parent_id", "parent_author_id")
    }


def _refuse_loops(items: list[Item], root: Item, pk_of: dict, existing: dict, moved: dict) -> None:
    """A file whose parents, beside the thread's other posts and the moves a moderator made,
    would put a post below itself is refused (the file's own loops are refused when read)."""
    parent_of = {node.id: node.parent_id for node in existing.values() if node.parent_id}
    for item in items:
        kept_in_place = item.id - root.id in existing and _placeholder(item)
        if item is not root and not kept_in_place:
            parent_of[pk_of[item.id]] = pk_of[item.parent]
    parent_of |= {pk: parent for pk, (parent, _author) in moved.items()}
    reaches_root: set[int] = set()  # each post walked once, however deep the thread
    for start in parent_of:
        path, post = set(), start
        while post in parent_of and post not in reaches_root and post not in path:
            path.add(post)
            post = parent_of[post]
        if post in path:
            item = next((item for item in items if pk_of[item.id] in path), None)
            raise ForumError(
                f"Item {item.id if item else start} would be below itself: its parents in the"
                " file and the posts a moderator moved here make a loop; an import keeps a"
                " moderator's moves."
            )
        reaches_root |= path


def _contents_write(thread, items, root, pk_of, authors, existing, moved) -> None:
    """Every imported post's parent, author, text, html and state in one statement run; html
    resolves >>refs to the thread's posts, the imported ones included. A post a moderator
    moved keeps the parent they gave it."""
    names = {zlacker.post_name(node.username, node.ref): node.id for node in existing.values()} | {
        zlacker.post_name(item.by, item.id - root.id): pk_of[item.id] for item in items
    }
    by_id = {item.id: item for item in items}
    # What a moderator decided here outlives the file: a removal, or flags that hid a post.
    # (Posts new in this file were made visible: only those the thread had may differ.)
    decided = {
        node.id: node.state
        for node in existing.values()
        if node.state in (Comment.State.REMOVED, Comment.State.FLAGGED)
    }
    rows, states = [], []
    for item in items:
        state = decided.get(pk_of[item.id], item.state)
        if item.id - root.id in existing and _placeholder(item):
            # A placeholder says only that the post is gone: its author and text stay here.
            states.append((state, pk_of[item.id]))
            continue
        text = _text(item)
        parent = by_id.get(item.parent) if item is not root else None
        parent_id, parent_author = moved.get(
            pk_of[item.id],
            (pk_of[parent.id], authors[parent.by]) if parent else (None, None),
        )
        rows.append(
            (
                parent_id,
                authors[item.by],
                parent_author,
                text,
                markup.render(text, names.get, as_on_hn=True),
                state,
                item.time,
                pk_of[item.id],
            )
        )
    _update_many(_CONTENT, rows)
    _update_many(("state",), states)


def _placeholder(item: Item) -> bool:
    """Whether the item only says that its post is gone: deleted, or dead without its text
    (as export_hn writes a hidden post)."""
    return item.by == DELETED_AUTHOR or (item.state == Comment.State.DEAD and not item.text)


def _given_write(items: list[Item], pk_of: dict) -> None:
    """Each item as HN gave it, beside its post, in place of what an earlier import kept."""
    HnItem.objects.filter(comment_id__in=[pk_of[item.id] for item in items]).delete()
    HnItem.objects.bulk_create(HnItem(comment_id=pk_of[item.id], item=item.given) for item in items)


def _layout_write(thread_id: int) -> None:
    layout = tree_check.repaired_layout(tree_check.thread_nodes(thread_id))
    rows = [(place.lft, place.rght, place.level, pk) for pk, place in layout.items()]
    _update_many(_PLACE, rows)


def _update_many(fields: tuple[str, ...], rows: list[tuple]) -> None:
    # One statement run for many rows, as services.thread_tree_repair writes a layout.
    table = connection.ops.quote_name(Comment._meta.db_table)
    columns = ", ".join(f"{field} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {columns} WHERE id = %s", rows)


def _sequence_reset() -> None:
    """Ids written by hand leave PostgreSQL's sequence behind them; SQLite follows by itself."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
