"""Runs the forum under a real gunicorn against the test database, for tests that need HTTP."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection


def server_database_url() -> str:
    """The URL of the database the tests are using, for a server in another process."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A gunicorn serving the forum, with its access log (worker pid, status, method, path)."""

    def __init__(self, process: subprocess.Popen, url: str, logs: Path):
        self.process = process
        self.url = url
        self.access_log = logs / "access.log"
        self.error_log = logs / "error.log"

    def worker_pids(self, method: str, path: str) -> set[str]:
        """The worker processes that answered such requests."""
        rows = [line.split() for line in self.access_log.read_text().splitlines()]
        return {row[0] for row in rows if row[2:4] == [method, path]}

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


# Set by conftest before each test: only tests marked as starting processes may start one, so
# that `-m "not slow and not browser and not concurrency"` leaves a suite without servers.
PROCESS_MARKERS = ("slow", "browser", "concurrency")
processes_allowed = True


def start(*, logs: Path, workers: int = 2, env: dict[str, str] | None = None) -> Server:
    """Starts gunicorn on the test database (it sees committed data) and waits until it answers."""
    if not processes_allowed:
        raise RuntimeError(f"A test that starts gunicorn must be marked one of {PROCESS_MARKERS}.")
    port = free_port()
    server_env = {
        **os.environ,
        "DATABASE_URL": server_database_url(),
        "DJANGO_SETTINGS_MODULE": "forum.settings",
        **(env or {}),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "forum.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={workers}",
        f"--access-logfile={logs / 'access.log'}",
        "--access-logformat=%(p)s %(s)s %(m)s %(U)s",
        "--error-logfile=-",
    ]
    # A file, not a pipe: a pipe nobody reads would stall the server once full.
    with (logs / "error.log").open("w") as errors:
        process = subprocess.Popen(
            command, cwd=settings.BASE_DIR, env=server_env, stdout=subprocess.DEVNULL, stderr=errors
        )
    server = Server(process, f"http://127.0.0.1:{port}", logs)
    _wait_until_up(server)
    return server


@contextlib.contextmanager
def gunicorn(*, workers: int = 2, env: dict[str, str] | None = None):
    """Yields the base URL of a gunicorn serving the forum; stops it afterwards."""
    with tempfile.TemporaryDirectory() as logs:
        server = start(logs=Path(logs), workers=workers, env=env)
        try:
            yield server.url
        finally:
            server.stop()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {server.error_log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(f"{server.url}/healthz", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 seconds")


@contextlib.contextmanager
def redis_server(*, maxmemory: str = "0"):
    """A redis-server of the test's own on a free port (noeviction, as the limits' Redis is);
    yields its URL and stops it after."""
    port = free_port()
    command = ["redis-server", "--port", str(port), "--save", "", "--maxmemory", maxmemory]
    command += ["--maxmemory-policy", "noeviction", "--daemonize", "no"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30  # a loaded machine starts it slowly
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)
