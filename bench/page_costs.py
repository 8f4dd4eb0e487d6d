"""What one request of each page kind costs the forum's shared services: SQL statements, cache
keys read (hits and misses), bytes sent and time, for a reader whose page is not yet kept (cold) and
one whose page is (warm); and the statements of a reply and a vote. docs/scaling.md builds on
these; `make bench-scale` measures them on its own data and records them beside its rates."""

import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from prometheus_client import REGISTRY

from forum.accounts.models import User
from threads.services.posting import comment_reply
from threads.services.votes import comment_vote


def _cache_gets() -> dict[str, float]:
    """Keys read from every cache so far in this process, by result (forum.metrics counts)."""
    gets = {"hit": 0.0, "miss": 0.0}
    for metric in REGISTRY.collect():
        if metric.name == "forum_cache_gets":
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    gets[sample.labels["result"]] += sample.value
    return gets


def _request(client: Client, path: str) -> dict:
    before = _cache_gets()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, (path, response.status_code)
    after = _cache_gets()
    return {
        "queries": len(queries.captured_queries),
        "cache_hits": int(after["hit"] - before["hit"]),
        "cache_misses": int(after["miss"] - before["miss"]),
        "bytes_gzip": len(response.content),
        # Wall time in this process alone, the database and Redis a loopback away: a guide to a
        # cold page's cost against a warm one's, not a measurement under load.
        "ms": round(elapsed * 1000, 1),
    }


def measure(pages: dict[str, str], session: str) -> dict:
    """Each page (name: path) read cold then warm, anonymous first and then by the member
    whose session key is given; and what one reply and one vote cost in statements."""
    rows = []
    for reader in ("anonymous", "member"):
        client = Client(HTTP_HOST="127.0.0.1")
        if reader == "member":
            client.cookies["sessionid"] = session
        for name, path in pages.items():
            cold, warm = _request(client, path), _request(client, path)
            plain = client.get(path)  # the page's size before compression
            rows.append(
                {"page": name, "reader": reader, "cold": cold, "warm": warm,
                 "bytes": len(plain.content)}
            )  # fmt: skip
    return {"pages": rows, "writes": _writes(pages)}


def _writes(pages: dict[str, str]) -> dict:
    thread_path = next(path for name, path in pages.items() if name.startswith("thread"))
    op_id = int(thread_path.rsplit("=", 1)[1])
    writer, voter = User.objects.filter(username__startswith="bench").order_by("pk")[:2]
    with CaptureQueriesContext(connection) as reply:
        comment = comment_reply(parent_id=op_id, author=writer, text="A reply to count.")
    with CaptureQueriesContext(connection) as vote:
        comment_vote(comment_id=comment.pk, user=voter, direction="up")
    return {"reply": len(reply.captured_queries), "vote": len(vote.captured_queries)}
