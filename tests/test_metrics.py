"""/metrics: what an operator graphs, and who may read it."""

import re

import pytest


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and ",".join(sorted(match.group(1).split(","))) == wanted:
            return float(match.group(2))
    return 0.0


def test_requests_queries_and_cache_reads_are_counted(client, build):
    thread = build.thread(title="Counted")
    before = client.get("/metrics").content.decode()
    for _ in range(3):
        assert client.get(f"/item?id={thread.op_id}").status_code == 200
    assert client.get("/item?id=999999").status_code == 404
    after = client.get("/metrics").content.decode()
    served = {"view": "item", "method": "GET", "status": "200"}
    assert (
        _metric(after, "forum_requests_total", **served)
        - _metric(before, "forum_requests_total", **served)
        == 3
    )
    assert _metric(after, "forum_requests_total", view="item", method="GET", status="404") >= 1
    assert _metric(after, "forum_request_duration_seconds_count", view="item") >= 4
    assert _metric(after, "forum_database_queries_total", database="default") > _metric(
        before, "forum_database_queries_total", database="default"
    )
    hits = _metric(after, "forum_cache_gets_total", cache="pages", result="hit")
    assert hits > _metric(before, "forum_cache_gets_total", cache="pages", result="hit")
    assert "forum_read_only 0.0" in after


@pytest.mark.parametrize(
    ("address", "headers", "status"),
    [
        ("127.0.0.1", {}, 200),
        ("10.1.2.3", {}, 200),
        ("93.184.216.34", {}, 403),
        ("127.0.0.1", {"HTTP_X_FORWARDED_FOR": "93.184.216.34"}, 403),
    ],
    ids=["loopback", "private network", "the internet", "through a proxy"],
)
def test_without_a_token_only_the_operators_network_reads_them(
    client, db, address, headers, status
):
    assert client.get("/metrics", REMOTE_ADDR=address, **headers).status_code == status


def test_with_a_token_every_reader_must_give_it(client, db, settings):
    settings.FORUM_METRICS_TOKEN = "s3cret-token-of-the-operator"
    assert client.get("/metrics").status_code == 403
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer guess")
    assert wrong.status_code == 403
    given = client.get(
        "/metrics",
        REMOTE_ADDR="93.184.216.34",
        HTTP_AUTHORIZATION="Bearer s3cret-token-of-the-operator",
    )
    assert given.status_code == 200 and b"forum_requests_total" in given.content


def test_metrics_take_no_writes(client, db):
    assert client.post("/metrics").status_code == 405
