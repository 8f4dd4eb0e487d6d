"""Many writers at once through gunicorn: every accepted reply kept once, no 500, sound trees."""

import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection

from harness.load import Load, measured_run, record
from harness.server import Server, request

pytestmark = pytest.mark.concurrency

ON_POSTGRES = connection.vendor == "postgresql"


def test_concurrent_writers_keep_every_reply_once_and_every_tree_sound(
    load_forum, load_database_url
):
    result = measured_run(load_database_url, load_forum, Load())
    record(f"{connection.vendor}, thread lock on", result)

    assert result["replies_sent"] == 16 * 25
    assert result["replies_accepted"] + result["replies_refused"] == 400
    # Refusals are replies to posts the moderator removed meanwhile; they must be few.
    assert result["replies_accepted"] > 350
    assert result["accepted_stored_once"] == result["replies_accepted"]
    assert result["replies_stored"] == result["replies_accepted"]
    assert result["stored_twice_or_more"] == 0 and result["refused_but_stored"] == 0
    assert result["threads_created"] == 10
    assert result["moderation_done"] == 20
    assert result["status_500"] == result["status_503"] == result["connections_lost"] == 0
    assert result["reads"] == result["reads_ok"] > 0, result["statuses"]
    assert result["invariant_violations"] == 0, result["first_violations"]
    assert result["thread_page_status"] == 200
    assert result["accepted_shown_once_on_page"] == result["replies_accepted"]
    call_command("check_trees")


def test_without_the_thread_lock(load_forum, load_database_url):
    """PostgreSQL breaks without the lock; SQLite's write lock taken at BEGIN still holds it."""
    # A lighter load than the test above: the point is only whether anything breaks.
    result = measured_run(load_database_url, load_forum, Load(replies_each=6), tree_lock=False)
    record(f"{connection.vendor}, thread lock OFF", result)
    failures = result["status_500"] + result["invariant_violations"] + result["accepted_missing"]
    if ON_POSTGRES:
        assert failures > 0, result
    else:
        assert failures == 0, result["first_violations"]
        assert result["replies_stored"] == result["replies_accepted"] > 16 * 6 - 5


def test_a_second_writer_waits_for_the_first_instead_of_failing(load_forum, load_database_url):
    first_parent, second_parent = load_forum.post_ids[10], load_forum.post_ids[20]
    slow = {}

    def hold_the_lock():
        fields = {
            "user": load_forum.writer_ids[0],
            "parent": first_parent,
            "text": "slow",
            "pause": 2,
        }
        slow["status"], _ = request(server.port, "/_bench/reply", fields)

    with Server(load_database_url) as server:
        first = threading.Thread(target=hold_the_lock)
        first.start()
        time.sleep(0.5)
        started = time.monotonic()
        fields = {"user": load_forum.writer_ids[1], "parent": second_parent, "text": "quick"}
        status, body = request(server.port, "/_bench/reply", fields)
        waited = time.monotonic() - started
        first.join()
    assert (slow["status"], status) == (200, 200), body
    assert waited > 1.0
    call_command("check_trees")
