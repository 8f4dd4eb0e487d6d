"""Hacker News' text, exactly: items imported from HN come back from /v0 and /api/v1/items as
they went in; posts written here are given in HN's HTML; dead items are HN's, not removals."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory
from threads.hn import story_files
from threads.models import Comment, ModerationAction, Thread
from threads.services.hn_imports import hn_story_import
from threads.services.moderation import comment_remove, thread_retitle
from threads.services.posting import comment_edit, comment_reply
from threads.text import hn_html, markup

STORY = 40_000_000
TIME = 1_700_000_000
TITLE = 'Ask HN: What\'s your "favorite" <tool> & why?'
LONG_URL = "https://example.com/" + "a-very-long-path/" * 4 + "end?x=1&y=2"


def hn_escaped(text: str) -> str:
    """HN's escaping, written out from its rules: & < > " ' and / as entities."""
    for char, entity in [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")]:
        text = text.replace(char, entity)
    return text.replace("'", "&#x27;").replace("/", "&#x2F;")


def hn_items() -> list[dict]:
    """A story and its comments as HN's API gives them: every escaping, paragraphs, italics,
    a long link HN cut at 60 characters, a code block, a dead item and a deleted one; the
    story's kids in HN's order, which is neither id nor time order."""
    long_link = (
        f'<a href="{hn_escaped(LONG_URL)}" rel="nofollow">{hn_escaped(LONG_URL[:60])}...</a>'
    )
    short_link = (
        '<a href="https:&#x2F;&#x2F;example.org&#x2F;" rel="nofollow">'
        "https:&#x2F;&#x2F;example.org&#x2F;</a>"
    )
    comment = {"type": "comment"}
    return [
        {
            "by": "pg",
            "descendants": 5,
            "id": STORY,
            "kids": [STORY + 3, STORY + 1, STORY + 2, STORY + 4],
            "score": 57,
            "text": "I&#x27;m curious: what do you reach for &amp; why?<p>Tell us.",
            "time": TIME,
            "title": TITLE,
            "type": "story",
        },
        comment
        | {
            "by": "alice",
            "id": STORY + 1,
            "kids": [STORY + 5],
            "parent": STORY,
            "text": "&gt; It&#x27;s &quot;grep&quot; &lt;3 &amp; sed&#x2F;awk."
            "<p>Nothing <i>beats</i> them.<p>Really.",
            "time": TIME + 60,
        },
        comment
        | {
            "by": "bob",
            "id": STORY + 2,
            "parent": STORY,
            "text": f"See {long_link} and {short_link}.",
            "time": TIME + 120,
        },
        comment
        | {
            "by": "carol",
            "id": STORY + 3,
            "parent": STORY,
            "text": "My script:<p><pre><code>  for f in *.txt; do\n"
            "    grep -n &quot;TODO&quot; &quot;$f&quot;\n  done\n</code></pre>\nWorks for me.",
            "time": TIME + 180,
        },
        comment
        | {
            "by": "spammer",
            "dead": True,
            "id": STORY + 4,
            "parent": STORY,
            "text": "Buy cheap &quot;tools&quot; here.",
            "time": TIME + 240,
        },
        comment
        | {"deleted": True, "id": STORY + 5, "kids": [STORY + 6], "parent": STORY + 1}
        | {"time": TIME + 300},
        comment
        | {
            "by": "rtm",
            "id": STORY + 6,
            "parent": STORY + 5,
            "text": "Still here — naïve, 日本.",
            "time": TIME + 360,
        },
    ]


def imported(items: list[dict]) -> Thread:
    """The items through import_hn's service, from the lines of a file as HN gives them."""
    lines = "\n".join(json.dumps(item) for item in reversed(items))
    return hn_story_import(story=story_files.read_story(lines))


def v0(client, item_id: int):
    response = client.get(f"/v0/item/{item_id}.json")
    assert response.status_code == 200
    return json.loads(response.content)


