"""Many clients at once against a server of harness.server: repliers, thread creators, a
moderator and readers, over one big thread, and the figures of what they did and what the
database and pages show afterwards."""

import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from harness.server import Server, request

# Figures of the runs made in this process, which the test suite prints at its end.
RECORDED: list[tuple[str, dict]] = []
REPLY_PREFIX = "reply-"


@dataclass
class Forum:
    """The data a run starts from: one big thread, its posts, writers and a moderator."""

    thread_id: int
    op_id: int
    post_ids: list[int]
    writer_ids: list[int]
    moderator_id: int


def seed_forum(*, size: int = 2000, writers: int = 16, seed: int = 5) -> Forum:
    """A thread of `size` replies, each answering one of the posts just before it."""
    from forum.accounts.models import User
    from harness.bulk import replies_in_bulk
    from threads.services.posting import thread_create

    # Unusable passwords: nobody logs in, and hashing would cost a second per user.
    users = User.objects.bulk_create(
        [User(username=f"writer{n}", password="!") for n in range(writers)]
    )
    moderator = User.objects.create(
        username="moderator", password="!", is_staff=True, is_superuser=True
    )
    thread = thread_create(author=users[0], title="A thread of 2,000 comments")
    rng = random.Random(seed)
    ids = replies_in_bulk(thread, size=size, authors=users, rng=rng, text="Seeded post {n}.")
    return Forum(thread.pk, ids[0], ids, [user.pk for user in users], moderator.pk)


@dataclass
class Load:
    writers: int = 16
    replies_each: int = 25
    thread_creators: int = 2
    threads_each: int = 5
    moves: int = 12
    removals: int = 8
    readers: int = 1
    seed: int = 7


@dataclass
class Outcomes:
    """Every request a run made, by kind: (what it wrote or read, HTTP status, when)."""

    replies: list = field(default_factory=list)
    threads: list = field(default_factory=list)
    moderation: list = field(default_factory=list)
    reads: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, what: str, status: int, body: str = "") -> None:
        with self.lock:
            getattr(self, kind).append((what, status, time.monotonic(), body[:2000]))


def reply_text(writer: int, n: int) -> str:
    return f"{REPLY_PREFIX}{writer}-{n} from the load test."


def _replier(port, forum, load, index, outcomes, pause_between=0.0):
    rng = random.Random(load.seed * 1000 + index)
    known = list(forum.post_ids)
    for n in range(load.replies_each):
        text = reply_text(index, n)
        author = forum.writer_ids[index % len(forum.writer_ids)]
        fields = {"user": author, "parent": rng.choice(known), "text": text}
        status, body = request(port, "/_bench/reply", fields)
        if status == 200:
            known.append(json.loads(body)["id"])
        outcomes.add("replies", text, status, body)
        time.sleep(pause_between)


def _thread_creator(port, forum, load, index, outcomes):
    for n in range(load.threads_each):
        title = f"New thread {index}-{n}"
        fields = {"user": forum.writer_ids[index], "title": title, "text": "Opening words."}
        status, body = request(port, "/_bench/thread", fields)
        outcomes.add("threads", title, status, body)
        if status == 200:
            op = json.loads(body)["op"]
            outcomes.add("reads", f"/item?id={op}", *request(port, f"/item?id={op}"))


def _moderator(port, forum, load, outcomes):
    rng = random.Random(load.seed)
    actions = ["move"] * load.moves + ["remove"] * load.removals
    rng.shuffle(actions)
    for action in actions:
        time.sleep(0.1)
        index = rng.randrange(1, len(forum.post_ids))
        post = forum.post_ids[index]
        fields = {"user": forum.moderator_id, "post": post}
        if action == "move":
            # Seeded posts only answer earlier ones, and moves keep it so: an earlier post is
            # never below this one, so no move is refused for making a loop.
            fields["parent"] = rng.choice(forum.post_ids[:index])
        status, body = request(port, f"/_bench/{action}", fields)
        outcomes.add("moderation", f"{action} {post}", status, body)


def _reader(port, forum, index, outcomes, done: threading.Event):
    rng = random.Random(index)
    paths = [f"/item?id={forum.op_id}", f"/item?id={forum.op_id}&format=txt", "/", "/newest"]
    while not done.is_set():
        path = rng.choice(paths + [f"/item?id={rng.choice(forum.post_ids)}"])
        outcomes.add("reads", path, *request(port, path))
        # A reader that never pauses would take a worker and a core for itself alone.
        done.wait(0.2)


