"""Cache faults: the errors that mean a cache is out of reach, and a probe of every cache."""

import logging
import time

from django.conf import settings
from django.core.cache import caches
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
