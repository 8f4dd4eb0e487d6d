"""Settings for `make bench`: the forum's own, plus the django-mptt page it is measured against."""

from forum.settings import *  # noqa: F403
from forum.settings import BASE_DIR, TEMPLATES

DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], BASE_DIR / "bench" / "templates"]
# Every cold measurement clears the cache: keep it in this process, away from a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False}
