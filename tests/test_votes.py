"""Votes and karma: the rules of the services, the /vote endpoint, and concurrent votes."""

import random
import re
import threading
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F, Sum
from django.test import Client
from django.utils import timezone

from forum.accounts.models import User
from forum.exceptions import ForumError
from tests.factories import ThreadBuilder, UserFactory
from tests.servers import gunicorn
from threads.models import Comment, Thread, Vote
from threads.services.bans import user_ban
from threads.services.moderation import thread_remove
from threads.services.posting import comment_delete
from threads.services.votes import comment_vote, vote_withdraw


@pytest.fixture
def post(build):
    thread = build.thread(title="Votes")
    return build.reply(build.op(thread), text="A post worth a vote.")


def refusal(call, **kwargs) -> ForumError:
    with pytest.raises(ForumError) as caught:
        call(**kwargs)
    return caught.value


def points_of(comment: Comment) -> int:
    return Comment.objects.values_list("points", flat=True).get(pk=comment.pk)


def karma_of(user: User) -> int:
    return User.objects.values_list("karma", flat=True).get(pk=user.pk)


def assert_karma_is_the_sum_of_points():
    """Every user's karma is what their posts and threads received beyond their first point."""
    received = dict(
        Comment.objects.order_by()
        .values("author")
        .annotate(received=Sum(F("points") - 1))
        .values_list("author", "received")
    )
    for user_id, karma in User.objects.values_list("pk", "karma"):
        assert karma == received.get(user_id, 0)
    for thread in Thread.objects.all():
        assert thread.points == Comment.objects.get(tree_id=thread.pk, level=0).points


# The rules


def test_an_upvote_adds_a_point_to_the_post_and_to_its_author(post, user):
    comment_vote(comment_id=post.pk, user=user, direction="up")
    assert points_of(post) == 2
    assert karma_of(post.author) == 1
    assert karma_of(user) == 0


def test_a_second_vote_on_the_same_post_is_refused_and_counts_once(post, user):
    comment_vote(comment_id=post.pk, user=user, direction="up")
    error = refusal(comment_vote, comment_id=post.pk, user=user, direction="up")
    assert error.status == 409 and str(error) == "You have already voted on this post."
    assert points_of(post) == 2 and Vote.objects.count() == 1


def test_nobody_votes_on_their_own_post(post):
    error = refusal(comment_vote, comment_id=post.pk, user=post.author, direction="up")
    assert error.status == 403 and str(error) == "You cannot vote on your own post."
    assert points_of(post) == 1 and karma_of(post.author) == 0


def test_a_thread_vote_is_on_its_opening_post_and_moves_the_thread_points(build, user):
    thread = build.thread(title="Upvote me")
    comment_vote(comment_id=build.op(thread).pk, user=user, direction="up")
    thread.refresh_from_db()
    assert thread.points == 2 and points_of(build.op(thread)) == 2
    assert karma_of(thread.author) == 1


def test_threads_cannot_be_downvoted(build, settings):
    settings.FORUM_DOWNVOTE_KARMA = 0
    thread = build.thread()
    error = refusal(
        comment_vote, comment_id=build.op(thread).pk, user=UserFactory(), direction="down"
    )
    assert error.status == 403 and "not down" in str(error)


def test_downvoting_needs_the_karma_threshold(post, settings):
    settings.FORUM_DOWNVOTE_KARMA = 3
    voter = UserFactory(karma=2)
    error = refusal(comment_vote, comment_id=post.pk, user=voter, direction="down")
    assert str(error) == "Downvoting needs 3 karma; you have 2."
    User.objects.filter(pk=voter.pk).update(karma=3)
    comment_vote(comment_id=post.pk, user=voter, direction="down")
    assert points_of(post) == 0 and karma_of(post.author) == -1


def test_no_downvote_takes_a_post_below_minus_four(post, settings):
    settings.FORUM_DOWNVOTE_KARMA = 0
    for _ in range(5):
        comment_vote(comment_id=post.pk, user=UserFactory(), direction="down")
    assert points_of(post) == -4
    error = refusal(comment_vote, comment_id=post.pk, user=UserFactory(), direction="down")
    assert str(error) == "This post is at -4 points, the lowest a post can go."
    assert points_of(post) == -4 and karma_of(post.author) == -5
    comment_vote(comment_id=post.pk, user=UserFactory(), direction="up")
    assert points_of(post) == -3


def test_a_vote_can_be_taken_back_within_the_hour(post, user):
    comment_vote(comment_id=post.pk, user=user, direction="up")
    vote_withdraw(comment_id=post.pk, user=user, now=timezone.now() + timedelta(minutes=59))
    assert points_of(post) == 1 and karma_of(post.author) == 0
    assert not Vote.objects.exists()
    comment_vote(comment_id=post.pk, user=user, direction="up")
    assert points_of(post) == 2


