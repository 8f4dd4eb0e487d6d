"""Settings for `make loadtest`: the forum's own, caches and all, plus the trivial view."""

from forum.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load_urls"
