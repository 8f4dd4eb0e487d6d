"""Shared fixtures: users, threads, a clean cache and the servers the slow tests start."""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import ThreadBuilder, UserFactory

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
PORTS = range(18300, 18350)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    # The rate limits count in the cache: every test starts with none used. A new key prefix
    # gives that without flushing a Redis that others may share.
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Factories hash a password per user; the real hasher would make that the slowest step.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def build(db):
    return ThreadBuilder()


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def database_url_for_servers() -> str:
    """The database the tests write to, as a URL a server process can open."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Server:
    def __init__(self, process: subprocess.Popen, url: str, access_log: Path):
        self.process = process
        self.url = url
        self.access_log = access_log

    def worker_pids(self, method: str, path: str) -> set[str]:
        """The worker processes that answered such requests, from the access log."""
        rows = [line.split() for line in self.access_log.read_text().splitlines()]
        return {row[0] for row in rows if row[2:4] == [method, path]}


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    """Starts gunicorn on the test database; committed data is what it sees."""
    servers = []

    def start(*, workers: int = 2, redis: bool = False) -> Server:
        port = free_port()
        access_log = tmp_path / f"access-{port}.log"
        error_log = tmp_path / f"error-{port}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url_for_servers(),
            "FORUM_ENV": "development",
            "DEBUG": "0",
            "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        }
        env.pop("REDIS_URL", None)
        if redis:
            env["REDIS_URL"] = REDIS_URL
        with error_log.open("w") as errors:
            process = _spawn(port, workers, access_log, errors, env)
        server = Server(process, f"http://127.0.0.1:{port}", access_log)
        servers.append(server)
        _wait_for(port, process, error_log)
        return server

    yield start
    for server in servers:
        server.process.terminate()
        server.process.wait(timeout=30)


def _spawn(port: int, workers: int, access_log: Path, errors, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(GUNICORN),
            "forum.wsgi",
            f"--bind=127.0.0.1:{port}",
            f"--workers={workers}",
            f"--access-logfile={access_log}",
            "--access-logformat=%(p)s %(s)s %(m)s %(U)s",
            "--error-logfile=-",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        # A file, not a pipe: a pipe nobody reads would stall the server once full.
        stderr=errors,
    )


def _wait_for(port: int, process: subprocess.Popen, error_log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {error_log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("gunicorn did not start within 30 seconds")


def pytest_collection_modifyitems(config, items):
    # Tests marked postgresql exercise PostgreSQL itself (restarting it): on SQLite there is
    # nothing for them to test, so they are deselected there and run in CI's PostgreSQL pass.
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def pytest_terminal_summary(terminalreporter):
    from bench.concurrency import RECORDED, summary_line

    if RECORDED:
        terminalreporter.section("concurrency figures")
        for label, figures in RECORDED:
            terminalreporter.write_line(summary_line(label, figures))
