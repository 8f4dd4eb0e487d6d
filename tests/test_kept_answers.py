"""Feeds and the item API kept the page cache's way: junk parameters add no entries, a cache
that is down or hangs costs speed and never the answer, and links come from the configured
site address, never from a request's Host."""

import time

import pytest
from django.core.cache import caches
from django.test import Client

from tests.documents import feed_paths
from tests.factories import UserFactory
from tests.faulty_caches import SLOWEST, hung_redis, redis_cache, unreachable_redis

SITE = "https://forum.example"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.FORUM_SITE_URL = SITE


@pytest.fixture
def op(build):
    author = UserFactory(username="alice")
    thread = build.thread(title="A kept thread", text="Opening", author=author)
    op = build.op(thread)
    build.reply(op, text="A reply in the feed", author=author)
    return op


def answer_paths(op_id: int) -> list[str]:
    """Every kept answer for machine readers: the feeds and the item API."""
    paths = feed_paths(op_id, "alice")
    paths += [f"/v0/item/{op_id}.json", "/v0/user/alice.json", "/v0/maxitem.json"]
    paths += [f"/v0/{name}stories.json" for name in ("top", "new", "best", "ask", "show", "job")]
    return paths + ["/v0/updates.json"]


def entries() -> int:
    """The entries this test made in the page cache (the local-memory cache's own keys)."""
    cache = caches["default"]
    return sum(1 for key in cache._cache if key.startswith(f"{cache.key_prefix}:"))


def with_junk(path: str, n: int) -> str:
    return f"{path}{'&' if '?' in path else '?'}utm_source=x{n}&z={n}"


def test_junk_parameters_on_a_feed_add_no_cache_entries(client, op):
    path = f"/item/rss?id={op.pk}"
    assert client.get(path).status_code == 200
    before = entries()
    for n in range(200):
        assert client.get(with_junk(path, n)).status_code == 200
    assert entries() == before


def test_junk_parameters_on_any_kept_answer_add_no_cache_entries(client, op):
    for path in answer_paths(op.pk):
        client.get(path)
    before = entries()
    for path in answer_paths(op.pk):
        for n in range(3):
            assert client.get(with_junk(path, n)).status_code == 200, path
    assert entries() == before


def test_a_kept_answer_still_gets_304_and_gzip(client, op):
    for path in answer_paths(op.pk):
        first = client.get(path)
        again = client.get(with_junk(path, 1), headers={"if-none-match": first["ETag"]})
        assert again.status_code == 304, path
        zipped = client.get(path, headers={"accept-encoding": "gzip"})
        assert zipped["Content-Encoding"] == "gzip", path


def test_a_feed_kept_after_a_hostile_host_links_to_the_site_for_the_next_reader(
    client, op, settings
):
    settings.ALLOWED_HOSTS = ["testserver", "attacker.example"]
    for path in answer_paths(op.pk)[:10]:
        client.get(path, headers={"host": "attacker.example"})
        kept = client.get(path).content.decode()
        assert "attacker.example" not in kept, path
        assert f"{SITE}/item?id=" in kept, path


def answers_while(settings, url: str, op_id: int) -> None:
    """Every kept answer is 200 while the page cache is at `url`, none waits longer than a
    second beyond the cache's own timeout, and /healthz names the cache."""
    settings.CACHES = {**settings.CACHES, "default": redis_cache(url, location="default")}
    reader = Client(raise_request_exception=False)
    for path in answer_paths(op_id):
        started = time.monotonic()
        response = reader.get(path)
        took = time.monotonic() - started
        assert response.status_code == 200, (path, response.status_code)
        assert took < SLOWEST, (path, took)
    health = reader.get("/healthz")
    assert health.status_code == 503 and "cache default: down" in health.content.decode()


@pytest.mark.slow  # it measures how long an answer takes: a loaded machine can miss the bound
def test_every_kept_answer_is_served_while_the_page_cache_is_down(op, settings):
    answers_while(settings, unreachable_redis(), op.pk)


@pytest.mark.slow  # it measures how long an answer takes
def test_every_kept_answer_is_served_promptly_while_the_page_cache_hangs(op, settings):
    with hung_redis() as (url, _):
        answers_while(settings, url, op.pk)
