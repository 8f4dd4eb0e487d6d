"""`make bench-search`: search at 100,000 and 1,000,000 posts against its limits, side by side.

Creates a throwaway PostgreSQL database (forum_bench_search), fills it in bulk (COPY) with
generated threads whose words follow a Zipf law (a few words everywhere, most words rare),
and measures the first page of five kinds of query through the selector, against the same
search written as one SQL query by hand and against LIKE '%word%'. Then the time of a reply
with the index and, in a copy of the database without it, without. Prints a markdown table,
writes bench/results/search.json and search.md, and drops the databases.
"""

import io
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import database, search_report

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/forum_bench_search"
SIZES = [int(n) for n in os.environ.get("BENCH_SEARCH_SIZES", "100000,1000000").split(",")]
VOCABULARY = 30_000
REPLIES_PER_THREAD = 49
USERS = 2_000
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN = timedelta(days=730)
PHRASE_EVERY = 2_000  # one post in this many carries the phrase the bench looks for
RUNS = 7
REPLIES = 15
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def word(rank: int) -> str:
    """A made-up word per rank, two to four syllables, none an English stop word."""
    letters, n = [], rank + len(SYLLABLES) ** 2
    while n:
        n, digit = divmod(n, len(SYLLABLES))
        letters.append(SYLLABLES[digit])
    return "".join(letters) + "x"


RARE, COMMON = word(20_000), word(20)
PHRASE = f"{word(300)} {word(301)}"


def queries(author: str) -> dict[str, tuple[str, str]]:
    """Kind -> (the search box's query, its sort)."""
    return {
        "rare word": (RARE, "relevance"),
        "common word": (COMMON, "relevance"),
        "phrase": (f'"{PHRASE}"', "relevance"),
        "author filter": (f"author:{author}", "date"),
        "date range": (f"{word(60)} after:2023-02-01 before:2023-02-15", "date"),
    }


def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    plain_url = url + "_plain"
    database.recreate(url)
    try:
        os.environ["DATABASE_URL"] = url
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        import django

        django.setup()
        results = _measure_all(url, plain_url)
    finally:
        from django.db import connections

        connections.close_all()
        if not os.environ.get("BENCH_SEARCH_KEEP"):
            database.drop(url)
            database.drop(plain_url)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "search.json").write_text(json.dumps(results, indent=2) + "\n")
    table = search_report.table(results, reply_runs=REPLIES)
    (RESULTS / "search.md").write_text(table + "\n")
    print(table)
    print(f"\nWritten: {RESULTS / 'search.json'}, {RESULTS / 'search.md'}")


def _measure_all(url: str, plain_url: str) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    corpus = _Corpus()
    sizes = []
    for size in SIZES:
        started = time.perf_counter()
        corpus.grow(size)
        loaded = time.perf_counter() - started
        print(f"{size:,} posts loaded in {loaded:.0f} s", file=sys.stderr)
        sizes.append({"posts": size, "load_s": round(loaded, 1), **_measure_queries(url, corpus)})
    replies = _measure_replies(url, plain_url, corpus)
    return {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()]},
        "sizes": sizes,
        "replies": replies,
        "targets": search_report.targets(sizes, replies),
    }


