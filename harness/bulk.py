"""Big comment trees written in bulk, for tests and the concurrency suite alike."""

import random
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Max

from forum.accounts.models import User
from threads.models import Comment, Thread
from threads.services.trees import thread_tree_repair
from threads.text import markup


def replies_in_bulk(
    thread: Thread, *, size: int, authors: list[User], rng: random.Random, text: str
) -> list[int]:
    """`size` replies, each to one of the posts just before it or to the opening post, written
    in bulk and laid out by the tree repair service: thousands in seconds, for tests and the
    concurrency suite. `text` names reply n as {n}. Returns the ids, the opening post's first."""
    ids = [Comment.objects.get(tree_id=thread.pk, level=0).pk]
    for first in range(1, size + 1, 25):
        batch = Comment.objects.bulk_create(
            Comment(
                thread=thread,
                parent_id=rng.choice(ids[-30:] + ids[:1]),
                author=rng.choice(authors),
                ref=n,
                text=text.format(n=n),
                html=markup.render(text.format(n=n)),
                tree_id=thread.pk,
                lft=0,
                rght=0,
                level=0,
            )
            for n in range(first, min(first + 25, size + 1))
        )
        ids += [post.pk for post in batch]
    thread_tree_repair(thread_id=thread.pk)
    return ids


@transaction.atomic
def chain_in_bulk(thread: Thread, *, size: int, author: User, text: str) -> list[int]:
    """`size` replies, each answering the one before (a chain `size` levels deep), their tree
    fields computed here and the rows written in bulk: seconds for ten thousand. `text` names
    reply n as {n}. Returns the ids, the opening post's first."""
    op = Comment.objects.get(tree_id=thread.pk, level=0)
    lft, rght, level = nested_sets([-1, *range(size)])
    first_id = reserve_ids(size)
    ids = [op.pk] + [first_id + n for n in range(size)]
    Comment.objects.bulk_create(
        (
            Comment(
                id=ids[n],
                thread=thread,
                parent_id=ids[n - 1],
                author=author,
                ref=n,
                text=text.format(n=n),
                html=markup.render(text.format(n=n)),
                created_at=op.created_at + timedelta(seconds=n),
                tree_id=thread.pk,
                lft=lft[n],
                rght=rght[n],
                level=level[n],
            )
            for n in range(1, size + 1)
        ),
        batch_size=2000,
    )
    Comment.objects.filter(pk=op.pk).update(rght=rght[0])
    Thread.objects.filter(pk=thread.pk).update(comment_count=size)
    return ids


def nested_sets(parent_of: list[int]) -> tuple[list[int], list[int], list[int]]:
    """lft, rght and level of every post, as django-mptt would have stored them."""
    children: list[list[int]] = [[] for _ in parent_of]
    for i, parent in enumerate(parent_of[1:], start=1):
        children[parent].append(i)
    lft = [0] * len(parent_of)
    rght = [0] * len(parent_of)
    level = [0] * len(parent_of)
    counter = 1
    stack = [(0, False)]
    while stack:
        node, done = stack.pop()
        if done:
            rght[node] = counter
            counter += 1
            continue
        lft[node] = counter
        counter += 1
        stack.append((node, True))
        for child in reversed(children[node]):
            level[child] = level[node] + 1
            stack.append((child, False))
    return lft, rght, level


def reserve_ids(count: int) -> int:
    """The first of `count` consecutive comment ids nobody else will be given."""
    top = Comment.objects.aggregate(top=Max("pk"))["top"] or 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('threads_comment', 'id'), %s)",
                [top + count + 1],
            )
    return top + 1
