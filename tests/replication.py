"""A PostgreSQL primary and a streaming replica of it, made with Debian's initdb and
pg_basebackup -R under a temporary directory, on ports of their own: tests that stop and pause
databases use these, never the machine's shared PostgreSQL."""

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.servers import free_port

BINARIES = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
BIN = BINARIES[-1] if BINARIES else None
DATABASE = "forum"


def _as_postgres() -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(*command: str) -> None:
    subprocess.run([*_as_postgres(), *command], check=True, capture_output=True, text=True)


@dataclass
class Cluster:
    """One PostgreSQL server: its data directory and port."""

    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def start(self) -> None:
        _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.data / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        _run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def sql(self, query: str, database: str = DATABASE):
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname={database}", autocommit=True
        ) as connection:
            rows = connection.execute(query)
            return rows.fetchall() if rows.description else None

    def configure(self, **settings: str) -> None:
        lines = [f"{name} = {value}" for name, value in settings.items()]
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n" + "\n".join(lines) + "\n")


@contextlib.contextmanager
def primary_and_replica():
    """Yields (primary, replica), both running, the replica streaming from the primary and
    open for reads; the database `forum` exists on both. Stops and deletes them after."""
    work = Path(tempfile.mkdtemp(prefix="forum-replication-"))
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        os.chown(work, postgres.pw_uid, postgres.pw_gid)
    primary = Cluster(work / "primary", free_port())
    replica = Cluster(work / "replica", free_port())
    started = []
    try:
        _run(
            str(BIN / "initdb"),
            "-D",
            str(primary.data),
            "-U",
            "postgres",
            "--auth=trust",
            "--no-sync",
        )
        primary.configure(
            port=str(primary.port),
            listen_addresses="'127.0.0.1'",
            unix_socket_directories=f"'{work}'",
            wal_level="replica",
            max_wal_senders="5",
            fsync="off",
            full_page_writes="off",
        )
        primary.start()
        started.append(primary)
        primary.sql(f"CREATE DATABASE {DATABASE}", database="postgres")
        _run(
            str(BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(replica.data),
            "-R",
            "-X",
            "stream",
        )
        # As a replica serving reads should: the primary keeps the rows its queries still read,
        # so replay never cancels them.
        replica.configure(port=str(replica.port), hot_standby="on", hot_standby_feedback="on")
        replica.start()
        started.append(replica)
        yield primary, replica
    finally:
        for cluster in reversed(started):
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.stop("immediate")
        shutil.rmtree(work, ignore_errors=True)


def wait_until(condition, *, seconds: float = 20, every: float = 0.1) -> float:
    """Waits until condition() is true; returns how long it took. Fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > seconds:
            raise AssertionError(f"not true within {seconds} s: {condition}")
        time.sleep(every)
    return time.monotonic() - started
