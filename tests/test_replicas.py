"""Beyond one machine: a PostgreSQL primary and a streaming replica of their own, two gunicorn
app servers reading from the replica, nginx in front; the replica held back or stopped, the
primary stopped, an app server killed, under load from a bounded client."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from forum.replicas import CHECK_EVERY, position_number
from harness import nginx
from tests import servers
from tests.replication import BIN, primary_and_replica, wait_until
from tests.visitor import Visitor

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgresql,
    pytest.mark.skipif(BIN is None, reason="PostgreSQL's binaries are not installed"),
    pytest.mark.skipif(nginx.NGINX is None, reason="nginx is not installed"),
]

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple"
THREADS = 20
READ_ONLY_LINE = "The forum is read-only for now"

SETUP = """
from forum.accounts.models import User
from threads.services.posting import thread_create
member = User.objects.create_user("member", password={password!r})
User.objects.create_user("second", password={password!r})
ids = [thread_create(author=member, title=f"Thread {{n}}").op_id for n in range({threads})]
print(ids)
"""


class Site:
    """The forum as a reader reaches it: nginx in front of two app servers."""

    def __init__(self, primary, replica, app_servers, proxy_url, op_ids, work):
        self.primary = primary
        self.replica = replica
        self.app_servers = app_servers
        self.url = proxy_url
        self.op_ids = op_ids
        self.work = work

    def member(self, name: str = "member") -> Visitor:
        visitor = Visitor(self.url)
        visitor.get("/login")
        answer = visitor.post("/login", {"username": name, "password": PASSWORD})
        assert answer.status == 302, answer.text[:500]
        visitor.get("/submit")  # the CSRF token a log-in renews
        return visitor

    def health(self, server) -> str:
        with urllib.request.urlopen(f"{server.url}/healthz", timeout=10) as answer:
            return answer.read().decode()

    def stored(self, text: str) -> int:
        rows = self.primary.sql(f"SELECT count(*) FROM threads_comment WHERE text = '{text}'")
        return rows[0][0]


def _manage(database_url: str, *args: str) -> str:
    environment = {**os.environ, "DATABASE_URL": database_url, "DATABASE_REPLICA_URLS": ""}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    servers.processes_allowed = True
    work = tmp_path_factory.mktemp("scale")
    with primary_and_replica() as (primary, replica):
        _manage(primary.url, "migrate", "--no-input", "-v", "0")
        code = SETUP.format(password=PASSWORD, threads=THREADS)
        op_ids = json.loads(_manage(primary.url, "shell", "-c", code).strip().splitlines()[-1])
        prefix = f"test-{uuid.uuid4().hex}"
        env = {
            "FORUM_ENV": "development",
            "DATABASE_URL": primary.url,
            "DATABASE_REPLICA_URLS": replica.url,
            "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
            "LIMITS_REDIS_URL": "",
            "CACHE_KEY_PREFIX": prefix,
            "FORUM_PROXY_COUNT": "1",
            "FORUM_COMMENTS_PER_MINUTE": "100000",
        }
        app_servers = []
        for number in range(2):
            logs = work / f"app-{number}"
            logs.mkdir()
            app_servers.append(servers.start(logs=logs, workers=2, env=env))
        static_root = nginx.collect_static(work / "static")
        port = servers.free_port()
        conf = nginx.render_config(
            work,
            NGINX_LISTEN=f"127.0.0.1:{port}",
            FORUM_UPSTREAM=" ".join(s.url.removeprefix("http://") for s in app_servers),
            FORUM_STATIC_ROOT=str(static_root),
        )
        try:
            with nginx.running_nginx(work, conf, port):
                yield Site(primary, replica, app_servers, f"http://127.0.0.1:{port}", op_ids, work)
        finally:
            for server in app_servers:
                if server.process.poll() is None:
                    server.stop()


def _reply(visitor: Visitor, op_id: int, text: str):
    return visitor.post(f"/reply?id={op_id}", {"parent": op_id, "text": text})


def _caught_up(site) -> bool:
    written = site.primary.sql("SELECT pg_current_wal_lsn()::text")[0][0]
    replayed = site.replica.sql("SELECT pg_last_wal_replay_lsn()::text")[0][0]
    return position_number(replayed) >= position_number(written)


def test_a_writer_reads_their_post_on_the_next_request_while_the_replica_is_held_back(site):
    member = site.member()
    wait_until(lambda: _caught_up(site))
    site.replica.sql("SELECT pg_wal_replay_pause()")
    try:
        first = f"held-{uuid.uuid4().hex}"
        assert _reply(member, site.op_ids[0], first).status == 302
        # A reader with no write of their own is served by the replica, within the lag bound.
        anonymous = Visitor(site.url).get(f"/item?id={site.op_ids[0]}")
        assert anonymous.status == 200 and first not in anonymous.text
        seen = 0
        for number in range(1000):
            op_id = site.op_ids[number % THREADS]
            text = f"mine-{number}-{uuid.uuid4().hex[:8]}"
            posted = _reply(member, op_id, text)
            assert posted.status == 302, posted.text[:300]
            page = member.get(posted.location)
            seen += page.status == 200 and text in page.text
        assert seen == 1000
        assert (
            site.replica.sql("SELECT count(*) FROM threads_comment WHERE text LIKE 'mine-%'")[0][0]
            == 0
        )
    finally:
        site.replica.sql("SELECT pg_wal_replay_resume()")


class Reader(threading.Thread):
    """A bounded client reading pages through nginx until told to stop."""

    def __init__(self, site, paths):
        super().__init__(daemon=True)
        self.site, self.paths = site, paths
        self.answers: list[tuple[float, int]] = []
        self.done = threading.Event()

    def run(self):
        visitor = Visitor(self.site.url)
        deadline = time.monotonic() + 120
        while not self.done.is_set() and time.monotonic() < deadline:
            for path in self.paths:
                self.answers.append((time.monotonic(), visitor.get(path).status))
            time.sleep(0.01)

    def stop(self) -> list[tuple[float, int]]:
        self.done.set()
        self.join(timeout=60)
        return self.answers


def _queries(server, database: str) -> float:
    with urllib.request.urlopen(f"{server.url}/metrics", timeout=10) as answer:
        text = answer.read().decode()
    pattern = rf'^forum_database_queries_total\{{database="{database}"\}} (\S+)$'
    return float(match.group(1)) if (match := re.search(pattern, text, re.M)) else 0.0


def test_reads_move_to_the_primary_when_the_replica_stops_and_back_when_it_returns(site):
    reader = Reader(site, ["/", f"/item?id={site.op_ids[1]}", "/newest?format=txt"])
    reader.start()
    time.sleep(1)
    stopped_at = time.monotonic()
    site.replica.stop("immediate")
    try:
        for server in site.app_servers:
            wait_until(lambda s=server: "database replica0: down" in site.health(s), seconds=5)
        assert time.monotonic() - stopped_at < 3
        primary_before = _queries(site.app_servers[0], "default")
        time.sleep(1.5)
        assert _queries(site.app_servers[0], "default") > primary_before
    finally:
        site.replica.start()
    for server in site.app_servers:
        wait_until(lambda s=server: "database replica0: ok" in site.health(s), seconds=20)
    replica_before = _queries(site.app_servers[0], "replica0")
    wait_until(lambda: _queries(site.app_servers[0], "replica0") > replica_before, seconds=10)
    answers = reader.stop()
    statuses = {status for _, status in answers}
    assert statuses == {200}, [a for a in answers if a[1] != 200][:5]
    assert any(at > stopped_at for at, _ in answers)


def test_the_forum_turns_read_only_while_the_primary_is_down_and_writes_resume_by_themselves(
    site,
):
    member = site.member("second")
    site.primary.stop("immediate")
    try:
        for server in site.app_servers:
            wait_until(lambda s=server: "read-only" in site.health(s), seconds=10)
        time.sleep(CHECK_EVERY)  # every worker has asked again since
        # order=tree is a member's choice the page remembers: in the cookie alone meanwhile.
        paths = ["/", f"/item?id={site.op_ids[2]}", f"/item?id={site.op_ids[2]}&order=tree"]
        for path in [*paths, "/newest", "/login"]:
            for visitor in (Visitor(site.url), member):
                page = visitor.get(path)
                assert page.status == 200, (path, page.status, page.text[:300])
                assert READ_ONLY_LINE in page.text
        inbox = member.get("/replies")
        assert inbox.status == 200 and READ_ONLY_LINE in inbox.text
        draft = f"kept-{uuid.uuid4().hex}"
        refused = _reply(member, site.op_ids[2], draft)
        assert refused.status == 503
        assert "read-only for now" in refused.text and draft in refused.text
        assert member.post(f"/vote?id={site.op_ids[2]}&how=up", {}).status == 503
        assert Visitor(site.url).post("/login", {"username": "member"}).status == 503
        assert Visitor(site.url).post("/signup", {"username": "newcomer"}).status == 503
        health = site.health(site.app_servers[0])
        assert "database primary: down" in health and "database replica0: ok" in health
    finally:
        site.primary.start()
    text = f"after-{uuid.uuid4().hex}"
    wait_until(lambda: _reply(member, site.op_ids[2], text).status == 302, seconds=20, every=0.5)
    assert site.stored(text) == 1
    page = member.get(f"/item?id={site.op_ids[2]}")
    assert READ_ONLY_LINE not in page.text
    assert text in page.text, page.text[page.text.find("<main>") : page.text.find("<main>") + 3000]


def _kill(server) -> None:
    workers = subprocess.run(
        ["pgrep", "-P", str(server.process.pid)], capture_output=True, text=True
    ).stdout.split()
    for pid in [*workers, str(server.process.pid)]:
        os.kill(int(pid), signal.SIGKILL)
    server.process.wait(timeout=10)


def test_an_app_server_killed_fails_no_read_and_applies_no_write_twice(site):
    reader = Reader(site, ["/", f"/item?id={site.op_ids[3]}", "/best"])
    reader.start()
    member = site.member()
    posted: list[tuple[str, int]] = []
    started = time.monotonic()
    killed = False
    while time.monotonic() - started < 8:
        text = f"during-{len(posted)}-{uuid.uuid4().hex[:8]}"
        posted.append((text, _reply(member, site.op_ids[3], text).status))
        if not killed and time.monotonic() - started > 2:
            _kill(site.app_servers[0])
            killed = True
    answers = reader.stop()
    assert killed and {status for _, status in answers} == {200}
    for text, status in posted:
        stored = site.stored(text)
        assert stored <= 1, text  # never applied twice
        if status == 302:
            assert stored == 1, text  # what was answered as done is there
    _manage(site.primary.url, "check_trees")  # exits 1, failing the test, on a broken tree
