"""Big comment trees written in bulk, for tests and the concurrency suite alike."""

import random

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
