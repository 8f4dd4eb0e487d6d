"""Cache faults: the errors that mean a cache is out of reach, and a probe of every cache."""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends import redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What Django's Redis backend raises when Redis is down, refuses writes (noeviction, full) or
# is too slow to answer; the local-memory cache raises none of these.
CACHE_ERRORS = (RedisError, OSError)


def caches_down() -> list[str]:
    """The aliases of the caches that cannot be written to now, each probed with one write."""
    down = []
    for alias in settings.CACHES:
        try:
            caches[alias].set("healthz", time.time(), timeout=10)
        except CACHE_ERRORS as error:
            logger.warning("cache %r is down: %s", alias, error)
            down.append(alias)
    return down


# A Redis's maxmemory, as each process last read it: asked at most every few minutes.
MAX_MEMORY_SECONDS = 300
_max_memory: dict[str, tuple[float, int | None]] = {}


def max_memory(alias: str) -> int | None:
    """The bytes a Redis cache may hold (its maxmemory); None without Redis or a cap."""
    cache = caches[alias]
    if not isinstance(cache, redis.RedisCache):
        return None
    read_at, known = _max_memory.get(alias, (0.0, None))
    if time.monotonic() - read_at < MAX_MEMORY_SECONDS:
        return known
    try:
        known = cache._cache.get_client(write=False).info("memory").get("maxmemory") or None
    except CACHE_ERRORS:
        known = None
    _max_memory[alias] = (time.monotonic(), known)
    return known
