"""Factories for test data; threads and replies go through the services as real writes do."""

import random

import factory

from forum.accounts.models import User
from harness.bulk import chain_in_bulk, replies_in_bulk
from threads.models import Comment, Thread
from threads.services.posting import comment_reply, thread_create

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)


class ThreadBuilder:
    """Builds threads and comment trees through the services."""

    def thread(self, *, title="A thread", text="", author=None, url="") -> Thread:
        return thread_create(author=author or UserFactory(), title=title, text=text, url=url)

    def op(self, thread: Thread) -> Comment:
        return Comment.objects.get(tree_id=thread.pk, level=0)

    def reply(self, parent: Comment, text="A reply.", author=None) -> Comment:
        return comment_reply(parent_id=parent.pk, author=author or UserFactory(), text=text)

    def big_tree(self, thread: Thread, size: int, seed: int = 1) -> None:
        """Many replies at once: rows in bulk, then the tree laid out by the repair service."""
        authors = [UserFactory() for _ in range(5)]
        rng = random.Random(seed)
        replies_in_bulk(thread, size=size, authors=authors, rng=rng, text="Reply {n}.")

    def chain(self, thread: Thread, size: int) -> list[int]:
        """`size` replies each answering the one before, in bulk; their ids, the OP's first."""
        author = UserFactory()
        return chain_in_bulk(thread, size=size, author=author, text="Reply {n}.")

    def random_tree(self, thread: Thread, size: int, seed: int = 1) -> list[Comment]:
        rng = random.Random(seed)
        authors = [UserFactory() for _ in range(5)]
        posts = [self.op(thread)]
        for n in range(size):
            parent = rng.choice(posts[-20:] + posts[:1])
            posts.append(self.reply(parent, text=f"Reply {n}.", author=rng.choice(authors)))
        return posts[1:]
