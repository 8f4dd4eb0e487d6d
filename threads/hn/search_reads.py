"""Reads behind the search API's item and user endpoints: a post with its whole reply tree."""

from dataclasses import dataclass, field
from datetime import datetime

from forum.accounts.models import User
from threads.hn.items import post_text
from threads.models import Comment


@dataclass
class Node:
    """A post of a tree, its replies nested; a post gone keeps its place without its words."""

    id: int
    level: int
    parent_id: int | None
    author: str | None
    created_at: datetime
    text: str | None
    points: int
    children: list["Node"] = field(default_factory=list)


_NODE_FIELDS = (
    "id",
    "level",
    "parent_id",
    "author__username",
    "created_at",
    "text",
    "edited_at",
    "hn_item__item",
    "points",
    "state",
)


def item_tree(*, post_id: int) -> tuple[Comment, Node] | None:
    """The post (with its thread) and its subtree in tree order: two queries; None if not shown.

    A post deleted, removed or hidden by flags keeps its place, so visible replies under it stay
    where they are, but has neither text nor author; a dead one keeps its author, as its page
    does. Texts are Hacker News' HTML (items.post_text).
    """
    post = (
        Comment.objects.select_related("thread")
        .filter(pk=post_id, thread__is_removed=False)
        .first()
    )
    if post is None:
        return None
    rows = (
        Comment.objects.filter(tree_id=post.tree_id, lft__gte=post.lft, lft__lt=post.rght)
        .order_by("lft")
        .values_list(*_NODE_FIELDS)
    )
    nodes: dict[int, Node] = {}
    for pk, level, parent_id, author, created_at, text, edited_at, given, points, state in rows:
        shown = state == Comment.State.VISIBLE
        node = Node(
            pk,
            level,
            parent_id,
            author if shown or state == Comment.State.DEAD else None,
            created_at,
            post_text(text=text, given=given, edited=edited_at is not None) if shown else None,
            points,
        )
        nodes[pk] = node
        if parent_id in nodes:
            nodes[parent_id].children.append(node)
    return post, nodes[post.pk]


def user_get(*, username: str) -> User | None:
    return User.objects.named(username).filter(is_active=True).first()


def hn_texts(*, post_ids: list[int]) -> dict[int, str]:
    """Each post's text as Hacker News' HTML (items.post_text), by id: one query."""
    rows = Comment.objects.filter(pk__in=post_ids).values_list(
        "pk", "text", "edited_at", "hn_item__item"
    )
    return {
        pk: post_text(text=text, given=given, edited=edited_at is not None)
        for pk, text, edited_at, given in rows
    }