def expected_v0(item: dict) -> dict:
    """What /v0 gives back: the item as it went in, a dead one without the text its page hides."""
    return {
        name: value for name, value in item.items() if not (item.get("dead") and name == "text")
    }


@pytest.mark.django_db
def test_v0_gives_each_imported_item_back_field_by_field(client):
    items = hn_items()
    imported(items)
    for item in items:
        answer = v0(client, item["id"])
        expected = expected_v0(item)
        assert set(answer) == set(expected), item["id"]
        for name, value in expected.items():
            assert answer[name] == value, (item["id"], name)


@pytest.mark.django_db
def test_the_search_apis_item_gives_hn_texts_and_the_plain_title(client):
    items = hn_items()
    imported(items)
    tree = client.get(f"/api/v1/items/{STORY}").json()
    assert tree["title"] == TITLE
    nodes, todo = {}, [tree]
    while todo:
        node = todo.pop()
        nodes[node["id"]] = node
        todo.extend(node["children"])
    for item in items:
        shown = not item.get("dead") and not item.get("deleted")
        assert nodes[item["id"]]["text"] == (item["text"] if shown else None), item["id"]
    assert nodes[STORY + 4]["author"] == "spammer" and nodes[STORY + 5]["author"] is None


@pytest.mark.django_db
def test_an_algolia_tree_keeps_its_childrens_order_as_kids(client):
    items = {item["id"]: item for item in hn_items()}

    def node(item_id: int, parent: int | None) -> dict:
        item = items[item_id]
        return {
            "id": item_id,
            "created_at_i": item["time"],
            "type": item["type"],
            "author": item.get("by"),
            "text": item.get("text"),
            "title": item.get("title"),
            "points": item.get("score"),
            "parent_id": parent,
            "story_id": STORY,
            "children": [node(kid, item_id) for kid in item.get("kids", [])],
        }

    hn_story_import(story=story_files.read_story(json.dumps(node(STORY, None))))
    story = v0(client, STORY)
    assert story["kids"] == items[STORY]["kids"] and story["title"] == TITLE
    assert v0(client, STORY + 2)["text"] == items[STORY + 2]["text"]
    assert v0(client, STORY + 5)["deleted"] is True


@pytest.mark.django_db
def test_titles_are_plain_text_from_the_file_to_every_page(client):
    imported(hn_items())
    assert Thread.objects.get().title == TITLE
    assert v0(client, STORY)["title"] == TITLE
    page = client.get(f"/item?id={STORY}").content.decode()
    assert "What&#x27;s your &quot;favorite&quot; &lt;tool&gt; &amp; why?" in page
    assert TITLE in client.get(f"/item?id={STORY}&format=txt").content.decode()


@pytest.mark.django_db
def test_imported_text_reads_on_the_page_as_on_hn(client):
    imported(hn_items())
    page = client.get(f"/item?id={STORY}").content.decode()
    # A long link as HN cut it, linking to the whole address.
    href = LONG_URL.replace("&", "&amp;")
    shown = LONG_URL[:60].replace("&", "&amp;")
    assert f'<a href="{href}" rel="nofollow ugc noopener">{shown}...</a>' in page
    # Code with its lines as typed, the two spaces that make them code included.
    assert '<pre><code>  for f in *.txt; do\n    grep -n "TODO" "$f"\n  done</code></pre>' in page
    assert '<p>&gt; It\'s "grep" &lt;3 &amp; sed/awk.</p>' in page


