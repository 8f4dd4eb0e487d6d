"""RSS and Atom feeds: every one well-formed, absolute links, 304 to pollers, nothing hidden."""

import re
from xml.etree import ElementTree

import feedparser
import pytest

from tests.documents import feed_paths
from tests.factories import UserFactory
from threads.models import Comment, Thread
from threads.services.moderation import comment_remove
from threads.services.posting import comment_delete


@pytest.fixture(autouse=True)
def site_url(settings):
    """Feeds link to the configured site address: here the test client's own."""
    settings.FORUM_SITE_URL = "http://testserver"


@pytest.fixture
def thread(build, admin_user):
    author = UserFactory(username="alice")
    thread = build.thread(title="A thread", text="Opening", author=author)
    op = build.op(thread)
    build.reply(op, text="Visible reply", author=author)
    removed = build.reply(op, text="SECRET removed")
    comment_remove(comment_id=removed.pk, moderator=admin_user, reason="spam")
    deleted = build.reply(op, text="SECRET deleted", author=author)
    comment_delete(comment_id=deleted.pk, user=author)
    return thread


@pytest.mark.django_db
def test_every_feed_reads_cleanly_with_absolute_links_and_nothing_hidden(client, build, thread):
    op = build.op(thread)
    for path in feed_paths(op.pk, "alice"):
        response = client.get(path)
        assert response.status_code == 200, path
        parsed = feedparser.parse(response.content)
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
        assert parsed.entries, path
        for entry in parsed.entries:
            assert entry.link.startswith("http://testserver/item?id="), (path, entry.link)
        assert b"SECRET" not in response.content, path


@pytest.mark.django_db
def test_the_thread_feed_lists_its_new_replies(client, build, thread):
    parsed = feedparser.parse(client.get(f"/item/rss?id={build.op(thread).pk}").content)
    assert [entry.description for entry in parsed.entries] == ["<p>Visible reply</p>"]


@pytest.mark.django_db
def test_a_polling_reader_gets_304_until_the_thread_changes(client, build, thread):
    path = f"/item/atom?id={build.op(thread).pk}"
    first = client.get(path)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    build.reply(build.op(thread), text="News")
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


@pytest.mark.django_db
def test_pages_name_their_feeds_in_the_head(client, build, thread):
    op = build.op(thread)
    for page, feed in [
        ("/", "/rss"),
        ("/newest", "/newest/rss"),
        (f"/item?id={op.pk}", f"/item/rss?id={op.pk}"),
        ("/threads?id=alice", "/threads/rss?id=alice"),
        ("/submitted?id=alice", "/submitted/atom?id=alice"),
    ]:
        head = client.get(page).content.decode().split("</head>")[0]
        assert re.search(f'<link rel="alternate" type="[^"]+" href="{re.escape(feed)}">', head)


@pytest.mark.django_db
def test_bad_and_unknown_ids_are_refused(client, thread):
    assert client.get("/item/rss?id=x").status_code == 400
    assert client.get("/item/rss?id=99999").status_code == 404
    assert client.get("/threads/rss?id=nobody").status_code == 404
    assert Comment.objects.exists()


def test_a_threads_url_reaches_feed_readers_escaped(client, build, admin_user):
    hostile = 'http://example.com/"><script>alert(1)</script>'
    build.thread(title="Hostile url", url=hostile)
    for path in ("/rss", "/atom", "/newest/rss"):
        feed = feedparser.parse(client.get(path).content)
        entry = next(entry for entry in feed.entries if entry.title == "Hostile url")
        assert "<script>" not in entry.summary
        assert "&lt;script&gt;" in entry.summary


@pytest.mark.django_db
def test_every_feed_is_well_formed_xml_whatever_is_stored(client, build):
    # Rows written before titles and urls refused these characters, or by hand: the feeds
    # still parse, the characters XML cannot hold replaced.
    author = UserFactory(username="alice")
    thread = build.thread(title="Clean", author=author, url="https://example.com/")
    reply = build.reply(build.op(thread), text="A reply", author=author)
    Thread.objects.filter(pk=thread.pk).update(
        title="Bad \x01 \x0b \uffff \ufffe title", url="https://example.com/a\x01b\x1f"
    )
    Comment.objects.filter(pk=reply.pk).update(html="<p>Reply \x02 \uffff</p>")
    for path in feed_paths(build.op(thread).pk, "alice"):
        response = client.get(path)
        assert response.status_code == 200, path
        root = ElementTree.fromstring(response.content)
        assert "Bad \ufffd \ufffd \ufffd \ufffd title" in "".join(root.itertext()), path