def test_a_vote_older_than_an_hour_stays(post, user):
    comment_vote(comment_id=post.pk, user=user, direction="up")
    later = timezone.now() + timedelta(hours=1, seconds=1)
    error = refusal(vote_withdraw, comment_id=post.pk, user=user, now=later)
    assert error.status == 403 and "for an hour" in str(error)
    assert points_of(post) == 2 and Vote.objects.count() == 1


def test_taking_back_a_vote_never_cast_is_refused(post, user):
    error = refusal(vote_withdraw, comment_id=post.pk, user=user)
    assert error.status == 404 and str(error) == "You have not voted on this post."


def test_deleted_and_missing_posts_take_no_votes(post, user):
    comment_delete(comment_id=post.pk, user=post.author)
    assert refusal(comment_vote, comment_id=post.pk, user=user, direction="up").status == 403
    assert refusal(comment_vote, comment_id=10**9, user=user, direction="up").status == 404
    assert refusal(comment_vote, comment_id=post.pk, user=user, direction="sideways").status == 400


def test_a_banned_user_cannot_vote(client, post, user):
    user_ban(user=user, moderator=UserFactory(), reason="vote ring")
    assert "banned" in str(refusal(comment_vote, comment_id=post.pk, user=user, direction="up"))
    client.force_login(user)
    answer = client.post(f"/vote?id={post.pk}&how=up", HTTP_ACCEPT="application/json")
    assert answer.status_code == 403
    assert points_of(post) == 1


def test_karma_is_the_sum_of_points_after_any_sequence_of_votes(build, settings):
    settings.FORUM_DOWNVOTE_KARMA = 0
    rng = random.Random(8)
    people = [UserFactory() for _ in range(6)]
    threads = [build.thread(author=rng.choice(people)) for _ in range(2)]
    posts = [build.op(thread) for thread in threads]
    for _ in range(12):
        posts.append(build.reply(rng.choice(posts), author=rng.choice(people)))
    outcomes = {"voted": 0, "withdrawn": 0, "refused": 0}
    for _ in range(400):
        voter, target = rng.choice(people), rng.choice(posts)
        voter.refresh_from_db()
        try:
            if rng.random() < 0.35:
                vote_withdraw(comment_id=target.pk, user=voter)
                outcomes["withdrawn"] += 1
            else:
                direction = rng.choice(["up", "up", "down"])
                comment_vote(comment_id=target.pk, user=voter, direction=direction)
                outcomes["voted"] += 1
        except ForumError:
            outcomes["refused"] += 1
        assert_karma_is_the_sum_of_points()
    # The walk went through every kind of step, so the invariant was tested on each.
    assert all(count > 20 for count in outcomes.values())
    for comment in Comment.objects.all():
        assert comment.points == 1 + sum(comment.votes.values_list("value", flat=True))
        assert comment.points >= -4


# Two votes at once