@pytest.mark.django_db
def test_dead_items_are_dead_not_removed(moderator, build):
    client, mod_client = Client(), Client()
    mod_client.force_login(moderator)
    thread = imported(hn_items())
    dead = Comment.objects.get(pk=STORY + 4)
    assert dead.state == Comment.State.DEAD
    assert not ModerationAction.objects.exists()
    assert "spammer" not in client.get("/modlog").content.decode()
    # Counted as HN counts them: neither the dead nor the deleted is a comment to read.
    assert thread.comment_count == 4
    for reader in (client, mod_client):
        page = reader.get(f"/item?id={STORY}").content.decode()
        assert "<p>[dead]</p>" in page and "cheap" not in page
    text = client.get(f"/item?id={STORY}&format=txt").content.decode()
    assert "[dead]" in text and "cheap" not in text
    assert client.get("/api/v1/search?query=cheap").json()["hits"] == []
    assert client.get("/api/v1/search?query=grep").json()["nbHits"] == 2
    # Staff read its text at its [source], as HN's showdead shows it; no one else does.
    assert client.get(f"/source?id={dead.pk}").content.decode() == "[dead]"
    assert "Buy cheap" in mod_client.get(f"/source?id={dead.pk}").content.decode()
    with pytest.raises(Exception, match="That post is dead"):
        comment_reply(parent_id=dead.pk, author=build.op(thread).author, text="Hi")


@pytest.mark.django_db
def test_a_moderators_removal_stays_a_removal(client, moderator):
    imported(hn_items())
    comment_remove(comment_id=STORY + 6, moderator=moderator, reason="off topic")
    assert ModerationAction.objects.count() == 1
    removed = v0(client, STORY + 6)
    assert removed["dead"] is True and "by" not in removed and "text" not in removed
    page = client.get(f"/item?id={STORY}").content.decode()
    assert "[removed by moderator]" in page and "<p>[dead]</p>" in page


@pytest.mark.django_db
def test_what_changed_here_shows_and_replies_written_here_follow_hns_kids(client, moderator):
    thread = imported(hn_items())
    thread_retitle(thread_id=thread.pk, moderator=moderator, title="Tools", reason="Clearer")
    reply = comment_reply(parent_id=STORY, author=UserFactory(), text="New *here*")
    bob = Comment.objects.get(pk=STORY + 2)
    after = bob.created_at + timedelta(minutes=1)
    comment_edit(comment_id=bob.pk, editor=bob.author, text="Only https://example.org/.", now=after)
    story = v0(client, STORY)
    assert story["title"] == "Tools" and story["text"] == hn_items()[0]["text"]
    assert story["kids"] == [STORY + 3, STORY + 1, STORY + 2, STORY + 4, reply.pk]
    assert v0(client, bob.pk)["text"] == (
        'Only <a href="https:&#x2F;&#x2F;example.org&#x2F;" rel="nofollow">'
        "https:&#x2F;&#x2F;example.org&#x2F;</a>."
    )
    assert v0(client, reply.pk)["text"] == "New <i>here</i>"


@pytest.mark.django_db
def test_a_users_about_is_hn_text(client):
    UserFactory(username="zed", about="I'm *here*: https://example.org/a")
    assert client.get("/v0/user/zed.json").json()["about"] == (
        "I&#x27;m <i>here</i>: "
        '<a href="https:&#x2F;&#x2F;example.org&#x2F;a" rel="nofollow">'
        "https:&#x2F;&#x2F;example.org&#x2F;a</a>"
    )


@pytest.mark.django_db
def test_a_dead_item_exported_without_its_text_keeps_it_on_import(tmp_path):
    items = hn_items()
    imported(items)
    items[4] = {name: value for name, value in items[4].items() if name != "text"}
    imported(items)
    assert "Buy cheap" in Comment.objects.get(pk=STORY + 4).text


@pytest.mark.parametrize("kids", ["12", [1, "2"], [True], {"a": 1}])
@pytest.mark.django_db
def test_kids_that_are_not_item_ids_are_refused(kids):
    items = hn_items()
    items[1]["kids"] = kids
    with pytest.raises(story_files.HnFileError, match=f"Item {STORY + 1} has the kids"):
        imported(items)
    assert not Comment.objects.exists()


