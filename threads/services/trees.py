"""Repairing a thread's tree from its parent links, for check_trees and bulk loads."""

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from forum.exceptions import ForumError
from threads.core import tree_check
from threads.models import Comment
from threads.services.locks import locked_thread, thread_touch


@transaction.atomic
def thread_tree_repair(*, thread_id: int) -> int:
    """Rebuilds a thread's tree from its parent links; returns how many posts changed place."""
    locked_thread(thread_id)
    nodes = tree_check.thread_nodes(thread_id)
    if not nodes:
        raise ForumError(f"Thread {thread_id} has no opening post to rebuild its tree from.")
    layout = tree_check.repaired_layout(nodes)
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
    replies = tree_check.reply_count(tree_check.thread_nodes(thread_id))
    root_id = next(pk for pk, place in layout.items() if place.parent_id is None)
    thread_touch(thread_id, comment_count=replies, op_id=root_id)
    _parent_authors_refresh(thread_id)
    return len(changed)


def _parent_authors_refresh(thread_id: int) -> None:
    """Copies each reply's parent's author again, after parent links changed under it."""
    parent_author = Comment.objects.filter(pk=OuterRef("parent_id")).values("author_id")[:1]
    Comment.objects.filter(tree_id=thread_id, parent__isnull=False).update(
        parent_author=Subquery(parent_author)
    )
