"""Hacker News' search API (v1, as hn.algolia.com shapes it): shapes, filters, hidden posts."""

import json
import re
from datetime import timedelta
from urllib.parse import quote

import pytest

from forum import limits
from tests.factories import UserFactory
from threads.hn import search_api
from threads.models import Comment
from threads.search import engine
from threads.services.moderation import comment_flag, comment_remove, thread_remove
from threads.text import hn_html

ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HIT_FIELDS = {
    "created_at",
    "created_at_i",
    "title",
    "url",
    "author",
    "points",
    "story_text",
    "comment_text",
    "num_comments",
    "story_id",
    "story_title",
    "story_url",
    "parent_id",
    "objectID",
    "_tags",
    "_highlightResult",
}
TOP_FIELDS = {
    "hits",
    "nbHits",
    "page",
    "nbPages",
    "hitsPerPage",
    "exhaustiveNbHits",
    "query",
    "params",
    "processingTimeMS",
}


@pytest.fixture
def forum(build):
    pg = UserFactory(username="pg")
    thread = build.thread(
        title="Lisp macros explained", url="https://example.com/lisp", text="Why macros.", author=pg
    )
    op = build.op(thread)
    reply = build.reply(op, text="Macros <b>rewrite</b> code.", author=UserFactory(username="rtm"))
    nested = build.reply(reply, text="And macros are fun.", author=pg)
    return thread, op, reply, nested


def get(client, path: str):
    response = client.get(path)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def ids(body) -> list[int]:
    return [int(hit["objectID"]) for hit in body["hits"]]


def test_a_search_answers_algolias_shape_field_by_field(client, forum):
    thread, op, reply, nested = forum
    status, body = get(client, "/api/v1/search?query=macros&tags=comment&hitsPerPage=1")
    assert status == 200
    assert set(body) == TOP_FIELDS
    assert body["nbHits"] == 2 and body["nbPages"] == 2 and body["hitsPerPage"] == 1
    assert body["page"] == 0 and body["query"] == "macros"
    assert body["params"] == "query=macros&tags=comment&hitsPerPage=1"
    assert isinstance(body["processingTimeMS"], int)
    (hit,) = body["hits"]
    assert set(hit) == HIT_FIELDS
    comment = reply if hit["objectID"] == str(reply.pk) else nested
    assert ISO_TIME.match(hit["created_at"])
    assert hit["created_at_i"] == int(comment.created_at.timestamp())
    assert hit["author"] == comment.author.username
    assert hit["title"] is None and hit["url"] is None and hit["story_text"] is None
    # Hacker News' HTML, as hn.algolia.com gives it: "Macros &lt;b&gt;rewrite&lt;&#x2F;b&gt; code."
    assert hit["comment_text"] == hn_html.from_markup(comment.text)
    assert hit["points"] is None and hit["num_comments"] is None
    assert hit["story_id"] == op.pk
    assert hit["story_title"] == "Lisp macros explained"
    assert hit["story_url"] == "https://example.com/lisp"
    assert hit["parent_id"] == comment.parent_id
    assert hit["_tags"] == ["comment", f"author_{comment.author.username}", f"story_{op.pk}"]
    highlight = hit["_highlightResult"]
    assert set(highlight) == {"author", "comment_text", "story_title", "story_url"}
    for field in highlight.values():
        assert set(field) == {"value", "matchLevel", "matchedWords"}
    assert highlight["comment_text"]["matchLevel"] == "full"
    assert highlight["comment_text"]["matchedWords"] == ["macros"]
    assert "<em>" in highlight["comment_text"]["value"]
    assert highlight["author"] == {
        "value": comment.author.username,
        "matchLevel": "none",
        "matchedWords": [],
    }


