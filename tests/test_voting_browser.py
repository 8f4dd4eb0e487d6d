"""In Chromium, against gunicorn: vote arrows post in place with JavaScript, by form without."""

import os

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from playwright.sync_api import expect, sync_playwright

from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import UserFactory
from tests.servers import gunicorn
from threads.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server():
    call_command("seed")
    with gunicorn(workers=2) as base:
        yield base


def session_cookie(user, base: str) -> dict:
    """A logged-in session for the user, made in the test database the server reads."""
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}


@pytest.fixture
def browse(server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # Database calls made while Playwright's loop runs use a connection of their own, which
        # an earlier test may have left open and PostgreSQL may since have closed.
        connections.close_all()

        def open_as(user, *, javascript: bool = True):
            context = browser.new_context(java_script_enabled=javascript)
            if user is not None:
                context.add_cookies([session_cookie(user, server)])
            page = context.new_page()
            page.on("pageerror", lambda error: errors.append(str(error)))
            return page

        yield server, open_as
        browser.close()
        connections.close_all()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert errors == [], errors


def points(post: Comment) -> int:
    return Comment.objects.values_list("points", flat=True).get(pk=post.pk)


def test_an_arrow_votes_in_place_and_the_author_sees_the_points(browse):
    base, open_as = browse
    op = Comment.objects.get(level=0)
    post = Comment.objects.get(ref=225)
    page = open_as(UserFactory())
    page.goto(f"{base}/item?id={op.pk}")
    page.evaluate("window.stillHere = true")
    page.locator(f'article[id="{post.pk}"] a.vote.up').click()
    unvote = page.locator(f'article[id="{post.pk}"] a.unvote')
    expect(unvote).to_be_visible(timeout=5000)
    assert page.evaluate("window.stillHere") is True  # no reload
    assert points(post) == 2
    # Downvotes need karma this reader does not have: no down arrow is offered.
    expect(page.locator("a.vote.down")).to_have_count(0)
    page.reload()
    expect(page.locator(f'article[id="{post.pk}"] a.unvote')).to_be_visible()
    page.locator(f'article[id="{post.pk}"] a.unvote').click()
    expect(page.locator(f'article[id="{post.pk}"] a.vote.up')).to_be_visible(timeout=5000)
    assert points(post) == 1
    page.locator("h1 a.vote.up").click()  # the thread's arrow, beside its title
    expect(page.locator(f'[data-points-for="{op.pk}"]')).to_have_text("2 points", timeout=5000)

    page.locator(f'article[id="{post.pk}"] a.vote.up').click()
    expect(page.locator(f'article[id="{post.pk}"] a.unvote')).to_be_visible(timeout=5000)
    author = open_as(post.author)
    author.goto(f"{base}/item?id={op.pk}")
    expect(author.locator(f'article[id="{post.pk}"] .votes')).to_have_text("2 points")


def test_a_refused_vote_shows_its_reason(browse):
    base, open_as = browse
    op = Comment.objects.get(level=0)
    post = Comment.objects.get(ref=225)
    page = open_as(UserFactory())
    page.goto(f"{base}/item?id={op.pk}")
    # Another tab of the same reader voted first: this click is refused, and says so.
    page.evaluate(
        """async (id) => {
            const token = document.querySelector('input[name=csrfmiddlewaretoken]').value;
            await fetch(`/vote?id=${id}&how=up`, {method: 'POST', headers: {'X-CSRFToken': token}});
        }""",
        post.pk,
    )
    page.locator(f'article[id="{post.pk}"] a.vote.up').click()
    expect(page.locator(".vote-error")).to_have_text(
        " You have already voted on this post.", timeout=5000
    )
    assert points(post) == 2


def test_without_javascript_an_arrow_leads_to_a_form_and_back(browse):
    base, open_as = browse
    op = Comment.objects.get(level=0)
    post = Comment.objects.get(ref=225)
    page = open_as(UserFactory(), javascript=False)
    page.goto(f"{base}/item?id={op.pk}")
    page.locator(f'article[id="{post.pk}"] a.vote.up').click()
    page.get_by_role("button", name=f"vote up {post.name}").click()
    assert page.url == f"{base}/item?id={op.pk}#{post.pk}"
    assert points(post) == 2


@pytest.mark.parametrize("javascript", [True, False])
def test_a_reader_who_is_not_logged_in_is_offered_up_arrows_only(browse, javascript):
    base, open_as = browse
    page = open_as(None, javascript=javascript)
    page.goto(f"{base}/item?id={Comment.objects.get(level=0).pk}")
    expect(page.locator("article.post a.vote.up").first).to_be_visible()
    assert page.locator("a.vote.down").count() > 0  # in the shared HTML, for those with karma
    expect(page.locator("a.vote.down").first).to_be_hidden()
    assert page.locator("a.vote.down:visible").count() == 0
