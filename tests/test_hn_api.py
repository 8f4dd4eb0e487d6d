"""Hacker News' item API (v0): HN's paths and fields, hidden posts kept hidden, caching, limits."""

import json

import pytest

from tests.factories import UserFactory
from threads.hn import item_api
from threads.models import Comment
from threads.services.moderation import comment_remove
from threads.services.posting import comment_delete

# https://github.com/HackerNews/API: the fields each kind of item may have, and their types.
STORY_FIELDS = {
    "id": int,
    "by": str,
    "time": int,
    "type": str,
    "title": str,
    "score": int,
    "descendants": int,
    "kids": list,
    "url": str,
    "text": str,
}
COMMENT_FIELDS = {
    "id": int,
    "by": str,
    "time": int,
    "type": str,
    "parent": int,
    "kids": list,
    "text": str,
}
USER_FIELDS = {"id": str, "created": int, "karma": int, "about": str, "submitted": list}


def get(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, response.content
    assert response["Access-Control-Allow-Origin"] == "*"
    return json.loads(response.content)


def assert_fields(value: dict, allowed: dict, required: set):
    assert required <= set(value), value
    for name, found in value.items():
        assert name in allowed, f"{name} is not one of HN's fields"
        assert isinstance(found, allowed[name]), (name, found)


@pytest.fixture
def thread(build):
    author = UserFactory(username="alice")
    thread = build.thread(title="Ask HN: what now?", text="First\n\nSecond *it*", author=author)
    op = build.op(thread)
    first = build.reply(op, text="A reply https://example.com/x")
    build.reply(first, text="Below it")
    return thread


@pytest.mark.django_db
def test_a_story_has_hn_fields(client, build, thread):
    op = build.op(thread)
    story = get(client, f"/v0/item/{op.pk}.json")
    assert_fields(story, STORY_FIELDS, {"id", "by", "time", "type", "title", "score", "kids"})
    assert story["type"] == "story" and story["by"] == "alice" and story["descendants"] == 2
    assert story["text"] == "First<p>Second <i>it</i>"
    assert story["time"] == int(op.created_at.timestamp())


@pytest.mark.django_db
def test_a_comment_has_hn_fields_and_its_kids(client, build, thread):
    op = build.op(thread)
    first = Comment.objects.get(thread=thread, ref=1)
    comment = get(client, f"/v0/item/{first.pk}.json")
    assert_fields(comment, COMMENT_FIELDS, {"id", "by", "time", "type", "parent", "text"})
    assert comment["parent"] == op.pk and comment["type"] == "comment"
    assert comment["kids"] == [Comment.objects.get(thread=thread, ref=2).pk]
    # Issue 24: HN writes every / of a text as &#x2F;, in its links' addresses too.
    assert '<a href="https:&#x2F;&#x2F;example.com&#x2F;x" rel="nofollow">' in comment["text"]


@pytest.mark.django_db
def test_unknown_items_and_users_are_null(client, thread):
    assert get(client, "/v0/item/999999.json") is None
    for odd in ("-1", "abc", "1.5", "99999999999999999999", "%C2%B2"):
        response = client.get(f"/v0/item/{odd}.json")
        assert response["Content-Type"].startswith("application/json"), odd
        assert get(client, f"/v0/item/{odd}.json") is None, odd
    assert get(client, "/v0/user/nobody.json") is None


@pytest.mark.django_db
def test_a_user_has_hn_fields(client, thread):
    user = get(client, "/v0/user/alice.json")
    assert_fields(user, USER_FIELDS, {"id", "created", "karma", "submitted"})
    assert user["submitted"] == [Comment.objects.get(thread=thread, level=0).pk]


@pytest.mark.django_db
def test_story_lists_follow_the_pages(client, build, thread):
    build.thread(title="Show HN: a thing")
    build.thread(title="Plain")
    ids = get(client, "/v0/newstories.json")
    assert len(ids) == 3
    assert get(client, "/v0/topstories.json")[0] in ids
    assert sorted(get(client, "/v0/beststories.json")) == sorted(ids)
    assert get(client, "/v0/askstories.json") == [build.op(thread).pk]
    assert len(get(client, "/v0/showstories.json")) == 1
    assert get(client, "/v0/jobstories.json") == []
    assert get(client, "/v0/maxitem.json") == Comment.objects.latest("pk").pk
    updates = get(client, "/v0/updates.json")
    assert set(updates) == {"items", "profiles"} and "alice" in updates["profiles"]


@pytest.mark.django_db
def test_pretty_printing_indents(client, thread):
    assert b"\n  " in client.get("/v0/user/alice.json?print=pretty").content


@pytest.mark.django_db
def test_an_unchanged_item_answers_304_and_a_reply_changes_it(client, build, thread):
    op = build.op(thread)
    first = client.get(f"/v0/item/{op.pk}.json")
    again = client.get(f"/v0/item/{op.pk}.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    build.reply(op, text="Another")
    changed = client.get(f"/v0/item/{op.pk}.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and len(json.loads(changed.content)["kids"]) == 2


@pytest.mark.django_db
def test_hidden_posts_never_leak(client, build, thread, admin_user):
    op = build.op(thread)
    gone = {
        "deleted": build.reply(op, text="SECRET deleted"),
        "removed": build.reply(op, text="SECRET removed"),
    }
    comment_delete(comment_id=gone["deleted"].pk, user=gone["deleted"].author)
    comment_remove(comment_id=gone["removed"].pk, moderator=admin_user, reason="spam")
    Comment.objects.filter(pk=Comment.objects.get(thread=thread, ref=2).pk).update(
        state=Comment.State.FLAGGED
    )
    flagged = Comment.objects.get(thread=thread, ref=2)
    assert get(client, f"/v0/item/{gone['deleted'].pk}.json")["deleted"] is True
    for post in (gone["removed"], flagged):
        item = get(client, f"/v0/item/{post.pk}.json")
        assert item["dead"] is True and "text" not in item and "by" not in item
    for post in gone.values():
        submitted = get(client, f"/v0/user/{post.author.username}.json")["submitted"]
        assert post.pk not in submitted
    everything = b"".join(
        client.get(path).content
        for path in ("/v0/updates.json", *(f"/v0/item/{p.pk}.json" for p in gone.values()))
    )
    assert b"SECRET" not in everything and b"Below it" not in everything


@pytest.mark.django_db
def test_too_many_requests_answer_429(client, thread, settings, monkeypatch):

    monkeypatch.setattr(item_api, "API_REQUESTS", item_api.limits.Rate(3, 60, "API requests"))
    statuses = [client.get("/v0/maxitem.json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/v0/maxitem.json")
    assert int(refused["Retry-After"]) > 0


@pytest.mark.slow
def test_a_client_reads_the_api_through_gunicorn(gunicorn, build, thread):
    # hn-api-client, from PyPI, written for Hacker News' own API: only its address changes.
    from hacker_news_client import HackerNewsClient

    server = gunicorn()
    client = HackerNewsClient(base_url=f"{server.url}/v0")
    top = client.top_story_ids()
    assert client.new_story_ids()[0] == top[0]
    story = client.item(top[0])
    assert story.type == "story" and story.title == "Ask HN: what now?"
    comment = client.item(story.kids[0])
    assert comment.type == "comment" and comment.parent == story.id
    assert client.user(story.by).submitted == (story.id,)
    assert client.max_item() >= comment.id
