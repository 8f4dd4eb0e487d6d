"""/healthz answers without the database, for load balancers and container healthchecks."""

import uuid

import pytest
import redis

from tests.servers import redis_server


def test_healthz_answers_ok_and_names_every_cache_without_the_database(client):
    # No database fixture: pytest-django fails any query made here.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode() == "ok\ncache default: ok\ncache limits: ok\n"


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


def fill_local_limits(settings, share: float) -> None:
    from django.core.cache import caches

    # A local-memory cache of its own: one LOCATION is shared by every test of the process.
    settings.CACHES = {
        **settings.CACHES,
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"limits-{uuid.uuid4().hex}",
            "OPTIONS": {"MAX_ENTRIES": 100},
        },
    }
    caches["limits"].set_many({f"filler{n}": n for n in range(int(100 * share))})


def test_healthz_says_when_the_limits_store_is_nearly_full_before_it_refuses_anyone(
    client, settings
):
    fill_local_limits(settings, 0.85)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode() == (
        "warning\ncache default: ok\ncache limits: nearly full (86% used)\n"
    )


def test_healthz_says_nothing_of_a_limits_store_with_room(client, settings):
    fill_local_limits(settings, 0.5)
    assert client.get("/healthz").content.decode() == ("ok\ncache default: ok\ncache limits: ok\n")


@pytest.mark.slow
def test_healthz_reads_how_full_a_limits_redis_is_from_its_maxmemory(client, settings):
    from forum.environment import cache_config

    with redis_server(maxmemory="4mb") as url:
        settings.CACHES = {
            **settings.CACHES,
            "limits": cache_config(
                url, location="limits", max_entries=0, prefix=settings.CACHE_KEY_PREFIX
            ),
        }
        assert client.get("/healthz").content.decode().endswith("cache limits: ok\n")
        filler = redis.Redis.from_url(url)
        n = 0
        while filler.info("memory")["used_memory"] < 0.85 * 4 * 1024 * 1024:
            filler.set(f"filler{n}", "x" * 1000)
            n += 1
        response = client.get("/healthz")
        lines = response.content.decode().splitlines()
        assert lines[0] == "warning" and lines[2].startswith("cache limits: nearly full (")
        assert response.status_code == 200
