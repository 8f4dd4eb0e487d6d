"""The forum's settings plus the bench's write endpoints: for load tests, never for serving."""

from forum.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
