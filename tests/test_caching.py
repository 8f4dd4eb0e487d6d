"""Cached thread pages: a write shows at once, 304 answers, gzip, and a constant query count."""

import gzip
import importlib
import inspect
import json
import pkgutil
import re
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import threads.services
from forum.accounts.models import User
from forum.compression import accepted_codings
from tests.documents import discussion, discussion_text, seed_items
from tests.factories import PASSWORD, UserFactory
from tests.queries import thread_page_queries
from threads.caching import page_cache
from threads.core import selectors
from threads.hn import story_files
from threads.models import Comment, Thread
from threads.services.bans import comment_remove_and_ban, user_ban, user_unban
from threads.services.hn_imports import hn_story_import
from threads.services.imports import zlacker_import
from threads.services.locks import thread_touch
from threads.services.moderation import (
    comment_flag,
    comment_move,
    comment_remove,
    comment_restore,
    flag_withdraw,
    flags_dismiss,
    flags_uphold,
    thread_lock,
    thread_pin,
    thread_remove,
    thread_restore,
    thread_retitle,
    thread_unlock,
    thread_unpin,
)
from threads.services.posting import comment_delete, comment_edit, comment_reply
from threads.services.trees import thread_tree_repair
from threads.services.votes import comment_vote, vote_withdraw
from threads.text import zlacker


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def thread(build):
    thread = build.thread(title="Cached thread", text="The opening post.")
    build.reply(build.op(thread), text="The first reply.")
    return thread


def page_url(thread) -> str:
    return f"/item?id={thread.comments.get(level=0).pk}"


def page(client, thread, **headers):
    return client.get(page_url(thread), headers=headers)


def test_a_reply_shows_on_the_next_request_to_a_cached_page(client, build, thread):
    assert "The first reply." in page(client, thread).content.decode()
    assert "The first reply." in page(client, thread).content.decode()
    build.reply(build.op(thread), text="A second reply, just written.")
    html = page(client, thread).content.decode()
    assert "A second reply, just written." in html
    assert "2 comments" in html


def test_a_reply_shows_at_once_to_a_logged_in_reader(client, build, thread):
    client.force_login(UserFactory(username="reader"))
    page(client, thread)
    build.reply(build.op(thread), text="Written after the page was cached.")
    html = page(client, thread).content.decode()
    assert "Written after the page was cached." in html


def test_a_reply_shows_at_once_in_the_text_form(client, build, thread):
    op = build.op(thread)
    assert "The first reply." in client.get(f"/item?id={op.pk}&format=txt").content.decode()
    build.reply(op, text="A reply in plain text.")
    text = client.get(f"/item?id={op.pk}&format=txt").content.decode()
    assert "A reply in plain text." in text


def test_logged_in_readers_see_their_name_and_anonymous_readers_never_do(client, thread):
    page(client, thread)
    client.force_login(UserFactory(username="carol"))
    assert ">carol</a>" in page(client, thread).content.decode()
    client.logout()
    html = page(client, thread).content.decode()
    assert "carol" not in html and ">login</a>" in html


def test_a_current_etag_gets_304_and_a_write_changes_it(client, build, thread):
    first = page(client, thread)
    etag = first["ETag"]
    again = page(client, thread, if_none_match=etag)
    assert again.status_code == 304 and again.content == b""
    build.reply(build.op(thread), text="News.")
    after = page(client, thread, if_none_match=etag)
    assert after.status_code == 200
    assert after["ETag"] != etag and "News." in after.content.decode()


def test_last_modified_gets_304(client, thread):
    first = page(client, thread)
    assert first["Cache-Control"] == "no-cache"
    again = page(client, thread, if_modified_since=first["Last-Modified"])
    assert again.status_code == 304


