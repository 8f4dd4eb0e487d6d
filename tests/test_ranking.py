"""Ranking: Hacker News' formula, the front page's order and cost, replies best first."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory
from threads.core.ranking import hot_score, order_best_first
from threads.core.rows import POST_FIELDS
from threads.models import Comment, Thread
from threads.services.votes import comment_vote

NOW = timezone.now()


# The formula, on cases worked by hand: (points - 1)^0.8 / (hours + 2)^1.8


@pytest.mark.parametrize(
    ("points", "hours", "score"),
    [
        (1, 0, 0.0),  # a new post's own point counts for nothing
        (11, 0, 1.811949),  # 10^0.8 = 6.309573, 2^1.8 = 3.482202
        (5, 10, 0.034604),  # 4^0.8 = 3.031433, 12^1.8 = 87.604
        (3, 1, 0.240994),  # 2^0.8 = 1.741101, 3^1.8 = 7.224674
        (-1, 1, -0.240994),  # below one point the score sinks by the same measure
        (2, 48, 1 / 50**1.8),  # 1^0.8 = 1, 50^1.8 = 1139.91
    ],
)
def test_hot_score_by_hand(points, hours, score):
    assert hot_score(points, NOW - timedelta(hours=hours), NOW) == pytest.approx(score, abs=1e-6)


def test_a_post_from_the_future_counts_as_new():
    assert hot_score(11, NOW + timedelta(hours=5), NOW) == hot_score(11, NOW, NOW)


# The front page


def _thread(build, title, *, points=1, hours=0.0, pinned=False) -> Thread:
    thread = build.thread(title=title)
    created = timezone.now() - timedelta(hours=hours)
    Thread.objects.filter(pk=thread.pk).update(
        points=points, created_at=created, last_activity=created, is_pinned=pinned
    )
    Comment.objects.filter(tree_id=thread.pk, level=0).update(points=points)
    return thread


def _titles(html: str) -> list[str]:
    return re.findall(r'<a class="title" href="[^"]*">([^<]+)</a>', html)


def test_the_front_page_ranks_by_the_formula_with_pinned_threads_first(client, build):
    _thread(build, "fresh, no votes", points=1, hours=0)  # 0
    _thread(build, "ten votes, new", points=11, hours=0.1)  # 10^0.8 / 2.1^1.8 = 1.66
    _thread(build, "four votes, ten hours", points=5, hours=10)  # 0.0346
    _thread(build, "two votes, an hour", points=3, hours=1)  # 0.241
    _thread(build, "pinned notice", points=1, hours=100, pinned=True)
    _thread(build, "sunk", points=-2, hours=0.5)  # below zero
    assert _titles(client.get("/").content.decode()) == [
        "pinned notice",
        "ten votes, new",
        "two votes, an hour",
        "four votes, ten hours",
        "fresh, no votes",
        "sunk",
    ]


def test_newest_and_best_keep_their_own_orders(client, build):
    _thread(build, "old and loved", points=50, hours=30)
    _thread(build, "new", points=1, hours=0)
    _thread(build, "middling", points=4, hours=2)
    assert _titles(client.get("/newest").content.decode()) == ["new", "middling", "old and loved"]
    assert _titles(client.get("/best").content.decode()) == ["old and loved", "middling", "new"]


def test_only_the_newest_threads_compete_for_the_front_page(client, build, settings):
    settings.FORUM_RANK_WINDOW = 2
    _thread(build, "old favourite", points=100, hours=50)
    _thread(build, "old pinned", points=1, hours=60, pinned=True)
    _thread(build, "recent", points=2, hours=2)
    _thread(build, "latest", points=1, hours=1)
    assert _titles(client.get("/").content.decode()) == ["old pinned", "recent", "latest"]
    assert "old favourite" in _titles(client.get("/newest").content.decode())


def test_front_page_pages_follow_the_ranking(client, build):
    for n in range(35):
        _thread(build, f"thread {n:02}", points=2 + n, hours=1)
    first = _titles(client.get("/").content.decode())
    second = _titles(client.get("/?p=2").content.decode())
    assert first == [f"thread {n:02}" for n in range(34, 4, -1)]
    assert second == [f"thread {n:02}" for n in range(4, -1, -1)]


def _front_page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_the_front_page_costs_the_same_queries_for_3_or_30_threads(client, build, user):
    client.force_login(user)
    for n in range(3):
        _thread(build, f"t{n}", points=n + 1, hours=n)
    few = _front_page_queries(client)
    for n in range(3, 30):
        _thread(build, f"t{n}", points=n + 1, hours=n)
    many = _front_page_queries(client)
    assert len(_titles(client.get("/").content.decode())) == 30
    # The reader, their session, ban, hidden threads, inbox and votes, the stamp and the page.
    assert few == many <= 9


# Replies best first


def _row(pk, parent, points=1, minutes=0):
    """A post row as selectors.thread_posts returns it."""
    row = dict.fromkeys(POST_FIELDS)
    row.update(id=pk, parent_id=parent, points=points, created_at=NOW - timedelta(minutes=minutes))
    return (*row.values(), "<p>html</p>", "text")


def test_order_best_first_sorts_each_group_of_siblings_and_keeps_subtrees_together():
    rows = [  # tree order as stored: by insertion
        _row(1, None),
        _row(2, 1, points=1, minutes=50),
        _row(5, 2),
        _row(3, 1, points=6, minutes=40),
        _row(6, 3, points=1),
        _row(7, 3, points=2),
        _row(4, 1, points=3, minutes=30),
    ]
    ordered = [row[0] for row in order_best_first(rows, NOW)]
    assert ordered == [1, 3, 7, 6, 4, 2, 5]


def test_equal_scores_keep_the_order_they_were_posted_in():
    rows = [_row(1, None), _row(2, 1), _row(3, 1), _row(4, 3), _row(5, 1)]
    assert [row[0] for row in order_best_first(rows, NOW)] == [1, 2, 3, 4, 5]


def test_a_subtree_keeps_its_top_post_first():
    rows = [_row(10, 9), _row(11, 10, points=1), _row(12, 10, points=4)]
    assert [row[0] for row in order_best_first(rows, NOW)] == [10, 12, 11]


def test_the_thread_page_shows_and_numbers_replies_best_first(client, build, user):
    thread = build.thread(title="Best first")
    op = build.op(thread)
    first = build.reply(op, text="Posted first.")
    second = build.reply(op, text="Posted second, liked more.")
    answer = build.reply(first, text="An answer to the first.")
    comment_vote(comment_id=second.pk, user=user, direction="up")
    html = client.get(f"/item?id={op.pk}").content.decode()
    shown = re.findall(r'<article class="[^"]*" id="(\d+)".*?</a> (\d+)\. <a class="name"', html)
    assert shown == [(str(second.pk), "1"), (str(first.pk), "2"), (str(answer.pk), "3")]
    text = client.get(f"/item?id={op.pk}&format=txt").content.decode()
    assert text.index("Posted second") < text.index("Posted first") < text.index("An answer")
    assert f"replies(2): >>{second.name} >>{first.name}" in text
    voter = UserFactory()
    comment_vote(comment_id=first.pk, user=voter, direction="up")
    comment_vote(comment_id=first.pk, user=UserFactory(), direction="up")
    html = client.get(f"/item?id={op.pk}").content.decode()
    assert html.index(f'id="{first.pk}"') < html.index(f'id="{second.pk}"')
