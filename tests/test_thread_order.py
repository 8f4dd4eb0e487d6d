"""A thread page in zlacker's time order and in tree order, and the reader's choice remembered."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from forum.accounts.models import User
from tests.factories import ThreadBuilder, UserFactory
from threads.models import Comment, Thread

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)

# OP by alice; bob+1 and carol+2 answer it, dave+3 answers bob+1; carol+2 has 5 points, so
# tree order (best first among siblings) puts it first, and time order does not.
HEAD = (
    "zlacker\n\nTwo orders\nsubmitted by alice+(OP) on 2024-03-01 12:00:00 | 1 point 3 comments\n"
)
TIME_ORDER = HEAD + (
    "replies(2): >>bob+1 >>carol+2\n"
    "\n"
    "◧\n"
    "1. bob+1[view] [source] 2024-03-01 12:01:00\n"
    ">>alice+(OP)\n"
    "Bob answers.\n"
    "replies(1): >>dave+3\n"
    "◧\n"
    "2. carol+2[view] [source] 2024-03-01 12:02:00\n"
    ">>alice+(OP)\n"
    "Carol answers.\n"
    "◧◩\n"
    "3. dave+3[view] [source] 2024-03-01 12:03:00\n"
    ">>bob+1\n"
    "Dave answers Bob.\n"
    "[go to top]"
)
TREE_ORDER = HEAD + (
    "replies(2): >>carol+2 >>bob+1\n"
    "\n"
    "1. carol+2[view] [source] 2024-03-01 12:02:00\n"
    ">>alice+(OP)\n"
    "Carol answers.\n"
    "2. bob+1[view] [source] 2024-03-01 12:01:00\n"
    ">>alice+(OP)\n"
    "Bob answers.\n"
    "replies(1): >>dave+3\n"
    "◧◩\n"
    "3. dave+3[view] [source] 2024-03-01 12:03:00\n"
    ">>bob+1\n"
    "Dave answers Bob.\n"
    "[go to top]"
)


@pytest.fixture
def two_orders(db):
    build = ThreadBuilder()
    alice, bob, carol, dave = (
        UserFactory(username=name) for name in ("alice", "bob", "carol", "dave")
    )
    thread = build.thread(title="Two orders", author=alice)
    op = build.op(thread)
    b = build.reply(op, "Bob answers.", bob)
    c = build.reply(op, "Carol answers.", carol)
    d = build.reply(b, "Dave answers Bob.", dave)
    for n, post in enumerate([op, b, c, d]):
        Comment.objects.filter(pk=post.pk).update(created_at=START + timedelta(minutes=n))
    Comment.objects.filter(pk=c.pk).update(points=5)
    Thread.objects.filter(pk=thread.pk).update(created_at=START, version=thread.version + 1)
    return {"op": op, "bob": b, "carol": c, "dave": d, "url": f"/item?id={op.pk}"}


def text(client, url: str) -> str:
    response = client.get(f"{url}&format=txt")
    assert response.status_code == 200
    return response.content.decode()


def articles(html: str) -> list[dict]:
    """The posts of a page in the order they stand: id, number, name, glyphs, parent link,
    replies line."""
    found = []
    for match in re.finditer(r'<article class="[^"]*" id="(\d+)"(.*?)</article>', html, re.S):
        pk, body = match.groups()
        glyphs = re.search(r' data-g="([^"]*)"', body)
        parent = re.search(r'<a class="ref parent" href="#(\d+)">&gt;&gt;([^<]+)</a>', body)
        replies = re.search(r'<div class="replies">(.*?)</div>', body)
        found.append(
            {
                "id": int(pk),
                "number": int(re.search(r"(\d+)\. <a class=\"name\"", body)[1]),
                "name": re.search(r'<a class="name" [^>]*>([^<]+)</a>', body)[1],
                "glyphs": glyphs[1] if glyphs else "",
                "parent": (int(parent[1]), parent[2]) if parent else None,
                "replies": re.sub(r"<[^>]+>", "", replies[1]).replace("&gt;", ">")
                if replies
                else "",
            }
        )
    return found


def test_time_order_is_the_default_and_numbers_names_glyphs_and_links_follow_it(client, two_orders):
    posts = two_orders
    html = client.get(posts["url"]).content.decode()
    shown = articles(html)
    assert [post["id"] for post in shown] == [posts[n].pk for n in ("bob", "carol", "dave")]
    assert [(post["number"], post["name"]) for post in shown] == [
        (1, "bob+1"),
        (2, "carol+2"),
        (3, "dave+3"),
    ]
    assert [post["glyphs"] for post in shown] == ["◧", "◧", "◧◩"]
    op = posts["op"].pk
    assert [post["parent"] for post in shown] == [
        (op, "alice+(OP)"),
        (op, "alice+(OP)"),
        (posts["bob"].pk, "bob+1"),
    ]
    assert [post["replies"] for post in shown] == ["replies(1): >>dave+3", "", ""]
    op_section = re.sub(r"<[^>]+>", "", html.split('<article class="post')[0])
    assert "replies(2): &gt;&gt;bob+1 &gt;&gt;carol+2" in op_section
    # The other order is one link away.
    assert f'<a class="order" href="/item?id={op}&amp;order=tree"' in html
    assert text(client, posts["url"]) == TIME_ORDER
    assert text(client, posts["url"] + "&order=time") == TIME_ORDER


def test_tree_order_is_one_link_away_and_draws_as_before(client, two_orders):
    posts = two_orders
    html = client.get(posts["url"] + "&order=tree").content.decode()
    shown = articles(html)
    assert [post["id"] for post in shown] == [posts[n].pk for n in ("carol", "bob", "dave")]
    assert [(post["number"], post["name"]) for post in shown] == [
        (1, "carol+2"),
        (2, "bob+1"),
        (3, "dave+3"),
    ]
    assert [post["glyphs"] for post in shown] == ["", "", "◧◩"]
    assert [post["replies"] for post in shown] == ["", "replies(1): >>dave+3", ""]
    op_section = re.sub(r"<[^>]+>", "", html.split('<article class="post')[0])
    assert "replies(2): &gt;&gt;carol+2 &gt;&gt;bob+1" in op_section
    assert f'<a class="order" href="/item?id={posts["op"].pk}&amp;order=time"' in html
    assert text(client, posts["url"] + "&order=tree") == TREE_ORDER


def test_an_unknown_order_is_refused_with_a_sentence(client, two_orders):
    response = client.get(two_orders["url"] + "&order=random&format=txt")
    assert response.status_code == 400
    assert "The order parameter must be time or tree, not 'random'." in response.content.decode()


def test_a_browser_remembers_the_order_chosen(client, two_orders):
    url = two_orders["url"]
    assert text(client, url) == TIME_ORDER
    chosen = client.get(url + "&order=tree")
    assert chosen.cookies["order"].value == "tree"
    # The page at the address without order= now shows the choice, and its text form too;
    # another browser, sharing the same cached pages, still gets zlacker's order.
    assert articles(client.get(url).content.decode())[0]["name"] == "carol+2"
    assert text(client, url) == TREE_ORDER
    other = Client()
    assert articles(other.get(url).content.decode())[0]["name"] == "bob+1"
    assert text(other, url) == TIME_ORDER
    client.get(url + "&order=time")
    assert text(client, url) == TIME_ORDER


def test_the_page_in_each_order_has_its_own_etag(client, two_orders):
    url = two_orders["url"]
    time_etag = client.get(url)["ETag"]
    assert "Cookie" in client.get(url)["Vary"]  # the reader's remembered order picks the page
    client.get(url + "&order=tree")
    assert client.get(url, headers={"if-none-match": time_etag}).status_code == 200
    tree_etag = client.get(url)["ETag"]
    assert tree_etag != time_etag
    assert client.get(url, headers={"if-none-match": tree_etag}).status_code == 304


def test_an_account_remembers_the_order_chosen(client, two_orders):
    url = two_orders["url"]
    reader = UserFactory(username="reader")
    client.force_login(reader)
    assert articles(client.get(url).content.decode())[0]["name"] == "bob+1"
    client.get(url + "&order=tree")
    assert User.objects.get(pk=reader.pk).thread_order == "tree"
    # Another browser, logged in as the same reader, without the cookie: the account decides.
    elsewhere = Client()
    elsewhere.force_login(reader)
    assert articles(elsewhere.get(url).content.decode())[0]["name"] == "carol+2"
    assert text(elsewhere, url) == TREE_ORDER
    # A member who chose nothing reads zlacker's order from the same kept stencil.
    member = Client()
    member.force_login(UserFactory(username="member"))
    assert articles(member.get(url).content.decode())[0]["name"] == "bob+1"
    elsewhere.get(url + "&order=time")
    assert User.objects.get(pk=reader.pk).thread_order == "time"
    assert articles(client.get(url).content.decode())[0]["name"] == "bob+1"


@pytest.mark.parametrize("logged_in", [False, True])
def test_time_order_costs_the_queries_tree_order_costs(client, db, logged_in):
    build = ThreadBuilder()
    if logged_in:
        client.force_login(UserFactory(username="reader"))
    counts = {}
    for order in ("tree", "time"):
        thread = build.thread(title=f"{order} order")
        build.big_tree(thread, 300)
        url = f"/item?id={build.op(thread).pk}&order={order}"
        client.get(url)  # the remembered choice, written once, is not what is counted
        thread_bump(thread)
        with CaptureQueriesContext(connection) as cold:
            assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as kept:
            assert client.get(url).status_code == 200
        counts[order] = (len(cold), len(kept))
    assert counts["time"] == counts["tree"]


def thread_bump(thread: Thread) -> None:
    """A new version of the thread: its pages are drawn again on the next request."""
    Thread.objects.filter(pk=thread.pk).update(version=thread.version + 100)
