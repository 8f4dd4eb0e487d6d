"""gunicorn serving the forum with the bench endpoints (bench/views.py) on a database given by
its URL, and one HTTP request to it: what the concurrency suite and its report drive."""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """The first free port of FORUM_TEST_PORTS (a range such as 18500-18549)."""
    low, high = (int(p) for p in os.environ.get("FORUM_TEST_PORTS", "18500-18549").split("-"))
    for port in range(low, high + 1):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port between {low} and {high} (FORUM_TEST_PORTS).")


def database_url(settings_dict: dict) -> str:
    """The DATABASE_URL of a Django database, so that gunicorn opens the same one."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    auth = settings_dict["USER"] + (
        f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    )
    return (
        f"postgres://{auth}@{settings_dict['HOST']}:{settings_dict['PORT']}/{settings_dict['NAME']}"
    )


def request(port: int, path: str, fields: dict | None = None) -> tuple[int, str]:
    """GET, or POST when fields are given; status 0 when the connection was lost."""
    connection = HTTPConnection("127.0.0.1", port, timeout=90)
    try:
        if fields is None:
            connection.request("GET", path)
        else:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            connection.request("POST", path, urlencode(fields), headers)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except (OSError, HTTPException):
        return 0, ""
    finally:
        connection.close()


ERROR_LINE = re.compile(r"^(?:[\w.]+\.)?(\w+(?:Error|Exception)): (.*)$", re.MULTILINE)


class Server:
    """gunicorn serving the forum with the bench endpoints, on a database given by its URL."""

    def __init__(self, url: str, *, workers: int = 4, tree_lock: bool = True):
        self.url, self.workers, self.tree_lock = url, workers, tree_lock
        self.log = Path(tempfile.mkstemp(prefix="gunicorn-", suffix=".log")[1])

    def __enter__(self):
        self.port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": self.url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "FORUM_TREE_LOCK": "1" if self.tree_lock else "0",
            "DEBUG": "0",
        }
        command = [
            *(sys.executable, "-m", "gunicorn", "forum.wsgi:application"),
            *("--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers)),
            *("--timeout", "120", "--graceful-timeout", "5", "--backlog", "256"),
        ]
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 60
        # Any answer will do: some tests serve a database that cannot be reached on purpose.
        while request(self.port, "/?format=txt")[0] == 0:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(f"gunicorn did not start:\n{self.log_tail()}")
            time.sleep(0.2)
        return self

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def kill_worker(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def errors_logged(self) -> dict[str, int]:
        """The exceptions the workers logged, by class and the start of their message."""
        found = ERROR_LINE.findall(self.log.read_text(errors="replace"))
        return dict(Counter(f"{name}: {message[:70]}" for name, message in found).most_common())

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if not exc or exc[0] is None:
            self.log.unlink(missing_ok=True)
