"""`make bench-import`: import_hn of a generated 5,000-comment Hacker News file against loading
the same number of rows with the bulk writer (harness.bulk.replies_in_bulk), and the ratio.

Runs on a scratch SQLite database by default, or on BENCH_DATABASE_URL (PostgreSQL, created
and dropped here). Each figure is the best of a few runs; every imported tree is checked.
"""

import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from bench import database

SIZE = 5000
RUNS = 3
STORY_ID = 40_000_000
START = 1_700_000_000


def hn_file(size: int, rng: random.Random) -> str:
    """A story and `size` comments as v0 item lines, each answering one of the 30 before it or
    the story, with the texts replies_in_bulk writes: the same rows both ways."""
    ids = [STORY_ID]
    lines = [{"id": STORY_ID, "type": "story", "by": "author", "time": START, "title": "Bench"}]
    for n in range(1, size + 1):
        lines.append(
            {
                "id": STORY_ID + n,
                "type": "comment",
                "by": f"user{rng.randrange(400)}",
                "time": START + 37 * n,
                "parent": rng.choice(ids[-30:] + ids[:1]),
                "text": f"Reply {n}.",
            }
        )
        ids.append(STORY_ID + n)
    return "\n".join(json.dumps(line) for line in lines)


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    scratch = None
    if url:
        database.recreate(url)
    else:
        scratch = tempfile.mkdtemp()
        url = f"sqlite:///{Path(scratch) / 'bench.sqlite3'}"
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "forum.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        imported, bulk = _measure()
    finally:
        from django.db import connections

        connections.close_all()
        if not scratch:
            database.drop(url)
    print(f"import_hn of {SIZE:,} comments: {imported:.2f} s (best of {RUNS})")
    print(f"bulk writer, same rows:        {bulk:.2f} s")
    print(f"ratio: {imported / bulk:.2f}x")


def _measure() -> tuple[float, float]:
    from forum.accounts.models import User
    from harness.bulk import replies_in_bulk
    from threads.core import tree_check
    from threads.hn import story_files
    from threads.models import Thread
    from threads.services.hn_imports import hn_story_import
    from threads.services.posting import thread_create

    text = hn_file(SIZE, random.Random(1))
    imported, bulk = [], []
    for run in range(RUNS):
        Thread.objects.all().delete()
        User.objects.all().delete()
        started = time.perf_counter()
        thread = hn_story_import(story=story_files.read_story(text))
        imported.append(time.perf_counter() - started)
        problems = tree_check.thread_problems(thread)
        if problems or thread.comment_count != SIZE:
            sys.exit(f"the imported tree is broken: {problems[:5]}")
        authors = list(User.objects.all()[:400])
        other = thread_create(author=authors[0], title=f"Bulk {run}")
        started = time.perf_counter()
        replies_in_bulk(other, size=SIZE, authors=authors, rng=random.Random(1), text="Reply {n}.")
        bulk.append(time.perf_counter() - started)
    return min(imported), min(bulk)


if __name__ == "__main__":
    main()