# Posts written here: each markup feature and what Hacker News would write for it.
WRITTEN_HERE = [
    ('It\'s "quoted" <b> & a/b', "It&#x27;s &quot;quoted&quot; &lt;b&gt; &amp; a&#x2F;b"),
    ("One\n\nTwo\n\n\nThree", "One<p>Two<p>Three"),
    ("Lines\nof one paragraph", "Lines\nof one paragraph"),
    ("Some *italic* words", "Some <i>italic</i> words"),
    (
        "See https://example.com/a?b=1&c=2.",
        'See <a href="https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2" rel="nofollow">'
        "https:&#x2F;&#x2F;example.com&#x2F;a?b=1&amp;c=2</a>.",
    ),
    (
        "https://example.com/" + "x" * 40,  # 60 characters: shown whole
        '<a href="https:&#x2F;&#x2F;example.com&#x2F;' + "x" * 40 + '" rel="nofollow">'
        "https:&#x2F;&#x2F;example.com&#x2F;" + "x" * 40 + "</a>",
    ),
    (
        "https://example.com/" + "x" * 41,  # 61: the first 60 and "..."
        '<a href="https:&#x2F;&#x2F;example.com&#x2F;' + "x" * 41 + '" rel="nofollow">'
        "https:&#x2F;&#x2F;example.com&#x2F;" + "x" * 40 + "...</a>",
    ),
    (
        "Code:\n\n  def f(x):\n      return x < 1\n\nAfter it.",
        "Code:<p><pre><code>  def f(x):\n      return x &lt; 1\n</code></pre>\nAfter it.",
    ),
    ("  x = 1\n\n  y = 2", "<p><pre><code>  x = 1\n\n  y = 2</code></pre>"),
    ("Text then\n\n  code", "Text then<p><pre><code>  code</code></pre>"),
    ("As >>alice+1 said", "As &gt;&gt;alice+1 said"),
]


@pytest.mark.parametrize("typed, hn", WRITTEN_HERE)
@pytest.mark.django_db
def test_a_post_written_here_is_given_in_hn_format(client, build, typed, hn):
    thread = build.thread(title="A/B & <c>", text=typed)
    reply = build.reply(build.op(thread), text=typed)
    assert v0(client, reply.pk)["text"] == hn
    story = v0(client, build.op(thread).pk)
    assert story["text"] == hn and story["title"] == "A/B & <c>"
    node = client.get(f"/api/v1/items/{reply.pk}").json()
    assert node["text"] == hn


_WORD = st.sampled_from(
    ["word", "it's", '"q"', "<b>", "a&b", "x/y", "*it*", "https://example.com/p", ">>ab+1"]
)
_LINES = st.lists(st.lists(_WORD, min_size=1, max_size=5).map(" ".join), min_size=1, max_size=3)
_PARAGRAPH = _LINES.map("\n".join)
_CODE = _LINES.map(lambda lines: "\n".join("  " + line for line in lines))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PARAGRAPH, _CODE), min_size=1, max_size=4).map("\n\n".join))
def test_hn_text_carries_what_the_page_shows(typed):
    """Read back as HN text is read on import, a post's HN text shows as its page does."""
    assert markup.render(hn_html.to_text(hn_html.from_markup(typed))) == markup.render(typed)


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", ["search", "search_by_date"])
def test_search_hits_of_imported_items_give_hns_text_as_it_went_in(client, endpoint):
    items = hn_items()
    # Italics holding an asterisk: the forum's markup cannot say it, so HN's own text is given.
    items[-1]["text"] = "Quokka <i>2*3</i> &amp; naïve."
    imported(items)
    body = client.get(f"/api/v1/{endpoint}?query=quokka").json()
    (hit,) = body["hits"]
    assert hit["objectID"] == str(STORY + 6)
    assert hit["comment_text"] == "Quokka <i>2*3</i> &amp; naïve."
    highlight = hit["_highlightResult"]["comment_text"]
    assert highlight["value"] == "<em>Quokka</em> <i>2*3</i> &amp; naïve."
    assert highlight["matchedWords"] == ["quokka"]
