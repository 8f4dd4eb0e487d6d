"""Search: what the /search page finds after every kind of write, its filters, and bad queries."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from threads.models import Comment
from threads.search.engine import search
from threads.search.query import parse
from threads.services.bans import user_ban
from threads.services.moderation import (
    comment_flag,
    comment_move,
    comment_remove,
    comment_restore,
    thread_remove,
    thread_restore,
    thread_retitle,
)
from threads.services.posting import comment_delete, comment_edit


@pytest.fixture
def forum(build):
    """A thread about zebras with replies about walruses and a nested one about narwhals."""
    author = UserFactory(username="alice")
    thread = build.thread(title="Zebras of the savanna", text="Stripes everywhere.", author=author)
    op = build.op(thread)
    first = build.reply(
        op, text="Walruses are bigger than zebras.", author=UserFactory(username="bob")
    )
    second = build.reply(first, text="Narwhals have one long tooth.")
    return thread, op, first, second


def found(client, query: str, **params) -> list[int]:
    """The ids of the posts the results page lists, in order."""
    extra = "".join(f"&{name}={value}" for name, value in params.items())
    response = client.get(f"/search?q={quote(query)}{extra}")
    assert response.status_code == 200, response.content
    return [int(pk) for pk in re.findall(r'id="hit-(\d+)"', response.content.decode())]


# Every write changes what search finds at once


def test_a_reply_is_found_at_once(client, build, forum):
    _thread, op, _first, _second = forum
    assert found(client, "okapi") == []
    reply = build.reply(op, text="An okapi walks by.")
    assert found(client, "okapi") == [reply.pk]


def test_an_edit_changes_what_is_found(client, forum):
    _thread, _op, first, _second = forum
    comment_edit(comment_id=first.pk, editor=first.author, text="Hippos, not them.")
    assert found(client, "walrus") == []
    assert found(client, "hippos") == [first.pk]


def test_a_deleted_post_is_not_found(client, forum):
    _thread, _op, first, _second = forum
    comment_delete(comment_id=first.pk, user=first.author)
    assert found(client, "walruses") == []


def test_removal_and_restore_by_a_moderator(client, forum, moderator):
    _thread, _op, first, _second = forum
    comment_remove(comment_id=first.pk, moderator=moderator, reason="rude")
    assert found(client, "walruses") == []
    comment_restore(comment_id=first.pk, moderator=moderator)
    assert found(client, "walruses") == [first.pk]


def test_a_moved_post_links_to_its_new_place(client, build, forum, moderator):
    _thread, op, first, second = forum
    comment_move(comment_id=second.pk, new_parent_id=op.pk, moderator=moderator)
    assert found(client, "narwhals") == [second.pk]
    page = client.get("/search?q=narwhals").content.decode()
    assert f'href="/item?id={op.pk}#{second.pk}"' in page


def test_flags_that_hide_a_post_hide_it_from_search(client, forum, settings):
    settings.FORUM_FLAGS_TO_HIDE = 2
    _thread, _op, first, _second = forum
    for _ in range(2):
        comment_flag(comment_id=first.pk, user=UserFactory(), reason="spam")
    assert found(client, "walruses") == []


def test_a_ban_that_removes_every_post(client, forum, moderator):
    _thread, _op, first, _second = forum
    user_ban(user=first.author, moderator=moderator, reason="spam", remove_posts=True)
    assert found(client, "walruses") == []
    assert found(client, "author:bob") == []


def test_a_removed_thread_hides_all_its_posts_until_restored(client, forum, moderator):
    thread, op, first, second = forum
    thread_remove(thread_id=thread.pk, moderator=moderator, reason="spam")
    assert found(client, "zebras") == []
    assert found(client, "narwhals") == []
    thread_restore(thread_id=thread.pk, moderator=moderator)
    assert set(found(client, "zebras")) == {op.pk, first.pk}


def test_a_retitled_thread_is_found_by_its_new_title(client, forum, moderator):
    thread, op, _first, _second = forum
    thread_retitle(
        thread_id=thread.pk, moderator=moderator, title="Giraffes at dusk", reason="clearer"
    )
    assert found(client, "giraffes") == [op.pk]
    assert found(client, "savanna") == []


def test_the_rebuild_command_keeps_what_is_found(client, forum):
    _thread, op, first, _second = forum
    call_command("rebuild_search_index", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(found(client, "zebras")) == {op.pk, first.pk}


# What a results page shows


def test_a_result_names_the_post_its_thread_and_marks_the_words(client, forum):
    _thread, op, first, _second = forum
    page = client.get("/search?q=walruses").content.decode()
    assert ">bob+1</a>" in page
    assert f'href="/item?id={op.pk}#{first.pk}"' in page
    assert "Zebras of the savanna" in page
    assert "<mark>Walruses</mark> are bigger" in page


def test_a_post_with_markup_shows_escaped(client, build, forum):
    _thread, op, _first, _second = forum
    build.reply(op, text='<script>alert("okapi")</script> <b>okapi</b>')
    page = client.get("/search?q=okapi").content.decode()
    assert "<script>alert" not in page
    escaped = "alert(&quot;<mark>okapi</mark>&quot;)&lt;/script&gt; &lt;b&gt;<mark>okapi</mark>"
    assert escaped in page


def test_a_thread_is_found_by_its_url_and_site(client, build):
    thread = build.thread(title="A link", url="https://www.example.org/okapi/facts")
    op = build.op(thread)
    build.thread(title="Another link", url="https://elsewhere.net/")
    assert found(client, "example") == [op.pk]
    assert found(client, "site:example.org") == [op.pk]
    assert found(client, "site:sub.example.org") == []


def test_filters_typed_in_the_query(client, build, forum):
    thread, op, first, second = forum
    assert found(client, "author:bob") == [first.pk]
    assert found(client, "zebras type:story") == [op.pk]
    assert found(client, "zebras type:comment") == [first.pk]
    assert found(client, f"thread:{op.pk}", sort="date") == [second.pk, first.pk, op.pk]
    assert found(client, '"bigger than zebras"') == [first.pk]
    assert found(client, '"zebras than bigger"') == []
    assert found(client, "zebras -walruses") == [op.pk]
    today = datetime.now(UTC).date()
    assert found(client, f"zebras before:{today}") == []
    assert set(found(client, f"zebras after:{today}")) == {op.pk, first.pk}
    assert found(client, f"zebras after:{today + timedelta(days=1)}") == []


def test_the_links_on_the_results_page(client, build, forum):
    _thread, op, first, _second = forum
    old = build.reply(op, text="An old zebra story.")
    Comment.objects.filter(pk=old.pk).update(created_at=datetime.now(UTC) - timedelta(days=3))
    assert found(client, "zebras", type="story") == [op.pk]
    assert found(client, "zebras", type="comment", sort="date") == [first.pk, old.pk]
    assert old.pk not in found(client, "zebras", when="day")
    assert old.pk in found(client, "zebras", when="week")
    page = client.get("/search?q=zebras").content.decode()
    for label in ("stories", "comments", "past day", "past year", "by date", "by points"):
        assert f">{label}</a>" in page


def test_pages_of_results(client, build, forum):
    _thread, op, _first, _second = forum
    for n in range(35):
        build.reply(op, text=f"Capybara number {n}.")
    first_page = found(client, "capybara", sort="date")
    second_page = found(client, "capybara", sort="date", p=2)
    assert len(first_page) == 30 and len(second_page) == 5
    assert not set(first_page) & set(second_page)
    assert "[more]" in client.get("/search?q=capybara").content.decode()


def test_the_text_form(client, forum):
    body = client.get("/search?q=walruses&format=txt").content.decode()
    assert body.startswith("zlacker\n\nsearch: walruses\n\nbob+1 ")
    assert 'on: "Zebras of the savanna"\nWalruses are bigger than zebras' in body
    assert "author:NAME" in client.get("/search?format=txt").content.decode()


def test_an_empty_query_shows_what_the_box_reads(client, db):
    page = client.get("/search").content.decode()
    for syntax in ("author:NAME", "thread:ID", "before:YYYY-MM-DD", "type:story", "site:DOMAIN"):
        assert syntax in page
    assert 'role="search"' in client.get("/").content.decode()


def test_a_search_is_at_most_three_queries_whatever_it_finds(build, forum):
    _thread, op, _first, _second = forum
    for n in range(40):
        build.reply(op, text=f"Quokka {n}.")
    for text in ("quokka", "zebras -walruses", "author:bob", '"one long tooth"'):
        with CaptureQueriesContext(connection) as queries:
            search(parse(text), page=1, per_page=10)
        assert len(queries) <= 3, text


# Queries that cannot be read answer a sentence, never a 500


@pytest.mark.parametrize(
    "query",
    [
        "<script>alert(1)</script>",
        '"unbalanced',
        "-",
        "--",
        '"',
        "author:",
        "thread:",
        "thread:abc",
        "before:yesterday",
        "type:poll",
        "site:",
        "site:not_a..domain",
        "-walruses",
        "x" * 10_000,
        "a\x00b",
        "AND OR NOT NEAR( * ^ :",
        "'; DROP TABLE threads_comment; --",
    ],
)
def test_hostile_queries_answer_a_readable_page(client, forum, query):
    for suffix in ("", "&format=txt"):
        response = client.get(f"/search?q={quote(query)}{suffix}")
        assert response.status_code in (200, 400), query
        if response.status_code == 400:
            assert len(response.content.decode()) > 20


def test_invalid_utf8_and_bad_parameters(client, forum):
    assert client.get("/search?q=%ff%fe%00").status_code == 400
    assert client.get("/search?q=%ff%fezebras").status_code == 200
    assert client.get("/search?q=zebras&p=0").status_code == 400
    assert client.get("/search?q=zebras&p=abc").status_code == 400
    assert client.get("/search?q=zebras&p=9999").status_code == 400
    assert client.get("/search?q=zebras&sort=best").status_code == 400
    assert client.get("/search?q=zebras&when=decade").status_code == 400
    response = client.get("/search?q=a%00b&format=txt")
    assert response.status_code == 400 and "NUL" in response.content.decode()


def test_a_query_that_cannot_be_read_shows_the_search_page_with_it_kept(client, forum):
    response = client.get("/search?q=author%3A+copyright")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="author: copyright"' in html and 'class="error" role="alert"' in html
    assert "author:NAME" in html  # the help says how to write it
