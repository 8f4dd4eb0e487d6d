"""Cached lists and logged-in pages: every write shows at once, to every reader, and a page kept
for logged-in readers never carries another reader's name, votes or tokens."""

import gzip
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.accounts.models import User
from tests.factories import ThreadBuilder, UserFactory
from threads.models import Comment, Thread
from threads.services.bans import user_ban
from threads.services.keeping import thread_hide, thread_unhide
from threads.services.moderation import (
    comment_remove,
    thread_lock,
    thread_pin,
    thread_remove,
    thread_restore,
    thread_retitle,
)
from threads.services.posting import comment_delete, comment_edit, comment_reply, thread_create
from threads.services.votes import comment_vote


@dataclass
class Scene:
    """A thread with one reply, its author, a moderator and a member who writes."""

    thread: Thread
    op: Comment
    reply: Comment
    mod: User
    writer: User


def _scene(build: ThreadBuilder) -> Scene:
    author = UserFactory(username="opener")
    thread = build.thread(title="Watched thread", author=author, url="https://example.com/a")
    op = build.op(thread)
    reply = build.reply(op, text="first reply words", author=UserFactory(username="replier"))
    return Scene(thread, op, reply, UserFactory(is_staff=True), UserFactory(username="writer"))


def _remove_thread(s: Scene):
    thread_remove(thread_id=s.thread.pk, moderator=s.mod, reason="spam")


# Each write that changes a list: (the list, the write, what the list shows after it, what
# it no longer shows). The setup, when there is one, runs before the list is first read.
LIST_WRITES = {
    "a new thread": (
        "/newest",
        None,
        lambda s: thread_create(author=s.writer, title="Fresh news"),
        "Fresh news",
        None,
    ),
    "a new thread, on its author's submissions": (
        "/submitted?id=writer",
        None,
        lambda s: thread_create(author=s.writer, title="Writers own"),
        "Writers own",
        None,
    ),
    "a new thread, on its site's list": (
        "/from?site=example.com",
        None,
        lambda s: thread_create(
            author=s.writer, title="Also from there", url="https://example.com/b"
        ),
        "Also from there",
        None,
    ),
    "a reply, in the thread's count": (
        "/",
        None,
        lambda s: comment_reply(parent_id=s.op.pk, author=s.writer, text="more"),
        "2 comments",
        "1 comment<",
    ),
    "a reply, on the newest comments": (
        "/newcomments",
        None,
        lambda s: comment_reply(parent_id=s.op.pk, author=s.writer, text="brand new"),
        "brand new",
        None,
    ),
    "a reply, on its author's comments": (
        "/threads?id=writer",
        None,
        lambda s: comment_reply(parent_id=s.op.pk, author=s.writer, text="by writer"),
        "by writer",
        None,
    ),
    "an edit": (
        "/newcomments",
        None,
        lambda s: comment_edit(comment_id=s.reply.pk, editor=s.reply.author, text="edited words"),
        "edited words",
        "first reply words",
    ),
    "a deletion": (
        "/",
        None,
        lambda s: comment_delete(comment_id=s.reply.pk, user=s.reply.author),
        "0 comments",
        "1 comment<",
    ),
    "a vote": (
        "/best",
        None,
        lambda s: comment_vote(comment_id=s.op.pk, user=s.writer, direction="up"),
        "2 points",
        "1 point<",
    ),
    "a comment removed": (
        "/newcomments",
        None,
        lambda s: comment_remove(comment_id=s.reply.pk, moderator=s.mod, reason="spam"),
        None,
        "first reply words",
    ),
    "a ban that removes posts": (
        "/threads?id=replier",
        None,
        lambda s: user_ban(user=s.reply.author, moderator=s.mod, reason="spam", remove_posts=True),
        None,
        "first reply words",
    ),
    "a lock": (
        "/",
        None,
        lambda s: thread_lock(thread_id=s.thread.pk, moderator=s.mod),
        "| locked",
        None,
    ),
    "a pin": (
        "/newest",
        None,
        lambda s: thread_pin(thread_id=s.thread.pk, moderator=s.mod),
        "| pinned",
        None,
    ),
    "a new title": (
        "/",
        None,
        lambda s: thread_retitle(
            thread_id=s.thread.pk, moderator=s.mod, title="Clearer title", reason="clearer"
        ),
        "Clearer title",
        "Watched thread",
    ),
    "a thread removed": ("/", None, _remove_thread, None, "Watched thread"),
    "a thread restored": (
        "/",
        _remove_thread,
        lambda s: thread_restore(thread_id=s.thread.pk, moderator=s.mod),
        "Watched thread",
        None,
    ),
}


