"""A chain of ten thousand replies: pages grow with the posts, not their depth; no recursion."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.factories import ThreadBuilder
from threads.models import Comment
from threads.text import hn_html, zlacker

pytestmark = [pytest.mark.slow]

DEPTH = 10_000
# What a post may cost beyond its own text, in a page of posts.
PER_POST = 2048


@pytest.fixture
def chain(db):
    build = ThreadBuilder()
    thread = build.thread(title="All the way down", text="The top.")
    ids = build.chain(thread, DEPTH)
    texts = sum(len(f"Reply {n}.".encode()) for n in range(1, DEPTH + 1))
    return {"op": ids[0], "first": ids[1], "deepest": ids[-1], "ids": ids, "texts": texts}


def test_a_chain_of_ten_thousand_replies_costs_its_posts_not_their_depth_squared(client, chain):
    for order in ("time", "tree"):
        for suffix in ("", "&format=txt"):
            response = client.get(f"/item?id={chain['op']}&order={order}{suffix}")
            assert response.status_code == 200
            size = len(response.content)
            assert size - chain["texts"] <= PER_POST * DEPTH, (order, suffix, size)
    discussion = client.get(f"/discussion?id={chain['deepest']}&format=txt")
    assert discussion.status_code == 200
    assert len(discussion.content) - chain["texts"] <= PER_POST * DEPTH


def test_past_the_glyphs_a_mark_tells_the_level(client, chain):
    page = client.get(f"/item?id={chain['op']}&format=txt").content.decode()
    levels = zlacker.GLYPH_LEVELS
    assert f"\n{zlacker.glyphs(levels)}\n{levels}. " in page
    assert f"\n{zlacker.GLYPHS}…⟨depth {levels + 1}⟩\n{levels + 1}. " in page
    assert f"\n{zlacker.GLYPHS}…⟨depth {DEPTH}⟩\n{DEPTH}. " in page
    html = client.get(f"/item?id={chain['op']}").content.decode()
    assert f'data-depth="{DEPTH}" data-g="{zlacker.GLYPHS}…⟨depth {DEPTH}⟩"' in html


def test_the_item_api_answers_a_chain_of_ten_thousand(client, chain):
    for post, levels in ((chain["op"], DEPTH + 1), (chain["first"], DEPTH)):
        response = client.get(f"/api/v1/items/{post}")
        assert response.status_code == 200
        # Python's json module cannot read 10,000 levels either: each item's fields are read
        # on their own, between the "children" that nest them.
        *heads, tail = response.content.decode().split('"children": [')
        assert tail == "]}" * levels
        items = [json.loads(head + '"children": []}') for head in heads]
        assert [item["id"] for item in items] == chain["ids"][-levels:]
        assert items[-1]["text"] == hn_html.from_markup(
            Comment.objects.get(pk=chain["deepest"]).text
        )
        parents = [item["parent_id"] for item in items[1:]]
        assert parents == [item["id"] for item in items[:-1]]


def test_the_tree_checker_walks_a_chain_of_ten_thousand(chain):
    out = StringIO()
    call_command("check_trees", stdout=out)
    assert out.getvalue() == "Every tree is sound.\n"
