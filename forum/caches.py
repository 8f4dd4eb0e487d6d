"""Cache faults: the errors that mean a cache is out of reach, and a probe of every cache."""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends import redis
from django.core.signals import setting_changed
from django.dispatch import receiver
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

REST_SECONDS = 5.0


class Resting:
    """A cache left alone a while after it fails: a Redis that hangs then costs one request its
    timeout every REST_SECONDS in each process, rather than every request one or several."""

    every: list["Resting"] = []

    def __init__(self):
        self.until = 0.0
        Resting.every.append(self)

    def now(self) -> bool:
        return time.monotonic() < self.until

    def failed(self) -> None:
        self.until = time.monotonic() + REST_SECONDS


@receiver(setting_changed)
def _caches_configured(*, setting: str, **kwargs) -> None:
    """Caches configured anew are tried at once."""
    if setting == "CACHES":
        for resting in Resting.every:
            resting.until = 0.0


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