def test_a_story_hit(client, forum):
    thread, op, _reply, _nested = forum
    status, body = get(client, "/api/v1/search?query=lisp&tags=story")
    (hit,) = body["hits"]
    assert hit["objectID"] == str(op.pk)
    assert hit["title"] == "Lisp macros explained" and hit["url"] == "https://example.com/lisp"
    assert hit["story_text"] == "Why macros." and hit["comment_text"] is None
    assert hit["points"] == 1 and hit["num_comments"] == 2
    assert hit["story_id"] == op.pk and hit["parent_id"] is None
    assert hit["story_title"] is None and hit["story_url"] is None
    assert hit["_tags"] == ["story", "author_pg", f"story_{op.pk}"]
    highlight = hit["_highlightResult"]
    assert set(highlight) == {"author", "story_text", "title", "url"}
    assert highlight["title"]["value"] == "<em>Lisp</em> macros explained"
    assert highlight["title"]["matchLevel"] == "full"
    assert highlight["url"]["value"] == "https://example.com/<em>lisp</em>"


def test_markup_in_a_post_is_escaped_in_highlights(client, forum):
    _status, body = get(client, "/api/v1/search?query=rewrite")
    value = body["hits"][0]["_highlightResult"]["comment_text"]["value"]
    assert value == "Macros &lt;b&gt;<em>rewrite</em>&lt;&#x2F;b&gt; code."


def test_tags_and_or_and_numeric_filters(client, forum):
    thread, op, reply, nested = forum
    _s, body = get(client, "/api/v1/search_by_date?tags=" + quote("(story,comment),author_pg"))
    assert ids(body) == [nested.pk, op.pk]
    _s, body = get(client, f"/api/v1/search_by_date?tags=comment,story_{op.pk}")
    assert ids(body) == [nested.pk, reply.pk]
    _s, body = get(client, "/api/v1/search?query=macros&tags=author_rtm")
    assert ids(body) == [reply.pk]
    Comment.objects.filter(pk=op.pk).update(created_at=op.created_at - timedelta(hours=1))
    since = int(reply.created_at.timestamp())
    _s, body = get(client, f"/api/v1/search_by_date?numericFilters=created_at_i>={since}")
    assert ids(body) == [nested.pk, reply.pk]
    _s, body = get(client, "/api/v1/search?numericFilters=num_comments>=2,points=1")
    assert ids(body) == [op.pk]
    _s, body = get(client, "/api/v1/search?numericFilters=num_comments>2")
    assert ids(body) == []


def test_pages_and_the_cap_on_hits_per_page(client, build, forum):
    _thread, op, _reply, _nested = forum
    for n in range(5):
        build.reply(op, text=f"Quine {n}.")
    _s, body = get(client, "/api/v1/search_by_date?query=quine&hitsPerPage=2&page=2")
    assert len(body["hits"]) == 1 and body["nbPages"] == 3 and body["page"] == 2
    _s, body = get(client, "/api/v1/search?query=quine&hitsPerPage=1000")
    assert body["hitsPerPage"] == 100


def test_hidden_posts_are_never_found(client, forum, moderator, settings):
    thread, op, reply, nested = forum
    comment_remove(comment_id=reply.pk, moderator=moderator, reason="spam")
    _s, body = get(client, "/api/v1/search?query=rewrite")
    assert body["hits"] == [] and body["nbHits"] == 0
    settings.FORUM_FLAGS_TO_HIDE = 1
    comment_flag(comment_id=nested.pk, user=UserFactory(), reason="spam")
    _s, body = get(client, "/api/v1/search?query=fun")
    assert body["hits"] == []
    thread_remove(thread_id=thread.pk, moderator=moderator, reason="spam")
    _s, body = get(client, "/api/v1/search?query=lisp")
    assert body["hits"] == []


def test_an_item_with_its_reply_tree(client, forum, moderator):
    thread, op, reply, nested = forum
    comment_remove(comment_id=reply.pk, moderator=moderator, reason="rude")
    status, item = get(client, f"/api/v1/items/{op.pk}")
    assert status == 200
    assert set(item) == {
        "id", "created_at", "created_at_i", "type", "author", "title", "url", "text",
        "points", "parent_id", "story_id", "children",
    }  # fmt: skip
    assert item["id"] == op.pk and item["type"] == "story" and item["author"] == "pg"
    assert item["title"] == "Lisp macros explained" and item["url"] == "https://example.com/lisp"
    # Issue 24: Hacker News' HTML, paragraphs separated by <p> rather than wrapped in it.
    assert item["text"] == "Why macros." and item["points"] == 1
    assert item["parent_id"] is None and item["story_id"] == op.pk
    assert ISO_TIME.match(item["created_at"])
    (removed,) = item["children"]
    # A removed post keeps its place for the visible replies under it, without its words.
    assert removed["id"] == reply.pk and removed["type"] == "comment"
    assert removed["author"] is None and removed["text"] is None
    (child,) = removed["children"]
    assert child["id"] == nested.pk and child["parent_id"] == reply.pk
    assert child["author"] == "pg" and child["story_id"] == op.pk and child["children"] == []
    assert "rude" not in str(item) and "rewrite" not in str(item)