def run_load(port: int, forum: Forum, load: Load, outcomes: Outcomes | None = None) -> Outcomes:
    """Every writer, thread creator and the moderator at once, with readers until they end."""
    outcomes = outcomes or Outcomes()
    done = threading.Event()
    writers = [
        threading.Thread(target=_replier, args=(port, forum, load, n, outcomes))
        for n in range(load.writers)
    ]
    writers += [
        threading.Thread(target=_thread_creator, args=(port, forum, load, n, outcomes))
        for n in range(load.thread_creators)
    ]
    writers.append(threading.Thread(target=_moderator, args=(port, forum, load, outcomes)))
    readers = [
        threading.Thread(target=_reader, args=(port, forum, n, outcomes, done))
        for n in range(load.readers)
    ]
    for client in writers + readers:
        client.start()
    for client in writers:
        client.join()
    done.set()
    for client in readers:
        client.join()
    return outcomes


def figures(port: int, forum: Forum, outcomes: Outcomes, seconds: float) -> dict:
    """What a run did and what the database and pages show afterwards."""
    from threads.core import tree_check
    from threads.models import Comment, Thread

    stored = Counter(
        Comment.objects.filter(text__startswith=REPLY_PREFIX).values_list("text", flat=True)
    )
    accepted = [text for text, status, *_ in outcomes.replies if status == 200]
    unknown = [text for text, status, *_ in outcomes.replies if status in (0, 503)]
    refused = [text for text, status, *_ in outcomes.replies if status in (404, 409)]
    every = outcomes.replies + outcomes.threads + outcomes.moderation + outcomes.reads
    statuses = Counter(status for _, status, *_ in every)
    problems = [p for thread in Thread.objects.all() for p in tree_check.thread_problems(thread)]
    page_status, page = request(port, f"/item?id={forum.op_id}&format=txt")
    return {
        "replies_sent": len(outcomes.replies),
        "replies_accepted": len(accepted),
        "replies_refused": len(refused),
        "replies_stored": sum(stored.values()),
        "accepted_stored_once": sum(stored[text] == 1 for text in accepted),
        "accepted_missing": sum(stored[text] == 0 for text in accepted),
        "stored_twice_or_more": sum(count > 1 for count in stored.values()),
        "refused_but_stored": sum(stored[text] > 0 for text in refused),
        "unknown_outcome": len(unknown),
        "unknown_stored": sum(stored[text] > 0 for text in unknown),
        "threads_created": sum(status == 200 for _, status, *_ in outcomes.threads),
        "moderation_done": sum(status == 200 for _, status, *_ in outcomes.moderation),
        "moderation_refused": sum(status == 409 for _, status, *_ in outcomes.moderation),
        "reads": len(outcomes.reads),
        "reads_ok": sum(status == 200 for _, status, *_ in outcomes.reads),
        "status_500": statuses[500],
        "status_503": statuses[503],
        "connections_lost": statuses[0],
        "statuses": {str(status): count for status, count in sorted(statuses.items())},
        "invariant_violations": len(problems),
        "first_violations": problems[:5],
        "thread_page_status": page_status,
        "accepted_shown_once_on_page": sum(page.count(text) == 1 for text in accepted),
        "seconds": round(seconds, 1),
    }


def measured_run(url: str, forum: Forum, load: Load, *, tree_lock: bool = True) -> dict:
    with Server(url, tree_lock=tree_lock) as server:
        started = time.monotonic()
        outcomes = run_load(server.port, forum, load)
        result = figures(server.port, forum, outcomes, time.monotonic() - started)
        result["errors_logged"] = server.errors_logged()
        return result


def record(label: str, result: dict) -> None:
    RECORDED.append((label, result))


SUMMARY_KEYS = (
    "replies_sent",
    "replies_accepted",
    "replies_stored",
    "accepted_missing",
    "stored_twice_or_more",
    "status_500",
    "status_503",
    "connections_lost",
    "invariant_violations",
    "seconds",
)


def summary_line(label: str, result: dict) -> str:
    return f"{label}: " + ", ".join(f"{key}={result.get(key)}" for key in SUMMARY_KEYS)