def _at_once(count: int, work) -> list:
    """Runs work(i) in count threads released together; returns what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread met
            results[i] = error
        finally:
            connection.close()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return results


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_from_one_user_count_once():
    builder = ThreadBuilder()
    post = builder.reply(builder.op(builder.thread()), text="Vote for me, twice.")
    voter = UserFactory()
    results = _at_once(
        6, lambda i: comment_vote(comment_id=post.pk, user=voter, direction="up").points
    )
    accepted = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ForumError)]
    assert len(accepted) == 1 and len(refused) == 5, results
    assert all(error.status == 409 for error in refused)
    assert Vote.objects.filter(comment=post).count() == 1
    assert points_of(post) == 2 and karma_of(post.author) == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_from_many_users_all_count():
    builder = ThreadBuilder()
    thread = builder.thread()
    op = builder.op(thread)
    voters = [UserFactory() for _ in range(6)]
    results = _at_once(
        6, lambda i: comment_vote(comment_id=op.pk, user=voters[i], direction="up").pk
    )
    assert results == [op.pk] * 6
    thread.refresh_from_db()
    assert thread.points == 7 and points_of(op) == 7 and karma_of(thread.author) == 6


# The /vote endpoint


def test_voting_without_javascript_confirms_then_goes_back_to_the_post(client, post, user):
    client.force_login(user)
    page = client.get(f"/vote?id={post.pk}&how=up")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'action="/vote?id={post.pk}&amp;how=up"' in html and "csrfmiddlewaretoken" in html
    assert "vote up" in html and "A post worth a vote." in html
    response = client.post(f"/vote?id={post.pk}&how=up")
    assert response.status_code == 302
    op_id = Comment.objects.get(tree_id=post.tree_id, level=0).pk
    assert response["Location"] == f"/item?id={op_id}#{post.pk}"
    assert points_of(post) == 2


def test_a_thread_vote_page_counts_its_points_in_words(client, build, user):
    op = build.op(build.thread(title="Counted"))
    client.force_login(user)
    assert "| 1 point</p>" in client.get(f"/vote?id={op.pk}&how=up").content.decode()
    comment_vote(comment_id=op.pk, user=UserFactory(), direction="up")
    assert "| 2 points</p>" in client.get(f"/vote?id={op.pk}&how=up").content.decode()


def test_voting_with_javascript_answers_json(client, post, user):
    client.force_login(user)
    response = client.post(f"/vote?id={post.pk}&how=up", HTTP_ACCEPT="application/json")
    assert response.json() == {"id": post.pk, "points": 2, "vote": 1, "thread": False}
    response = client.post(f"/vote?id={post.pk}&how=un", HTTP_ACCEPT="application/json")
    assert response.json() == {"id": post.pk, "points": 1, "vote": 0, "thread": False}


def test_a_refused_vote_says_why(client, post):
    client.force_login(post.author)
    page = client.post(f"/vote?id={post.pk}&how=up")
    assert page.status_code == 403
    assert "You cannot vote on your own post." in page.content.decode()
    answer = client.post(f"/vote?id={post.pk}&how=up", HTTP_ACCEPT="application/json")
    assert answer.status_code == 403
    assert answer.json() == {"error": "You cannot vote on your own post."}


def test_a_vote_that_would_be_refused_is_refused_before_the_confirmation(client, post, user):
    client.force_login(post.author)
    own = client.get(f"/vote?id={post.pk}&how=up")
    assert own.status_code == 403
    assert "You cannot vote on your own post." in own.content.decode()
    assert "<button" not in own.content.decode().split("<main")[-1]
    client.force_login(user)
    down = client.get(f"/vote?id={post.pk}&how=down")
    assert down.status_code == 403 and "Downvoting needs" in down.content.decode()
    assert client.get(f"/vote?id={post.pk}&how=up").status_code == 200


def test_bad_vote_requests_get_clear_errors(client, post, user):
    client.force_login(user)
    assert client.post(f"/vote?id={post.pk}&how=sideways").status_code == 400
    assert client.post("/vote?id=abc&how=up").status_code == 400
    assert client.post("/vote?id=999999&how=up").status_code == 404
    assert client.get("/vote?id=999999&how=up").status_code == 404
    assert client.delete(f"/vote?id={post.pk}&how=up").status_code == 405


def test_a_vote_on_a_post_of_a_removed_thread_says_the_thread_was_removed(client, post, user):
    thread_remove(thread_id=post.tree_id, moderator=UserFactory(is_staff=True), reason="spam")
    client.force_login(user)
    for answer in (
        client.get(f"/vote?id={post.pk}&how=up"),
        client.post(f"/vote?id={post.pk}&how=up"),
        client.post(f"/flag?id={post.pk}", {"reason": "spam"}),
    ):
        assert answer.status_code == 404
        assert "This thread was removed by a moderator." in answer.content.decode()
    assert points_of(post) == 1


def test_voting_needs_a_login_and_a_csrf_token(post, user):
    anonymous = Client()
    response = anonymous.post(f"/vote?id={post.pk}&how=up")
    assert response.status_code == 302 and response["Location"].startswith("/login")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(f"/vote?id={post.pk}&how=up").status_code == 403
    assert points_of(post) == 1


def test_the_vote_goes_back_to_a_local_page_only(client, post, user):
    client.force_login(user)
    response = client.post(f"/vote?id={post.pk}&how=up", {"goto": "/newest"})
    assert response["Location"] == "/newest"
    client.post(f"/vote?id={post.pk}&how=un")
    response = client.post(f"/vote?id={post.pk}&how=up", {"goto": "https://evil.example/"})
    assert response["Location"].startswith("/item?id=")


# What pages show


def test_post_points_are_shown_to_their_author_only(client, post, user):
    comment_vote(comment_id=post.pk, user=user, direction="up")
    op_id = Comment.objects.get(tree_id=post.tree_id, level=0).pk
    client.force_login(post.author)
    html = client.get(f"/item?id={op_id}").content.decode()
    assert f'data-own="{post.pk}:2"' in html
    client.force_login(Comment.objects.get(pk=op_id).author)
    assert f'data-own="{op_id}:1"' in client.get(f"/item?id={op_id}").content.decode()
    client.force_login(post.author)
    profile = client.get(f"/threads?id={post.author.username}").content.decode()
    assert "2 points</span> by" in profile
    client.force_login(user)
    html = client.get(f"/item?id={op_id}").content.decode()
    assert 'data-own=""' in html and f'data-voted="{post.pk}:1"' in html
    assert "2 points" not in client.get(f"/threads?id={post.author.username}").content.decode()


def test_thread_points_are_shown_to_everyone(client, build, user):
    thread = build.thread(title="Popular")
    comment_vote(comment_id=build.op(thread).pk, user=user, direction="up")
    html = re.sub(r"<[^>]+>", "", Client().get(f"/item?id={build.op(thread).pk}").content.decode())
    assert "| 2 points | 0 comments" in html
    assert "2 points by" in re.sub(r"<[^>]+>", "", Client().get("/").content.decode())


def test_every_post_carries_the_same_arrows_for_every_reader(client, post, user):
    op_id = Comment.objects.get(tree_id=post.tree_id, level=0).pk
    anonymous = Client().get(f"/item?id={op_id}").content.decode()
    client.force_login(user)
    logged_in = client.get(f"/item?id={op_id}").content.decode()
    arrow = f'<a class="vote up" href="vote?id={post.pk}&amp;how=up"'
    assert arrow in anonymous and arrow in logged_in
    article = re.compile(rf'<article class="[^"]*" id="{post.pk}".*?</article>', re.S)
    assert article.search(anonymous).group(0) == article.search(logged_in).group(0)


def test_low_scores_fade_by_grade(client, post, settings):
    settings.FORUM_DOWNVOTE_KARMA = 0
    op_id = Comment.objects.get(tree_id=post.tree_id, level=0).pk
    grades = []
    for _ in range(5):
        comment_vote(comment_id=post.pk, user=UserFactory(), direction="down")
        html = client.get(f"/item?id={op_id}").content.decode()
        grades.append(re.search(rf'<article class="([^"]*)" id="{post.pk}"', html).group(1))
    assert grades == [f"post faded fade{n}" for n in range(1, 6)]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_votes_through_two_server_processes_count_once():
    builder = ThreadBuilder()
    post = builder.reply(builder.op(builder.thread()), text="Vote for me from two tabs.")
    voter = UserFactory()
    client = Client()
    client.force_login(voter)
    client.get(f"/vote?id={post.pk}&how=up")  # sets the CSRF cookie, as the form page does
    session, csrf = client.cookies["sessionid"].value, client.cookies["csrftoken"].value
    with gunicorn(workers=2) as base:

        def post_vote(_):
            request = urllib.request.Request(
                f"{base}/vote?id={post.pk}&how=up",
                data=b"",
                headers={
                    "Cookie": f"sessionid={session}; csrftoken={csrf}",
                    "X-CSRFToken": csrf,
                    "Accept": "application/json",
                },
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as reply:
                    return reply.status
            except urllib.error.HTTPError as error:
                return error.code

        statuses = _at_once(4, post_vote)
    assert sorted(statuses) == [200, 409, 409, 409]
    assert Vote.objects.filter(comment=post).count() == 1
    assert points_of(post) == 2 and karma_of(post.author) == 1


def test_logging_in_from_an_upvote_link_casts_the_vote_and_lands_on_the_post(client, post):
    UserFactory(username="voter")
    link = f"/vote?id={post.pk}&how=up"
    to_login = client.get(link)
    assert to_login.status_code == 302
    login_page = client.get(to_login["Location"]).content.decode()
    assert "Log in to vote." in login_page
    logged_in = client.post(
        "/login",
        {"username": "voter", "password": "correct horse battery staple", "next": link},
    )
    assert logged_in["Location"] == link
    cast = client.get(link)
    assert cast.status_code == 302
    assert cast["Location"] == f"/item?id={post.thread.op_id}#{post.pk}"
    assert points_of(post) == 2
    assert client.get(link).status_code == 409  # once: the link itself never votes


@pytest.mark.parametrize(
    ("sent_from", "reason"),
    [("/reply?id=1", "Log in to reply."), ("/flag?id=1", "Log in to flag.")],
)
def test_the_log_in_page_says_why_it_was_shown(client, db, sent_from, reason):
    assert reason in client.get("/login", {"next": sent_from}).content.decode()
    assert "Log in to" not in client.get("/login", {"next": "/newest"}).content.decode()


def test_a_link_alone_does_not_vote_for_a_reader_logged_in(client, post, user):
    client.force_login(user)
    page = client.get(f"/vote?id={post.pk}&how=up")
    assert page.status_code == 200 and points_of(post) == 1