def test_an_item_of_a_removed_thread_is_not_found(client, forum, moderator):
    thread, op, reply, _nested = forum
    thread_remove(thread_id=thread.pk, moderator=moderator, reason="spam")
    for pk in (op.pk, reply.pk):
        status, body = get(client, f"/api/v1/items/{pk}")
        assert status == 404 and body["status"] == 404 and body["message"]


def test_a_user(client, forum):
    status, body = get(client, "/api/v1/users/PG")
    assert status == 200
    assert body["username"] == "pg" and body["karma"] == 0 and body["about"] == ""
    assert ISO_TIME.match(body["created_at"]) and isinstance(body["created_at_i"], int)
    status, body = get(client, "/api/v1/users/nobody")
    assert status == 404 and body == {"status": 404, "message": "There is no user 'nobody'."}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/search?tags=(story",
        "/api/v1/search?tags=poll",
        "/api/v1/search?tags=author_",
        "/api/v1/search?numericFilters=points>x",
        "/api/v1/search?numericFilters=karma>1",
        "/api/v1/search?page=-1",
        "/api/v1/search?page=999",
        "/api/v1/search?hitsPerPage=abc",
        "/api/v1/search?query=a%00b",
        "/api/v1/search?query=" + "x" * 10_000,
        "/api/v1/search?query=-lisp",
        "/api/v1/search?query=author:",
        "/api/v1/items/abc",
        "/api/v1/items/99999999999999999999",
    ],
)
def test_bad_requests_answer_json_errors(client, forum, path):
    status, body = get(client, path)
    assert status == 400
    assert set(body) == {"status", "message"} and body["status"] == 400 and body["message"]


@pytest.mark.parametrize(
    "query", ["<script>", '"unbalanced', "-", "%ff%fe", "AND OR NOT", "'; DROP TABLE x; --"]
)
def test_hostile_queries_answer_json(client, forum, query):
    status, body = get(client, f"/api/v1/search?query={query}")
    assert status == 200 and set(body) == TOP_FIELDS


