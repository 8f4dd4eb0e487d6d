"""In Chromium, against gunicorn: vote arrows post in place with JavaScript, by form without."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browsing import log_in, reach
from tests.factories import UserFactory
from threads.models import Comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    call_command("seed")


@pytest.fixture
def open_as(browser_context, forum_server):
    """A page for `user` (None: not logged in) on the module's server; no script errors."""
    opened = []

    def open_page(user, *, javascript: bool = True):
        page = browser_context(javascript=javascript)
        page.base = forum_server
        if user is not None:
            log_in(page, user)
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        assert page.errors == [], page.errors


def points(post: Comment) -> int:
    return Comment.objects.values_list("points", flat=True).get(pk=post.pk)


def test_an_arrow_votes_in_place_and_the_author_sees_the_points(open_as):
    op = Comment.objects.get(level=0)
    post = Comment.objects.get(ref=225)
    page = open_as(UserFactory())
    page.goto(f"{page.base}/item?id={op.pk}")
    page.evaluate("window.stillHere = true")
    page.locator(f'article[id="{post.pk}"] a.vote.up').click()
    unvote = page.locator(f'article[id="{post.pk}"] a.unvote')
    expect(unvote).to_be_visible(timeout=5000)
    assert page.evaluate("window.stillHere") is True  # no reload
    assert points(post) == 2
    # Downvotes need karma this reader does not have: no down arrow is offered.
    expect(page.locator("a.vote.down")).to_have_count(0)
    page.reload()
    # The arrow used is hidden; [unvote] is drawn when the reader reaches the post.
    expect(page.locator(f'article[id="{post.pk}"] > a.vote.up')).to_be_hidden()
    reach(page, post)
    expect(page.locator(f'article[id="{post.pk}"] a.unvote')).to_be_visible()
    page.locator(f'article[id="{post.pk}"] a.unvote').click()
    expect(page.locator(f'article[id="{post.pk}"] a.vote.up')).to_be_visible(timeout=5000)
    assert points(post) == 1
    page.locator("h1 a.vote.up").click()  # the thread's arrow, beside its title
    expect(page.locator(f'[data-points-for="{op.pk}"]')).to_have_text("2 points", timeout=5000)

    page.locator(f'article[id="{post.pk}"] a.vote.up').click()
    expect(page.locator(f'article[id="{post.pk}"] a.unvote')).to_be_visible(timeout=5000)
    author = open_as(post.author)
    author.goto(f"{author.base}/item?id={op.pk}")
    expect(author.locator(f'article[id="{post.pk}"] > a.vote.up')).to_be_hidden()
    expect(reach(author, post).locator(".votes")).to_have_text("2 points")


def test_a_refused_vote_shows_its_reason(open_as):
    op = Comment.objects.get(level=0)
    post = Comment.objects.get(ref=225)
    page = open_as(UserFactory())
    page.goto(f"{page.base}/item?id={op.pk}")
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


def test_without_javascript_an_arrow_leads_to_a_form_and_back(open_as):
    op = Comment.objects.get(level=0)
    post = Comment.objects.get(ref=225)
    page = open_as(UserFactory(), javascript=False)
    page.goto(f"{page.base}/item?id={op.pk}")
    page.locator(f'article[id="{post.pk}"] a.vote.up').click()
    page.get_by_role("button", name=f"vote up {post.name}").click()
    assert page.url == f"{page.base}/item?id={op.pk}#{post.pk}"
    assert points(post) == 2


@pytest.mark.parametrize("javascript", [True, False])
def test_a_reader_who_is_not_logged_in_is_offered_up_arrows_only(open_as, javascript):
    page = open_as(None, javascript=javascript)
    page.goto(f"{page.base}/item?id={Comment.objects.get(level=0).pk}")
    expect(page.locator("article.post a.vote.up").first).to_be_visible()
    # The shared HTML offers ▼ on no post; vote.js adds it for readers with karma.
    page.locator("article.post > a.name").first.hover()
    assert page.locator("a.vote.down:visible").count() == 0
    # A post's own page offers it, hidden from a reader who is not logged in.
    page.locator("article.post > a.name").first.click()
    assert page.locator("a.vote.down").count() > 0
    expect(page.locator("a.vote.down").first).to_be_hidden()


def test_tabbing_onto_a_posts_arrow_keeps_the_focus_on_it(open_as):
    # A keyboard reader who tabs to a post's ▲ reaches the post; the arrow drawn for them must
    # take the focus, not leave it on the page's body (screen readers then say nothing).
    op = Comment.objects.get(level=0)
    post = Comment.objects.get(ref=225)
    page = open_as(UserFactory())
    page.goto(f"{page.base}/item?id={op.pk}")
    arrow = page.locator(f'article[id="{post.pk}"] > a.vote.up')
    page.evaluate(
        """(el) => { const links = [...document.querySelectorAll('a[href], button')];
                     links[links.indexOf(el) - 1].focus(); }""",
        arrow.element_handle(),
    )
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => { const el = document.activeElement, post = el.closest('article');
                   return [el.tagName, el.className, post && post.id]; }"""
    )
    assert focused == ["A", "vote up", str(post.pk)]
