"""Lists across the forum, as on Hacker News: newest comments, threads from a site, a user's
favorites and the threads a reader hid."""

import pytest

from tests.factories import UserFactory
from threads import services


@pytest.fixture
def forum(build):
    """Two threads, one with two replies, one linking to example.com."""
    first = build.thread(title="First thread")
    reply = build.reply(build.op(first), text="older words")
    newer = build.reply(build.op(first), text="newer words")
    linked = build.thread(title="Linked thread", url="https://www.example.com/a")
    return first, reply, newer, linked


# /newcomments


def test_newcomments_lists_the_newest_visible_comments_with_their_thread(client, forum, build):
    first, reply, newer, linked = forum
    gone = build.thread(title="Gone thread")
    hidden = build.reply(build.op(gone), text="in a removed thread")
    services.thread_remove(thread_id=gone.pk, moderator=UserFactory())
    removed = build.reply(build.op(linked), text="removed words")
    services.comment_remove(comment_id=removed.pk, moderator=UserFactory())
    html = client.get("/newcomments").content.decode()
    assert html.index("newer words") < html.index("older words")
    assert "First thread" in html and hidden.text not in html and "removed words" not in html
    text = client.get("/newcomments?format=txt").content.decode()
    assert text.splitlines()[2] == "newest comments" and 'on: "First thread"' in text
    assert '<a href="/newcomments">comments</a>' in html


def test_newcomments_is_paged(client, build, settings):
    op = build.op(build.thread(title="Busy"))
    for n in range(31):
        build.reply(op, text=f"reply number {n}")
    first = client.get("/newcomments").content.decode()
    assert "reply number 30" in first and "reply number 0<" not in first
    assert 'href="?p=2"' in first
    assert "reply number 0" in client.get("/newcomments?p=2").content.decode()


# /from?site=


def test_the_site_after_a_title_lists_every_thread_from_it(client, forum, build):
    first, reply, newer, linked = forum
    build.thread(title="Same site again", url="http://example.com")
    build.thread(title="Lookalike site", url="https://example.com.evil.org/x")
    front = client.get("/").content.decode()
    assert '(<a href="/from?site=example.com">example.com</a>)' in front
    html = client.get("/from?site=example.com").content.decode()
    assert "Linked thread" in html and "Same site again" in html
    assert "Lookalike site" not in html and "First thread" not in html
    text = client.get("/from?site=example.com&format=txt").content.decode()
    assert "threads from example.com" in text and "Linked thread" in text


def test_a_site_that_is_no_host_name_is_refused(client):
    for site in ("", "a b", "exa$mple.com", "x" * 300, "a..b"):
        answer = client.get("/from", {"site": site})
        assert answer.status_code == 400 and "?site=example.com" in answer.content.decode()