@pytest.mark.parametrize("change", LIST_WRITES)
def test_every_write_that_changes_a_list_shows_on_the_next_request(db, build, change):
    path, setup, write, shown, gone = LIST_WRITES[change]
    scene = _scene(build)
    if setup:
        setup(scene)
    anonymous, member, staff = Client(), Client(), Client()
    member.force_login(UserFactory(username="reader"))
    staff.force_login(scene.mod)
    readers = (anonymous, member, staff)
    before = [_page(reader, path) for reader in readers]
    again = [_page(reader, path) for reader in readers]  # now from the cache
    assert list(map(_untokened, again)) == list(map(_untokened, before))
    write(scene)
    for earlier, reader in zip(before, readers, strict=True):
        after = _page(reader, path)
        if shown:
            assert shown not in earlier and shown in after
        if gone:
            assert gone in earlier and gone not in after


def _page(client: Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_hidden_thread_leaves_the_readers_cached_list_and_comes_back(db, build):
    scene = _scene(build)
    member, other = Client(), Client()
    member.force_login(scene.writer)
    other.force_login(UserFactory())
    assert "Watched thread" in _page(member, "/") and "Watched thread" in _page(other, "/")
    thread_hide(user=scene.writer, op_id=scene.op.pk)
    assert "Watched thread" not in _page(member, "/")
    assert "Watched thread" in _page(other, "/") and "Watched thread" in _page(Client(), "/")
    thread_unhide(user=scene.writer, op_id=scene.op.pk)
    assert "Watched thread" in _page(member, "/")


def _front_page_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_front_page_from_the_cache_costs_a_constant_few_queries(db, build):
    member = Client()
    member.force_login(UserFactory())
    for n in range(3):
        build.thread(title=f"few {n}")
    _front_page_queries(Client()), _front_page_queries(member)
    few = (_front_page_queries(Client()), _front_page_queries(member))
    for n in range(40):
        build.thread(title=f"many {n}")
    _front_page_queries(Client()), _front_page_queries(member)
    many = (_front_page_queries(Client()), _front_page_queries(member))
    # Anonymous: the lists' stamp. Logged in: the session, the user and the lists' stamp.
    assert few == many == (1, 3)


def test_a_page_kept_for_logged_in_readers_carries_nothing_of_another(db, build):
    scene = _scene(build)
    mine = build.reply(scene.op, text="alice's own words", author=UserFactory(username="alice"))
    alice, bob = Client(), Client()
    alice.force_login(mine.author)
    bob.force_login(UserFactory(username="bob"))
    comment_vote(comment_id=scene.reply.pk, user=mine.author, direction="up")
    thread_path = f"/item?id={scene.op.pk}"
    for path in ("/", "/newest", thread_path):
        seen_by_alice = _page(alice, path)
        seen_by_bob = _page(bob, path)
        assert ">alice</a> (" in seen_by_alice and ">bob</a> (" in seen_by_bob
        assert ">alice</a> (" not in seen_by_bob and ">bob</a> (" not in seen_by_alice
        assert _tokens(seen_by_alice).isdisjoint(_tokens(seen_by_bob))
        assert _viewer(seen_by_bob)["voted"] == ""
        assert _viewer(seen_by_bob)["own"] == ""
    assert f"{scene.reply.pk}:1" in _viewer(_page(alice, thread_path))["voted"]
    assert str(mine.pk) in _viewer(_page(alice, thread_path))["own"]


def _untokened(page: str) -> str:
    """The page less its CSRF token (masked afresh for every page) and one-time form key."""
    return re.sub(r'name="(csrfmiddlewaretoken|form_key)" value="[^"]+"', "", page)


def _tokens(page: str) -> set[str]:
    """The CSRF tokens and one-time form keys in a page."""
    return set(re.findall(r'name="(?:csrfmiddlewaretoken|form_key)" value="([^"]+)"', page))


def _viewer(page: str) -> dict[str, str]:
    element = re.search(r'<div id="viewer"[^>]*>', page).group(0)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', element))


def test_a_logged_in_readers_forms_work_with_the_token_of_the_kept_page(db, build):
    scene = _scene(build)
    for name in ("carol", "dan"):
        reader = Client(enforce_csrf_checks=True)
        reader.force_login(UserFactory(username=name))
        page = _page(reader, f"/item?id={scene.op.pk}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        key = re.search(r'name="form_key" value="([^"]+)"', page).group(1)
        fields = {"csrfmiddlewaretoken": token, "form_key": key, "text": f"{name} was here"}
        fields |= {"parent": scene.op.pk, "thread": scene.thread.pk}
        response = reader.post(f"/reply?id={scene.op.pk}", fields)
        assert response.status_code == 302
    texts = set(Comment.objects.filter(tree_id=scene.thread.pk).values_list("text", flat=True))
    assert {"carol was here", "dan was here"} <= texts


def test_one_readers_query_does_not_reach_the_next_readers_page(db, build):
    scene = _scene(build)
    alice, bob = Client(), Client()
    alice.force_login(UserFactory(username="alice"))
    bob.force_login(UserFactory(username="bob"))
    for path, junk in (("/", "?utm=alicejunk"), (f"/item?id={scene.op.pk}", "&utm=alicejunk")):
        _page(alice, path + junk)  # the first reader draws the page kept for both
        assert "alicejunk" not in _page(bob, path)


def test_a_logged_in_page_is_sent_gzipped_whole_and_sound(db, build):
    scene = _scene(build)
    reader = Client()
    reader.force_login(UserFactory(username="gina"))
    for path in ("/", f"/item?id={scene.op.pk}"):
        plain = _page(reader, path)
        response = reader.get(path, headers={"accept-encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip"
        # gzip checks the length and CRC the page was sent with.
        unpacked = gzip.decompress(response.content).decode()
        assert _untokened(unpacked) == _untokened(plain)
        assert ">gina</a> (" in unpacked


@pytest.mark.parametrize("path", ["/", "/newest", "/best", "/from?site=example.com"])
def test_a_readers_hidden_threads_stay_out_of_the_text_list_others_are_served(db, build, path):
    # The text form is shared by every reader: the first to draw it must not draw it as their
    # own list, less the threads they hid, for anonymous readers and other members to be served.
    scene = _scene(build)
    hider, other = Client(), Client()
    hider.force_login(scene.writer)
    other.force_login(UserFactory())
    thread_hide(user=scene.writer, op_id=scene.op.pk)
    text = f"{path}{'&' if '?' in path else '?'}format=txt"
    assert "Watched thread" not in _page(hider, text)  # drawn first, by the reader who hid it
    assert "Watched thread" in _page(Client(), text)
    assert "Watched thread" in _page(other, text)


@pytest.mark.parametrize("path", ["/", "/newest"])
def test_a_hidden_thread_stays_out_of_its_readers_text_list(db, build, path):
    # Before lists were kept, a reader's text list left out the threads they hid, as the HTML
    # list still does: a text list drawn for someone else first must not bring them back.
    scene = _scene(build)
    hider = Client()
    hider.force_login(scene.writer)
    thread_hide(user=scene.writer, op_id=scene.op.pk)
    assert "Watched thread" in _page(Client(), f"{path}?format=txt")  # an anonymous reader first
    assert "Watched thread" not in _page(hider, path)
    assert "Watched thread" not in _page(hider, f"{path}?format=txt")


@pytest.mark.postgresql
def test_a_list_read_between_two_writes_with_one_stamp_is_left_behind_under_a_long_writer(
    transactional_db, build
):
    # Two writes at once may take the same lists stamp; the transactions in progress, part of
    # the stamp, leave behind a list read between their commits, even while an older
    # transaction still writes (a long import, a bulk moderation).
    import psycopg

    scene = _scene(build)
    params = connection.get_connection_params()
    older, second = psycopg.connect(**params), psycopg.connect(**params)
    try:
        older.execute("SELECT txid_current()")  # a transaction that has written, still open
        second.execute(  # a retitle in flight, stamped as thread_touch does
            "UPDATE threads_thread SET title = 'Renamed in flight', version = version + 1,"
            " lists_stamp = (SELECT max(lists_stamp) FROM threads_thread) + 1 WHERE id = %s",
            [scene.thread.pk],
        )
        # Another write commits meanwhile, taking the same stamp.
        thread_create(author=scene.writer, title="Committed first")
        assert "Committed first" in _page(Client(), "/newest")  # kept without the retitle
        second.commit()
        assert "Renamed in flight" in _page(Client(), "/newest")
    finally:
        older.rollback()
        older.close()
        second.close()
