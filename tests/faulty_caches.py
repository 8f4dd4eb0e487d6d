"""Caches that fail, for the tests of what a fault costs: a port where no Redis answers, a
redis-server of the test's own that it stops and starts, and a server that takes connections
and never answers (a Redis that hangs)."""

import contextlib
import socket
import subprocess
import threading
import time

import redis
from django.conf import settings

from forum.environment import cache_config
from tests.servers import free_port

# How long the tests let a cache take to answer: the fault tests measure against it.
SOCKET_TIMEOUT = 0.2
# What a cache in trouble may cost a request: its own timeout (once: it is then left alone),
# and a second.
SLOWEST = SOCKET_TIMEOUT + 1.0


def unreachable_redis() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def redis_cache(url: str, *, location: str) -> dict:
    """A cache at `url`, as production configures one, answering within SOCKET_TIMEOUT."""
    config = cache_config(url, location=location, max_entries=300, prefix=settings.CACHE_KEY_PREFIX)
    options = {"socket_timeout": SOCKET_TIMEOUT, "socket_connect_timeout": SOCKET_TIMEOUT}
    return {**config, "OPTIONS": {**config["OPTIONS"], **options}}


class RedisServer:
    """A redis-server of the test's own, on a port of its own, that it stops and starts."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--save", "", "--daemonize", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 30  # a loaded machine starts it slowly
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@contextlib.contextmanager
def hung_redis():
    """A server that takes connections and never answers, as a Redis that hangs; yields its
    URL and the list of connections it took."""
    listener = socket.create_server(("127.0.0.1", 0))
    taken: list[socket.socket] = []

    def take():
        with contextlib.suppress(OSError):
            while True:
                taken.append(listener.accept()[0])

    threading.Thread(target=take, daemon=True).start()
    try:
        yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0", taken
    finally:
        listener.close()
        for connection in taken:
            connection.close()