def test_requests_are_limited_per_address(client, forum, monkeypatch):
    monkeypatch.setattr(search_api, "API_RATE", limits.Rate(2, 60, "API requests"))
    for _ in range(2):
        assert get(client, "/api/v1/search?query=lisp")[0] == 200
    response = client.get("/api/v1/users/pg")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert (
        response.json()["status"] == 429 and "Too many API requests" in response.json()["message"]
    )
    other = client.get("/api/v1/users/pg", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200


def test_past_the_cap_hits_are_counted_as_the_cap_and_its_last_page_is_there(
    client, build, forum, monkeypatch
):
    monkeypatch.setattr(engine, "MAX_RESULTS", 5)
    _thread, op, _reply, _nested = forum
    for n in range(8):
        build.reply(op, text=f"Quine {n}.")
    _s, body = get(client, "/api/v1/search_by_date?query=quine&hitsPerPage=2")
    assert (body["nbHits"], body["exhaustiveNbHits"], body["nbPages"]) == (5, False, 3)
    _s, last = get(client, "/api/v1/search_by_date?query=quine&hitsPerPage=2&page=2")
    assert len(last["hits"]) == 1
    status, _body = get(client, "/api/v1/search_by_date?query=quine&hitsPerPage=2&page=3")
    assert status == 400


def test_relevance_ranks_the_newest_candidates_only(client, build, forum, monkeypatch):
    monkeypatch.setattr(engine, "CANDIDATES", 3)
    _thread, op, _reply, _nested = forum
    best = build.reply(op, text="Quine quine quine quine, all about quines.")
    newer = [build.reply(op, text=f"A quine, number {n}.") for n in range(3)]
    _s, body = get(client, "/api/v1/search?query=quine")
    assert set(ids(body)) == {post.pk for post in newer}
    monkeypatch.setattr(engine, "CANDIDATES", 100)
    _s, body = get(client, "/api/v1/search?query=quine")
    assert ids(body)[0] == best.pk


# Texts in Hacker News' HTML, as hn.algolia.com gives them (never the author's raw markup)

HOSTILE = (
    "carol edited <script>alert(1)</script> *it* <b>bold</b> >>alice+1 https://x.example/a\n\n"
    "Second 'part' & \"quot\" lt, for example."
)
HOSTILE_HN = (
    "carol edited &lt;script&gt;alert(1)&lt;&#x2F;script&gt; <i>it</i>"
    " &lt;b&gt;bold&lt;&#x2F;b&gt; &gt;&gt;alice+1"
    ' <a href="https:&#x2F;&#x2F;x.example&#x2F;a" rel="nofollow">'
    "https:&#x2F;&#x2F;x.example&#x2F;a</a>"
    "<p>Second &#x27;part&#x27; &amp; &quot;quot&quot; lt, for example."
)


@pytest.mark.parametrize("endpoint", ["search", "search_by_date"])
def test_search_hits_give_texts_as_hacker_news_html(client, build, forum, endpoint):
    _thread, op, _reply, _nested = forum
    comment = build.reply(op, text=HOSTILE)
    story = build.thread(title="Hostile story", text=HOSTILE)
    _s, body = get(client, f"/api/v1/{endpoint}?query=edited&tags=comment")
    (hit,) = body["hits"]
    assert hit["objectID"] == str(comment.pk)
    assert hit["comment_text"] == HOSTILE_HN
    _s, body = get(client, f"/api/v1/{endpoint}?query=edited&tags=story")
    (hit,) = body["hits"]
    assert hit["objectID"] == str(story.op_id)
    assert hit["story_text"] == HOSTILE_HN


@pytest.mark.parametrize("endpoint", ["search", "search_by_date"])
@pytest.mark.parametrize(
    ("query", "value"),
    [
        (
            "edited",
            HOSTILE_HN.replace("carol edited", "carol <em>edited</em>"),
        ),
        # A word between escaped tags is marked in the text, the escaping kept whole.
        ("bold", HOSTILE_HN.replace("&gt;bold&lt;", "&gt;<em>bold</em>&lt;")),
        # A word the search matched is marked in a link's text too, never in its address.
        (
            "example",
            HOSTILE_HN.replace(
                "https:&#x2F;&#x2F;x.example&#x2F;a</a>",
                "https:&#x2F;&#x2F;x.<em>example</em>&#x2F;a</a>",
            ).replace("for example.", "for <em>example</em>."),
        ),
        # Words are marked in the text, never inside an entity (&quot; and &lt; hold no word).
        (
            "quot lt",
            HOSTILE_HN.replace(";quot&", ";<em>quot</em>&").replace(" lt,", " <em>lt</em>,"),
        ),
    ],
)
def test_search_highlights_mark_hacker_news_html_in_its_text_only(
    client, build, forum, endpoint, query, value
):
    _thread, op, _reply, _nested = forum
    build.reply(op, text=HOSTILE)
    _s, body = get(client, f"/api/v1/{endpoint}?query={quote(query)}&tags=comment")
    (hit,) = body["hits"]
    highlight = hit["_highlightResult"]["comment_text"]
    assert highlight["value"] == value
    assert "<script" not in json.dumps(body)


def test_a_users_about_is_hacker_news_html(client, db):
    UserFactory(username="zed", about="hi <b>there</b> https://x.example")
    _status, body = get(client, "/api/v1/users/zed")
    assert body["about"] == (
        "hi &lt;b&gt;there&lt;&#x2F;b&gt; "
        '<a href="https:&#x2F;&#x2F;x.example" rel="nofollow">https:&#x2F;&#x2F;x.example</a>'
    )