class _Corpus:
    """Threads of 1 + REPLIES_PER_THREAD posts, written with COPY; grows to a number of posts."""

    def __init__(self):
        import numpy

        from forum.accounts.models import User

        self.rng = numpy.random.default_rng(7)
        weights = 1 / numpy.arange(1, VOCABULARY + 1)
        self.p_words = weights / weights.sum()
        self.words = numpy.array([word(rank) for rank in range(VOCABULARY)])
        users = [User(username=f"bench{n}", password="!") for n in range(USERS)]
        self.user_ids = [user.pk for user in User.objects.bulk_create(users)]
        author_weights = 1 / numpy.arange(1, USERS + 1) ** 0.8
        self.p_authors = author_weights / author_weights.sum()
        self.posts = 0
        self.author = f"bench{USERS // 10}"

    def grow(self, size: int) -> None:
        from django.db import connection

        per_thread = REPLIES_PER_THREAD + 1
        first_thread = self.posts // per_thread + 1
        threads = range(first_thread, size // per_thread + 1)
        with connection.cursor() as cursor:
            for chunk_start in range(0, len(threads), 2_000):
                chunk = threads[chunk_start : chunk_start + 2_000]
                self._copy(cursor, chunk, per_thread, size)
            cursor.execute(
                "SELECT setval('threads_comment_id_seq', (SELECT max(id) FROM threads_comment))"
            )
            cursor.execute(
                "SELECT setval('threads_thread_id_seq', (SELECT max(id) FROM threads_thread))"
            )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE threads_comment")
            cursor.execute("VACUUM ANALYZE threads_thread")
        self.posts = size

    def _copy(self, cursor, thread_ids, per_thread: int, total: int) -> None:
        from django.db import transaction

        count = len(thread_ids) * per_thread
        lengths = self.rng.integers(5, 45, size=count)
        tokens = self.rng.choice(VOCABULARY, size=int(lengths.sum()), p=self.p_words)
        authors = self.rng.choice(self.user_ids, size=count, p=self.p_authors)
        texts, offset = [], 0
        for n, length in enumerate(lengths):
            text = " ".join(self.words[tokens[offset : offset + length]])
            if n % PHRASE_EVERY == 0:
                text += f" {PHRASE}."
            texts.append(text)
            offset += length
        threads, comments = io.StringIO(), io.StringIO()
        step = SPAN / (SIZES[-1])
        for index, thread_id in enumerate(thread_ids):
            op_id = (thread_id - 1) * per_thread + 1
            at = START + step * op_id
            op_author = authors[index * per_thread]
            title = " ".join(texts[index * per_thread].split()[:8])
            threads.write(
                f"{thread_id}\t{title}\thttps://example.com/{thread_id}\t{op_author}\t{at}\t"
                f"f\tf\tf\t1\t{REPLIES_PER_THREAD}\t{at}\t0\t{op_id}\n"
            )
            for ref in range(per_thread):
                pk = op_id + ref
                row = index * per_thread + ref
                parent = "\\N" if ref == 0 else op_id
                lft, rght = (1, 2 * per_thread) if ref == 0 else (2 * ref, 2 * ref + 1)
                comments.write(
                    f"{pk}\t{thread_id}\t{parent}\t{authors[row]}\t{ref}\t{texts[row]}\t\t"
                    f"{START + step * pk}\t\\N\tvisible\t\t{lft}\t{rght}\t{thread_id}\t"
                    f"{0 if ref == 0 else 1}\t1\t{op_author if ref else '\\N'}\t\n"
                )
        with transaction.atomic():  # a thread's op_id is checked once its posts are in
            _copy(cursor, "threads_thread", THREAD_COLUMNS, threads)
            _copy(cursor, "threads_comment", COMMENT_COLUMNS, comments)


THREAD_COLUMNS = (
    "id, title, url, author_id, created_at, is_locked, is_pinned, is_removed, points,"
    " comment_count, last_activity, version, op_id"
)
COMMENT_COLUMNS = (
    "id, thread_id, parent_id, author_id, ref, text, html, created_at, edited_at, state,"
    " removal_reason, lft, rght, tree_id, level, points, parent_author_id, form_key"
)


def _copy(cursor, table: str, columns: str, data: io.StringIO) -> None:
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(data.getvalue())


def _best(action, runs: int = RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def _measure_queries(url: str, corpus: _Corpus) -> dict:
    import psycopg
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from threads.search.engine import search
    from threads.search.query import parse

    rows = {}
    with psycopg.connect(database.psycopg_url(url)) as raw:
        for kind, (text, sort) in queries(corpus.author).items():
            query = parse(text)
            with CaptureQueriesContext(connection) as captured:
                results = search(query, sort=sort)
            hand, like = _hand_written(kind, corpus), _like(kind)
            ours_ms = hand_ms = planned_ms = like_ms = None
            for _ in range(2):  # interleaved, so that both see the same machine
                ours_ms = _best(lambda: search(query, sort=sort))  # noqa: B023
                # psycopg prepares a statement run 5 times; Django's cursor plans every search.
                hand_ms = _best(lambda: raw.execute(*hand).fetchall())  # noqa: B023
                planned_ms = _best(lambda: raw.execute(*hand, prepare=False).fetchall())  # noqa: B023
            if like:
                like_ms = _best(lambda: raw.execute(*like).fetchall(), runs=2)  # noqa: B023
            where, params = _where(kind, corpus)
            rows[kind] = {
                "query": text,
                "matches": raw.execute(
                    f"SELECT count(*) FROM threads_comment c WHERE {where}", params
                ).fetchone()[0],
                "hits": results.total,
                "sql_queries": len(captured),
                "ours_ms": round(ours_ms, 2),
                "hand_written_ms": round(hand_ms, 2),
                "hand_written_unprepared_ms": round(planned_ms, 2),
                "like_ms": round(like_ms, 1) if like_ms else None,
            }
            print(f"  {kind}: {rows[kind]}", file=sys.stderr)
    return {"queries": rows}


# A post is shown when it is visible and its thread is not removed (a partial index holds those).
_VISIBLE = (
    "c.state = 'visible' AND c.thread_id NOT IN (SELECT id FROM threads_thread WHERE is_removed)"
)
# What a skilled engineer writes by hand for the same page: the newest 5,000 matches of the
# text and of the titles, ranked, the best 30 with a snippet, and the matches counted (≤ 2×5,000).
_HAND_RANKED = (
    "WITH found AS (SELECT id, max(rank) AS rank FROM ("
    "  SELECT id, ts_rank(v, {q}) AS rank FROM (SELECT c.id, c.search_vector AS v"
    "   FROM threads_comment c WHERE c.search_vector @@ {q} AND {visible}"
    "   ORDER BY c.created_at DESC LIMIT 5000) a"
    "  UNION ALL"
    "  SELECT id, ts_rank(v, {q}) FROM (SELECT c.id, t.search_vector AS v"
    "   FROM threads_thread t JOIN threads_comment c ON c.id = t.op_id"
    "   WHERE t.search_vector @@ {q} AND {visible} ORDER BY c.created_at DESC LIMIT 5000) b"
    " ) m GROUP BY id)"
    " SELECT c.id, u.username, c.created_at, t.title, ts_headline('english', c.text, {q}),"
    " (SELECT count(*) FROM found) FROM (SELECT * FROM found ORDER BY rank DESC LIMIT 30) p"
    " JOIN threads_comment c ON c.id = p.id"
    " JOIN threads_thread t ON t.id = c.thread_id JOIN accounts_user u ON u.id = c.author_id"
    " ORDER BY p.rank DESC"
)
# By date: the newest 30, marked when a word was asked for, and the matches counted up to 1,001.
_HAND_FILTERED = (
    "WITH found AS (SELECT c.id, c.created_at FROM threads_comment c WHERE {visible} AND {where}"
    " ORDER BY c.created_at DESC LIMIT 1001)"
    " SELECT c.id, u.username, c.created_at, t.title, {snippet}, (SELECT count(*) FROM found)"
    " FROM (SELECT * FROM found ORDER BY created_at DESC LIMIT 30) p"
    " JOIN threads_comment c ON c.id = p.id JOIN threads_thread t ON t.id = c.thread_id"
    " JOIN accounts_user u ON u.id = c.author_id ORDER BY p.created_at DESC"
)


_TSQUERY = "websearch_to_tsquery('english', %(q)s)"
_HEADLINE = f"ts_headline('english', c.text, {_TSQUERY})"
_TEXTS = {"rare word": RARE, "common word": COMMON, "phrase": f'"{PHRASE}"'}


def _where(kind: str, corpus: _Corpus) -> tuple[str, dict]:
    """The posts a kind of query matches, as one condition."""
    if kind == "author filter":
        where = "c.author_id = (SELECT id FROM accounts_user WHERE lower(username) = %(a)s)"
        return where, {"a": corpus.author}
    where = f"c.search_vector @@ {_TSQUERY}"
    if kind == "date range":
        where += " AND c.created_at >= '2023-02-01' AND c.created_at < '2023-02-15'"
        return where, {"q": word(60)}
    return where, {"q": _TEXTS[kind]}


def _hand_written(kind: str, corpus: _Corpus) -> tuple[str, dict]:
    where, params = _where(kind, corpus)
    if kind in _TEXTS:
        return _HAND_RANKED.format(visible=_VISIBLE, q=_TSQUERY), params
    snippet = "left(c.text, 300)" if kind == "author filter" else _HEADLINE
    return _HAND_FILTERED.format(visible=_VISIBLE, where=where, snippet=snippet), params


def _like(kind: str) -> tuple[str, dict] | None:
    if kind not in _TEXTS:
        return None
    sql = _HAND_FILTERED.format(
        visible=_VISIBLE, where="c.text ILIKE %(like)s", snippet="left(c.text, 300)"
    )
    return sql, {"like": f"%{_TEXTS[kind].strip('"')}%"}


def _measure_replies(url: str, plain_url: str, corpus: _Corpus) -> dict:
    """Replies through the service, alternating between the database and its copy without
    the search columns and indexes; the median of each."""
    from django.db import connection

    from threads.search import index

    connection.close()
    database.copy(url, plain_url)
    with_index, without = [], []
    for n in range(REPLIES):
        for target, times in ((url, with_index), (plain_url, without)):
            _use(target)
            if n == 0 and target == plain_url:
                index.uninstall(connection)
            times.append(_reply_ms(n, corpus.posts // (REPLIES_PER_THREAD + 1)))
    _use(url)
    return {
        "with_index_ms": round(statistics.median(with_index), 2),
        "without_index_ms": round(statistics.median(without), 2),
    }


def _use(url: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database.name(url)


def _reply_ms(n: int, threads: int) -> float:
    from forum.accounts.models import User
    from threads.services.posting import comment_reply

    author = User.objects.get(username="bench1")
    op_id = 1 + (n * 7919) % threads * (REPLIES_PER_THREAD + 1)
    parent_id = op_id + 1 + n % 20
    text = f"A reply about {COMMON} and {word(n * 31)}, number {n}: https://example.com/{n}."
    started = time.perf_counter()
    comment_reply(parent_id=parent_id, author=author, text=text)
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
