"""Faults under traffic: a gunicorn worker killed mid-write, PostgreSQL restarted mid-traffic."""

import subprocess
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection, connections

from harness.load import Load, Outcomes, figures, record, run_load
from harness.server import Server, request
from threads.models import Comment

pytestmark = pytest.mark.concurrency


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_workers_killed_mid_stream_leave_no_half_written_post(load_forum, load_database_url):
    load = Load(writers=8, replies_each=15, thread_creators=0, moves=0, removals=0, readers=1)
    outcomes = Outcomes()
    paused = {}
    with Server(load_database_url) as server:
        started = time.monotonic()
        stream = threading.Thread(target=run_load, args=(server.port, load_forum, load, outcomes))
        stream.start()
        wait_for(lambda: len(outcomes.replies) >= 10)
        server.kill_worker(server.worker_pids()[0])

        def paused_write():
            # Writes its post, then holds its transaction open for 5 seconds.
            fields = {
                "user": load_forum.writer_ids[0],
                "parent": load_forum.op_id,
                "text": "held open",
            }
            paused["status"], _ = request(server.port, "/_bench/reply", {**fields, "pause": 5})

        holder = threading.Thread(target=paused_write)
        holder.start()
        time.sleep(1.5)
        for pid in server.worker_pids():
            server.kill_worker(pid)
        killed_at = time.monotonic()
        holder.join()
        stream.join()
        result = figures(server.port, load_forum, outcomes, time.monotonic() - started)
    record(f"{connection.vendor}, workers killed mid-stream", result)

    assert paused["status"] == 0
    assert not Comment.objects.filter(text="held open").exists()
    assert result["connections_lost"] >= 1 and result["status_500"] == 0
    assert result["accepted_stored_once"] == result["replies_accepted"]
    assert result["stored_twice_or_more"] == 0
    assert result["invariant_violations"] == 0, result["first_violations"]
    recovered = [t for _, status, t, _ in outcomes.replies if status == 200 and t > killed_at]
    assert recovered, "no reply was accepted after the workers were killed"
    call_command("check_trees")


@pytest.mark.postgresql
def test_the_forum_recovers_by_itself_after_a_postgresql_restart(load_forum, load_database_url):
    version = connection.pg_version // 10000
    restart = ["pg_ctlcluster", "--skip-systemctl-redirect", str(version), "main", "restart"]
    outcomes = Outcomes()
    done = threading.Event()

    def reader(path):
        while not done.is_set():
            outcomes.add("reads", path, *request(server.port, path))
            done.wait(0.02)

    def writer(index):
        n = 0
        while not done.is_set():
            text = f"reply-during-restart-{index}-{n}."
            fields = {
                "user": load_forum.writer_ids[index],
                "parent": load_forum.post_ids[n],
                "text": text,
            }
            outcomes.add("replies", text, *request(server.port, "/_bench/reply", fields))
            n += 1
            done.wait(0.1)

    with Server(load_database_url) as server:
        clients = [
            threading.Thread(target=reader, args=(path,))
            for path in ("/", f"/item?id={load_forum.post_ids[5]}", "/newest?format=txt")
        ]
        clients += [threading.Thread(target=writer, args=(n,)) for n in range(2)]
        started = time.monotonic()
        for client in clients:
            client.start()
        time.sleep(2)
        subprocess.run(restart, check=True, capture_output=True, timeout=60)
        restarted_at = time.monotonic()
        time.sleep(8)
        done.set()
        for client in clients:
            client.join()
        connections.close_all()
        result = figures(server.port, load_forum, outcomes, time.monotonic() - started)
    record("postgresql, restarted during traffic", result)

    every = outcomes.reads + outcomes.replies
    unavailable = [(path, body) for path, status, _, body in every if status == 503]
    assert unavailable, "the restart cost no request: it was not under traffic"
    for path, body in unavailable:
        assert "try again in a moment" in body
        if "format=txt" not in path and "/_bench/" not in path:
            assert "<h1>Database unavailable</h1>" in body
    assert result["status_500"] == 0
    settled = [status for _, status, t, _ in every if t > restarted_at + 3]
    assert settled and set(settled) == {200}
    assert result["accepted_stored_once"] == result["replies_accepted"] > 0
    assert result["invariant_violations"] == 0, result["first_violations"]
    call_command("check_trees")


@pytest.mark.slow
@pytest.mark.parametrize(
    "unreachable",
    [
        "sqlite:////nonexistent-directory/load_forum.sqlite3",
        "postgres://postgres@127.0.0.1:1/forum",
    ],
    ids=["sqlite", "postgresql"],
)
def test_a_database_that_cannot_be_reached_gives_a_readable_503(unreachable):
    with Server(unreachable, workers=1) as server:
        html_status, html = request(server.port, "/")
        text_status, text = request(server.port, "/newest?format=txt")
    assert (html_status, text_status) == (503, 503)
    assert "<h1>Database unavailable</h1>" in html
    assert "Please try again in a moment." in html
    assert text == "The database is not answering right now. Please try again in a moment.\n"
