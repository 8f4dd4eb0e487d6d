"""When Redis fails: pages are served uncached, limited writes and log-ins answer 503 with
Retry-After, /healthz names the cache that is down, and all recovers when Redis is back."""

import time
import uuid

import pytest

from forum.accounts.models import User
from forum.caches import REST_SECONDS
from forum.environment import cache_config
from tests.factories import PASSWORD, ThreadBuilder, UserFactory
from tests.faulty_caches import RedisServer, hung_redis, unreachable_redis
from tests.visitor import Visitor
from threads.models import Comment

PAUSED = "the forum cannot count its limits right now"


@pytest.fixture
def redis_down(settings):
    """Both caches in a Redis that does not answer."""
    url = unreachable_redis()
    settings.CACHES = {
        alias: cache_config(url, location=alias, max_entries=300, prefix=settings.CACHE_KEY_PREFIX)
        for alias in settings.CACHES
    }


@pytest.fixture
def thread(db):
    builder = ThreadBuilder()
    thread = builder.thread(title="Read while Redis is down", text="The opening post.")
    builder.reply(builder.op(thread), text="A reply that still shows.")
    return thread


def op_id(thread) -> int:
    return ThreadBuilder().op(thread).pk


def test_thread_pages_are_served_uncached_while_the_page_cache_is_down(
    client, thread, redis_down, caplog
):
    for _ in range(2):
        html = client.get(f"/item?id={op_id(thread)}")
        assert html.status_code == 200
        assert "A reply that still shows." in html.content.decode()
    text = client.get(f"/item?id={op_id(thread)}&format=txt")
    assert text.status_code == 200 and "A reply that still shows." in text.content.decode()
    assert "serving uncached" in caplog.text


def test_a_log_in_is_refused_with_503_while_the_limits_cannot_be_counted(client, db, redis_down):
    UserFactory(username="owner")
    response = client.post("/login", {"username": "owner", "password": PASSWORD})
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert PAUSED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_sign_up_is_refused_with_503_and_makes_no_account(client, db, redis_down):
    response = client.post("/signup", {"username": "newcomer", "password": PASSWORD})
    assert response.status_code == 503 and response["Retry-After"]
    assert not User.objects.filter(username="newcomer").exists()


def test_a_reply_is_refused_with_503_and_nothing_is_written(client, thread, redis_down):
    client.force_login(UserFactory(username="writer"))
    before = Comment.objects.count()
    response = client.post("/reply", {"parent": op_id(thread), "text": "Not counted."})
    assert response.status_code == 503 and response["Retry-After"]
    assert PAUSED in response.content.decode()
    assert Comment.objects.count() == before


def test_healthz_names_the_cache_that_is_down(client, settings):
    settings.CACHES = {
        **settings.CACHES,
        "limits": cache_config(
            unreachable_redis(), location="limits", max_entries=300, prefix="forum"
        ),
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode() == "unavailable\ncache default: ok\ncache limits: down\n"


@pytest.fixture
def own_redis():
    server = RedisServer()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def forum_is_up(base: str, op: int, *, expected: int) -> None:
    """A reader, a log-in and a reply through the server, each answering as `expected` says."""
    reader = Visitor(base)
    assert reader.get(f"/item?id={op}").status == 200
    writer = Visitor(base)
    writer.get("/login")
    logged_in = writer.post("/login", {"username": "writer", "password": PASSWORD})
    assert logged_in.status == (302 if expected == 200 else 503)
    health = reader.get("/healthz")
    assert health.status == expected
    if expected == 503:
        assert PAUSED in logged_in.text and int(logged_in.headers["Retry-After"]) > 0
        assert "cache default: down" in health.text and "cache limits: down" in health.text


@pytest.mark.slow
def test_the_forum_rides_out_a_redis_outage_and_recovers_by_itself(gunicorn, own_redis):
    """Through gunicorn on the test database (SQLite, or PostgreSQL with DATABASE_URL)."""
    thread = ThreadBuilder().thread(title="Through an outage", text="Still here.")
    op = op_id(thread)
    env = {"REDIS_URL": own_redis.url, "LIMITS_REDIS_URL": own_redis.url}
    server = gunicorn(workers=1, env={**env, "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    replier = Visitor(server.url)
    replier.get("/signup")  # through the server: it hashes passwords its own way
    replier.post("/signup", {"username": "writer", "password": PASSWORD})
    replier.get(f"/reply?id={op}")
    forum_is_up(server.url, op, expected=200)

    own_redis.stop()
    forum_is_up(server.url, op, expected=503)
    refused = replier.post("/reply", {"parent": op, "text": "During the outage."})
    assert refused.status == 503 and refused.headers["Retry-After"]
    assert not Comment.objects.filter(text="During the outage.").exists()

    own_redis.start()
    # Each process leaves a cache that failed alone for its rest, then tries it again.
    time.sleep(REST_SECONDS)
    forum_is_up(server.url, op, expected=200)
    assert replier.post("/reply", {"parent": op, "text": "After the outage."}).status == 302
    assert Comment.objects.filter(text="After the outage.").exists()
    assert "Internal Server Error" not in server.error_log.read_text()


def test_a_hung_page_cache_is_left_alone_after_its_first_timeout(client, thread, settings):
    with hung_redis() as (url, taken):
        config = cache_config(
            url, location="default", max_entries=300, prefix=settings.CACHE_KEY_PREFIX
        )
        config["OPTIONS"] = {**config["OPTIONS"], "socket_timeout": 0.2}
        settings.CACHES = {**settings.CACHES, "default": config}
        assert client.get(f"/item?id={op_id(thread)}").status_code == 200
        tried = len(taken)
        assert tried >= 1
        for path in ("/", f"/item?id={op_id(thread)}", "/newest"):
            response = client.get(path)
            assert response.status_code == 200
        # Read and written through the cache a dozen times, had it been tried again.
        assert len(taken) == tried


def test_a_hung_limits_store_is_left_alone_after_its_first_timeout(client, thread, settings):
    """Each write and each counted read used to wait out the timeout of a limits Redis that
    hangs, and held a worker while it did."""
    with hung_redis() as (url, taken):
        config = cache_config(url, location="limits", max_entries=300, prefix="hung")
        config["OPTIONS"] = {**config["OPTIONS"], "socket_timeout": 0.2}
        settings.CACHES = {**settings.CACHES, "limits": config}
        client.force_login(UserFactory(username="waiting"))
        first = client.post("/reply", {"parent": op_id(thread), "text": "Counted?"})
        assert first.status_code == 503
        tried = len(taken)
        assert tried >= 1
        for n in range(3):
            again = client.post("/reply", {"parent": op_id(thread), "text": f"Again {n}."})
            assert again.status_code == 503
            assert client.get(f"/v0/item/{op_id(thread)}.json").status_code == 200
        # Asked a dozen times over, had the store been tried again.
        assert len(taken) == tried
