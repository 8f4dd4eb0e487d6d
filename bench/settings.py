"""Settings for the bench and load harnesses: the forum's own plus their extra pages."""

from forum.settings import *  # noqa: F403
from forum.settings import ALLOWED_HOSTS, BASE_DIR, TEMPLATES

DEBUG = False
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# /_bench/ write endpoints for the concurrency harness, /bench/usual for the page benchmark.
ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# Every cold measurement clears the cache: keep it in this process, away from a shared Redis.
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": alias}
    for alias in ("default", "limits")
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
