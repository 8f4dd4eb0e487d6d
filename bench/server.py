"""gunicorn for the load test and the browser bench: started on a free loopback port, awaited,
and stopped with its workers; and their data made in a process of its own."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def gunicorn(env: dict, *, workers: int, ports: str, extra: tuple[str, ...] = ()) -> Iterator[str]:
    """The server's base URL while it runs; `ports` is a range such as "18600-18649"."""
    with gunicorn_process(env, workers=workers, ports=ports, extra=extra) as (base, _):
        yield base


@contextmanager
def gunicorn_process(
    env: dict,
    *,
    workers: int,
    ports: str,
    extra: tuple[str, ...] = (),
    prefix: tuple[str, ...] = (),
    preexec=None,
) -> Iterator[tuple[str, int]]:
    """As gunicorn(), with the master's pid; `prefix` runs it under a command (taskset) and
    `preexec` runs in the child before it starts (to join a cgroup)."""
    port = free_port(ports)
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*prefix, sys.executable, "-m", "gunicorn", "forum.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning",
         # An access log line per request would cost the server time and drown the table.
         "--access-logfile", "/dev/null", *extra],
        cwd=ROOT, env=env, start_new_session=True, preexec_fn=preexec,
    )  # fmt: skip
    try:
        wait_for(f"{base}/healthz")
        yield base, server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def free_port(ports: str) -> int:
    first, last = (int(n) for n in ports.split("-"))
    for port in range(first, last + 1):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    sys.exit(f"No free port in {first}-{last}.")


def wait_for(url: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer at {url}")


def set_up(env: dict, module: str) -> dict:
    """What `python -m module setup` prints as JSON, run with the server's settings (`env`):
    the bench's own process never loads Django with them."""
    command = [sys.executable, "-m", module, "setup"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)
