"""Realistic benchmark threads (bushy or deep, bodies with links and code), written in bulk."""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction

from forum.accounts.models import User
from harness.bulk import nested_sets, reserve_ids
from threads.models import Comment, Thread
from threads.services.posting import thread_create
from threads.text import markup

MAX_DEPTH = 40
USERS = 400
START = datetime(2024, 1, 1, tzinfo=UTC)

_VOCABULARY = (
    "the a of to and in that is it for on with as was this be are not you at have but by or "
    "from they an which one we all would there their what so if about can more when will no "
    "up out some just like time than only people into could other because also how do most "
    "compiler database latency thread cache kernel memory license model training lawsuit "
    "court copyright artists images dataset server request index query render python rust "
    "benchmark deploy storage network protocol browser tree comment reply argument evidence"
)
WORDS = _VOCABULARY.split()
DOMAINS = ["github.com", "en.wikipedia.org", "arxiv.org", "news.ycombinator.com", "lwn.net"]
CODE = [
    "  for row in cursor.fetchall():\n      handle(row)",
    "  SELECT id, lft FROM comment\n  WHERE tree_id = 42 ORDER BY lft;",
    "  $ git log --oneline | head\n  $ make test",
    '  fn main() {\n      println!("{}", 2 + 2);\n  }',
]


@dataclass(frozen=True)
class Shape:
    """How replies attach: bushy threads spread wide, deep ones follow chains down."""

    name: str
    follow_chain: float  # chance a reply answers the newest post instead of a random one
    to_thread: float  # chance a reply answers the opening post directly


BUSHY = Shape("bushy", follow_chain=0.15, to_thread=0.25)
DEEP = Shape("deep", follow_chain=0.85, to_thread=0.02)


def sentence(rng: random.Random) -> str:
    words = rng.choices(WORDS, k=rng.randint(6, 24))
    text = " ".join(words)
    if rng.random() < 0.15:
        text += f" https://{rng.choice(DOMAINS)}/{rng.choice(WORDS)}/{rng.randint(1, 99999)}"
    if rng.random() < 0.1:
        text = text.replace(words[0], f"*{words[0]}*", 1)
    return text[0].upper() + text[1:] + "."


def body(rng: random.Random) -> str:
    """A comment of realistic length: one to four paragraphs, now and then a code block."""
    paragraphs = [
        " ".join(sentence(rng) for _ in range(rng.randint(1, 4)))
        for _ in range(rng.choices([1, 2, 3, 4], weights=[45, 30, 15, 10])[0])
    ]
    if rng.random() < 0.08:
        paragraphs.insert(rng.randint(1, len(paragraphs)), rng.choice(CODE))
    return "\n\n".join(paragraphs)


def parents(size: int, shape: Shape, rng: random.Random) -> list[int]:
    """parents[i] is the index of post i's parent, post 0 being the opening post."""
    result = [-1]
    depth = [0]
    for i in range(1, size + 1):
        roll = rng.random()
        if roll < shape.to_thread:
            parent = 0
        elif roll < shape.to_thread + shape.follow_chain:
            parent = i - 1
        else:
            parent = rng.randrange(i)
        while depth[parent] >= MAX_DEPTH:
            parent = result[parent]
        result.append(parent)
        depth.append(depth[parent] + 1)
    return result


def users() -> list[User]:
    existing = list(User.objects.filter(username__startswith="bench"))
    if len(existing) >= USERS:
        return existing
    User.objects.bulk_create(
        [User(username=f"bench{n:03d}", password="!bench") for n in range(USERS)],
        ignore_conflicts=True,
    )
    return list(User.objects.filter(username__startswith="bench"))


@transaction.atomic
def thread(size: int, shape: Shape, *, seed: int = 0) -> Thread:
    """A thread of `size` replies.

    Benchmark data only: the tree fields are computed here and the rows bulk-inserted, which is
    not how the forum writes (comment_reply does, one locked insert at a time). Written
    that way, 20,000 replies would take minutes; written in bulk they take seconds.
    """
    rng = random.Random(f"{size}-{shape.name}-{seed}")
    people = users()
    thread = thread_create(
        author=rng.choice(people),
        title=f"A {shape.name} thread of {size} comments",
        url=f"https://example.com/{shape.name}/{size}",
        text=body(rng),
        created_at=START,
    )
    parent_of = parents(size, shape, rng)
    lft, rght, level = nested_sets(parent_of)
    first_id = reserve_ids(size)
    ids = [Comment.objects.get(tree_id=thread.pk, level=0).pk] + [first_id + n for n in range(size)]
    bodies = [body(rng) for _ in range(min(size, 500))]
    rendered = [markup.render(text) for text in bodies]
    moments = [START + timedelta(seconds=37 * n) for n in range(size + 1)]
    replies = []
    for i in range(1, size + 1):
        which = rng.randrange(len(bodies))
        replies.append(
            Comment(
                id=ids[i],
                thread=thread,
                parent_id=ids[parent_of[i]],
                author=rng.choice(people),
                ref=i,
                text=bodies[which],
                html=rendered[which],
                created_at=moments[i],
                tree_id=thread.pk,
                lft=lft[i],
                rght=rght[i],
                level=level[i],
            )
        )
    Comment.objects.bulk_create(replies, batch_size=2000)
    Comment.objects.filter(pk=ids[0]).update(rght=rght[0])
    Thread.objects.filter(pk=thread.pk).update(comment_count=size, last_activity=moments[-1])
    thread.refresh_from_db()
    return thread