def test_gzip_is_served_to_readers_who_accept_it(client, thread):
    plain = page(client, thread)
    zipped = page(client, thread, accept_encoding="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content) == plain.content
    assert "Content-Encoding" not in page(client, thread)


def test_a_cached_page_needs_one_small_query(client, thread):
    url = page_url(thread)
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert len(queries) == 1


def page_entries() -> list[str]:
    """The thread pages in the page cache now (the local-memory cache's own keys)."""
    return [key for key in caches["default"]._cache if ":page:" in key]


def test_junk_parameters_make_no_new_cache_entries(client, thread):
    url = page_url(thread)
    for n in range(1000):
        assert client.get(f"{url}&z={n}&utm_source=x{n}").status_code == 200
    client.get(f"{url}&format=txt&z=1")
    client.get(f"{url}&format=txt&z=2", headers={"accept-encoding": "gzip"})
    # The page, its text form, and that in gzip: a flood of junk added nothing.
    assert len(page_entries()) == 3


def test_a_cached_page_carries_no_other_readers_parameters(client, thread):
    url = page_url(thread)
    client.get(f"{url}&z=planted")
    html = page(client, thread).content.decode()
    assert "planted" not in html
    assert f'href="/login?next={quote(url, safe="/")}"' in html
    # The same thread by its other route is its own page, with its own address.
    discussion = client.get(url.replace("/item", "/discussion")).content.decode()
    assert 'href="/login?next=/discussion%3Fid%3D' in discussion


def test_a_log_in_lockout_outlives_a_flood_of_junk_pages(client, thread):
    UserFactory(username="owner")
    for _ in range(5):
        client.post("/login", {"username": "owner", "password": "guess"})
    url = page_url(thread)
    for n in range(1000):
        client.get(f"{url}&z={n}")
    refused = client.post("/login", {"username": "owner", "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed log-ins" in refused.content.decode()


def test_the_stamp_that_finds_a_cached_page_is_the_threads_own(build, thread):
    op = build.op(thread)
    fresh = Thread.objects.get(pk=thread.pk)
    stamp = selectors.thread_stamp(op_id=op.pk)
    assert page_cache.thread_key(stamp, "x") == page_cache.thread_key(fresh, "x")
    assert selectors.thread_stamp(op_id=build.reply(op).pk) is None
    thread_remove(thread_id=thread.pk, moderator=UserFactory(), reason="spam")
    assert selectors.thread_stamp(op_id=op.pk) is None


def test_a_new_release_leaves_the_cached_pages_and_their_etags_behind(client, thread, settings):
    settings.FORUM_RELEASE = "release-1"
    before = page(client, thread)
    Thread.objects.filter(pk=thread.pk).update(title="Retitled in the database alone")
    assert page(client, thread, if_none_match=before["ETag"]).status_code == 304
    settings.FORUM_RELEASE = "release-2"
    after = page(client, thread, if_none_match=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert "Retitled in the database alone" in after.content.decode()


def test_without_a_named_release_a_changed_template_is_a_new_release(settings, tmp_path):
    settings.FORUM_RELEASE = ""
    settings.BASE_DIR = tmp_path
    (tmp_path / "templates").mkdir()
    template = tmp_path / "templates" / "thread.html"
    releases = []
    for text in ("<p>one</p>", "<p>one</p>", "<p>two</p>"):
        template.write_text(text)
        page_cache._source_hash.cache_clear()
        releases.append(page_cache.release())
    page_cache._source_hash.cache_clear()
    assert releases[0] == releases[1] != releases[2]


def test_thread_touch_bumps_the_version(thread):
    before = Thread.objects.get(pk=thread.pk).version
    thread_touch(thread.pk)
    assert Thread.objects.get(pk=thread.pk).version == before + 1


def test_logged_in_page_queries_do_not_grow_with_the_thread(client, build):
    client.force_login(UserFactory(username="dave"))
    small = thread_page_queries(client, build, 10)
    large = thread_page_queries(client, build, 400)
    # Session and user, the thread's and the lists' stamps, what is kept of the reader (their
    # votes, points and flags, their ban, their unread replies), then for the page's stencil the
    # post with its thread, the comments, and what the opening post offers them: the same
    # handful whatever the thread's size.
    assert small == large <= 14


def test_a_logged_in_reader_is_served_the_kept_page_in_four_queries(client, build):
    client.force_login(UserFactory(username="erin"))
    thread = build.thread(title="Kept")
    build.big_tree(thread, 50)
    path = f"/item?id={build.op(thread).pk}"
    first = client.get(path).content
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path).content
    # Session, user, the thread's stamp and the lists' stamp.
    assert len(queries) == 4
    assert _without_tokens(again) == _without_tokens(first)
    assert b"erin" in again


def _without_tokens(page: bytes) -> bytes:
    return re.sub(rb'value="[^"]*"', b"", page)


@dataclass
class Scene:
    """A thread of two replies, a moderator and a reader, for one page-changing write."""

    thread: Thread
    op: Comment
    first: Comment
    second: Comment
    mod: User
    reader: User


def _imported_thread_grows(scene):
    """Another page of an imported thread adds its posts to it."""
    full = discussion(3)
    doc = zlacker.parse_discussion(full)
    shorter = zlacker.Discussion(doc.site, doc.title, doc.posts[:2])
    thread = zlacker_import(text=discussion_text(shorter))
    return thread, lambda: zlacker_import(text=full)


def _hn_story_grows(scene):
    """Importing a Hacker News story again adds its new replies to the thread."""
    items = seed_items()
    first = story_files.read_story("\n".join(json.dumps(item) for item in items[:3]))
    thread = hn_story_import(story=first)
    full = story_files.read_story("\n".join(json.dumps(item) for item in items))
    return thread, lambda: hn_story_import(story=full)


def _after(setup, write):
    """A write whose thread is the scene's, once `setup` has made it possible."""

    def scenario(scene):
        setup(scene)
        return scene.thread, lambda: write(scene)

    return scenario


def _plain(write):
    return _after(lambda scene: None, write)


def _flag(scene, post):
    return comment_flag(comment_id=post.pk, user=scene.reader, reason="spam")


# How to call each service of PAGE_CHANGING_SERVICES: (thread watched, the write).
SCENARIOS = {
    "comment_reply": _plain(
        lambda s: comment_reply(parent_id=s.op.pk, author=s.reader, text="news")
    ),
    "comment_edit": _plain(
        lambda s: comment_edit(comment_id=s.first.pk, editor=s.first.author, text="new")
    ),
    "comment_delete": _plain(lambda s: comment_delete(comment_id=s.first.pk, user=s.first.author)),
    "comment_vote": _plain(
        lambda s: comment_vote(comment_id=s.first.pk, user=s.reader, direction="up")
    ),
    "vote_withdraw": _after(
        lambda s: comment_vote(comment_id=s.first.pk, user=s.reader, direction="up"),
        lambda s: vote_withdraw(comment_id=s.first.pk, user=s.reader),
    ),
    "comment_flag": _plain(lambda s: _flag(s, s.first)),
    "flag_withdraw": _after(
        lambda s: _flag(s, s.first),
        lambda s: flag_withdraw(comment_id=s.first.pk, user=s.reader),
    ),
    "flags_dismiss": _after(
        lambda s: _flag(s, s.first),
        lambda s: flags_dismiss(comment_id=s.first.pk, moderator=s.mod, reason="spam"),
    ),
    "flags_uphold": _after(
        lambda s: _flag(s, s.first),
        lambda s: flags_uphold(comment_id=s.first.pk, moderator=s.mod, reason="spam"),
    ),
    "comment_remove": _plain(
        lambda s: comment_remove(comment_id=s.first.pk, moderator=s.mod, reason="spam")
    ),
    "comment_restore": _after(
        lambda s: comment_remove(comment_id=s.first.pk, moderator=s.mod, reason="spam"),
        lambda s: comment_restore(comment_id=s.first.pk, moderator=s.mod),
    ),
    "comment_move": _plain(
        lambda s: comment_move(comment_id=s.second.pk, new_parent_id=s.first.pk, moderator=s.mod)
    ),
    "comment_remove_and_ban": _plain(
        lambda s: comment_remove_and_ban(comment_id=s.first.pk, moderator=s.mod, reason="spam")
    ),
    "user_ban": _plain(
        lambda s: user_ban(user=s.first.author, moderator=s.mod, reason="spam", remove_posts=True)
    ),
    "user_unban": _after(
        lambda s: user_ban(user=s.first.author, moderator=s.mod, reason="spam", remove_posts=True),
        lambda s: user_unban(
            ban_id=s.first.author.bans.get().pk, moderator=s.mod, restore_posts=True
        ),
    ),
    "thread_lock": _plain(lambda s: thread_lock(thread_id=s.thread.pk, moderator=s.mod)),
    "thread_unlock": _after(
        lambda s: thread_lock(thread_id=s.thread.pk, moderator=s.mod),
        lambda s: thread_unlock(thread_id=s.thread.pk, moderator=s.mod),
    ),
    "thread_pin": _plain(lambda s: thread_pin(thread_id=s.thread.pk, moderator=s.mod)),
    "thread_unpin": _after(
        lambda s: thread_pin(thread_id=s.thread.pk, moderator=s.mod),
        lambda s: thread_unpin(thread_id=s.thread.pk, moderator=s.mod),
    ),
    "thread_remove": _plain(
        lambda s: thread_remove(thread_id=s.thread.pk, moderator=s.mod, reason="spam")
    ),
    "thread_restore": _after(
        lambda s: thread_remove(thread_id=s.thread.pk, moderator=s.mod, reason="spam"),
        lambda s: thread_restore(thread_id=s.thread.pk, moderator=s.mod),
    ),
    "thread_retitle": _plain(
        lambda s: thread_retitle(
            thread_id=s.thread.pk, moderator=s.mod, title="New", reason="clearer"
        )
    ),
    "thread_tree_repair": _plain(lambda s: thread_tree_repair(thread_id=s.thread.pk)),
    "zlacker_import": _imported_thread_grows,
    "hn_story_import": _hn_story_grows,
}


def _services() -> dict:
    found = {}
    for info in pkgutil.iter_modules(threads.services.__path__):
        module = importlib.import_module(f"threads.services.{info.name}")
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                found[name] = value
    return {name: value for name, value in found.items() if not name.startswith("_")}


# Services that change no thread's page (a thread is new, a reader's own lists or profile, a
# restore that goes through comment_restore) and the helpers services share.
NOT_PAGE_CHANGING = {
    "ban_removals_restore",
    "favorite_add",
    "favorite_remove",
    "profile_update",
    "thread_create",
    "thread_hide",
    "thread_unhide",
    "lists_stamp_next",
    "locked_comment",
    "locked_thread",
    "log",
    "post_changed",
    "readable_replies",
    "reason_checked",
    "reader_touch",
    "text_checked",
    "thread_touch",
    "title_checked",
}
PAGE_CHANGING_SERVICES = [
    service for name, service in sorted(_services().items()) if name not in NOT_PAGE_CHANGING
]


def test_every_page_changing_service_has_a_scenario():
    # A new service in threads/services is either listed above or given a scenario here.
    names = {service.__name__ for service in PAGE_CHANGING_SERVICES}
    assert names == set(SCENARIOS)


@pytest.mark.parametrize("service", PAGE_CHANGING_SERVICES, ids=lambda service: service.__name__)
def test_every_page_changing_write_renews_the_cached_page(client, build, service, settings):
    settings.FORUM_FLAGS_TO_HIDE = 1
    thread = build.thread(title="Cached")
    op = build.op(thread)
    first = build.reply(op, text="first words")
    second = build.reply(op, text="second words")
    scene = Scene(thread, op, first, second, UserFactory(), UserFactory())
    watched, write = SCENARIOS[service.__name__](scene)
    url = f"/item?id={build.op(watched).pk}"
    before_version = Thread.objects.get(pk=watched.pk).version
    before = client.get(url)
    write()
    assert Thread.objects.get(pk=watched.pk).version > before_version
    after = client.get(url, headers={"if-none-match": before.get("ETag", "")})
    # A removed thread's page is gone; every other page is built again, under a new ETag.
    assert after.status_code in (200, 404)
    assert after.get("ETag") != before.get("ETag")


def thread_entries(thread) -> list[str]:
    """The page cache's entries for this thread (pages, stencils, comments, what is kept of
    readers), in the local-memory cache's own keys."""
    start = f"thread:{page_cache.release()}:{thread.pk}."
    return [key for key in caches["default"]._cache if start in key]


def test_a_page_too_big_to_keep_is_sent_without_being_kept(client, build, thread, settings):
    settings.FORUM_CACHE_MAX_ENTRY_BYTES = 20_000
    page(client, thread)
    kept = thread_entries(thread)
    assert kept
    big = build.thread(title="Too big to keep")
    for part in range(5):
        words = range(part * 1000, part * 1000 + 1000)
        build.reply(build.op(big), text=" ".join(f"word{n}" for n in words))
    first, again = page(client, big), page(client, big)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content and b"word4999" in first.content
    client.force_login(UserFactory(username="fay"))
    assert b"fay" in page(client, big).content and b"word4999" in page(client, big).content
    # Nothing of the big page was kept, and the small one's entries are all still there.
    assert [key for key in thread_entries(big) if ":reader:" not in key] == []
    assert set(kept) <= set(thread_entries(thread))


def test_a_page_under_the_cap_is_kept(client, thread, settings):
    settings.FORUM_CACHE_MAX_ENTRY_BYTES = 200_000
    page(client, thread)
    assert any(":page:" in key for key in thread_entries(thread))


@pytest.mark.parametrize(
    "header, accepted",
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("gzip;q=0.5", True),
        ("*", True),
        ("x-gzip", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000, deflate", False),
        ("br, gzip;q=0", False),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        ("gzip;q=nonsense", False),
        ("deflate", False),
        ("", False),
    ],
)
def test_gzip_is_accepted_only_with_a_q_value_above_zero(header, accepted):
    assert ("gzip" in accepted_codings(header)) is accepted


def test_a_reader_who_refuses_gzip_is_never_sent_it(client, thread):
    op = thread.comments.get(level=0).pk
    paths = [f"/item?id={op}", f"/item?id={op}&format=txt", "/", "/modlog", "/rss"]
    for refusal in ("gzip;q=0", "br, gzip;q=0", "*;q=0"):
        for path in paths * 2:  # drawn, then from the cache
            response = client.get(path, headers={"accept-encoding": refusal})
            assert "Content-Encoding" not in response, (refusal, path)
    client.force_login(UserFactory(username="gus"))
    for path in paths * 2:
        response = client.get(path, headers={"accept-encoding": "gzip;q=0"})
        assert "Content-Encoding" not in response, path
        assert b">gus<" in response.content or "format=txt" in path or "rss" in path


def test_a_static_file_is_not_sent_gzipped_to_a_reader_who_refuses_it(settings, tmp_path):
    css = b"body { color: teal; }\n" * 50
    (tmp_path / "kept.css").write_bytes(css)
    (tmp_path / "kept.css.gz").write_bytes(gzip.compress(css))
    settings.STATIC_ROOT, settings.WHITENOISE_USE_FINDERS = tmp_path, False
    reader = Client()  # a new client loads the middleware with these settings
    zipped = reader.get("/static/kept.css", headers={"accept-encoding": "gzip"})
    assert zipped["Content-Encoding"] == "gzip"
    for refusal in ("gzip;q=0", "*;q=0, br"):
        plain = reader.get("/static/kept.css", headers={"accept-encoding": refusal})
        assert "Content-Encoding" not in plain
        assert b"".join(plain.streaming_content) == css


@pytest.mark.slow
def test_no_page_takes_more_than_a_32nd_of_a_small_page_redis(client, build, settings):
    """With an 8 MB cap a page may be bigger than a small page Redis: it would evict every
    other page. No entry takes more than a 32nd of the Redis's maxmemory."""
    from redis import Redis

    from forum import caches as forum_caches
    from forum.environment import cache_config
    from tests.servers import redis_server

    small = build.thread(title="Small")
    big = build.thread(title="Bigger than a 32nd")
    for part in range(30):
        words = range(part * 1000, part * 1000 + 1000)
        build.reply(build.op(big), text=" ".join(f"w{n}" for n in words))
    kept = settings.CACHES
    with redis_server(maxmemory="4mb") as url:
        own = cache_config(url, location="default", max_entries=300, prefix="cap")
        settings.CACHES = {**kept, "default": own}
        forum_caches._max_memory.clear()
        try:
            assert page(client, small).status_code == page(client, big).status_code == 200
            again = page(client, big)
            keys = [key.decode() for key in Redis.from_url(url).keys("*")]
        finally:
            settings.CACHES = kept
            forum_caches._max_memory.clear()
    assert again.status_code == 200 and b"w29999" in again.content
    assert any(f":{small.pk}." in key and ":page:" in key for key in keys), keys
    assert not any(f":{big.pk}." in key and ":page:" in key for key in keys), keys
