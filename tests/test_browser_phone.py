"""In Chromium at a phone's width: a post's header, the title row and a thread's facts read as
lines, nothing broken inside a word or run together."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browsing import log_in, seed_thread_url
from tests.factories import ThreadBuilder, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def lines_of(page, selector: str) -> list[int]:
    """The tops of the lines the first element matching `selector` is laid out on."""
    return page.evaluate(
        """(selector) => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector(selector));
        return [...new Set([...range.getClientRects()].map((r) => Math.round(r.top)))];
    }""",
        selector,
    )


def test_on_a_phone_unvote_beside_the_title_is_one_word(page):
    build = ThreadBuilder()
    thread = build.thread(
        title="A title long enough to wrap onto a second line on a phone, and more"
    )
    page.set_viewport_size(PHONE)
    log_in(page, UserFactory())
    page.goto(f"{page.base}/item?id={build.op(thread).pk}")
    page.locator(".op h1 .votes a.vote.up").click()
    expect(page.locator(".op h1 .votes a.unvote")).to_have_text("unvote")
    assert len(lines_of(page, ".op h1 .votes a.unvote")) == 1


def test_on_a_phone_a_posts_time_and_its_parent_are_on_lines_of_their_own(page):
    call_command("seed")
    page.set_viewport_size(PHONE)
    page.goto(seed_thread_url(page))
    together = page.evaluate(
        """() => [...document.querySelectorAll('main article.post')].flatMap((post) => {
            const time = post.querySelector(':scope > time').getBoundingClientRect();
            const parent = post.querySelector(':scope > .parent');
            if (!parent) return [];
            const top = parent.getBoundingClientRect().top;
            return top < time.bottom - 1 ? [post.id] : [];
        })"""
    )
    assert together == []


def test_on_a_phone_the_comment_count_never_sits_alone_on_a_line(page):
    build = ThreadBuilder()
    author = UserFactory(username="a_rather_long_name")
    thread = build.thread(title="Counted", author=author, url="https://example.com/")
    for _ in range(5):
        build.reply(build.op(thread))
    alone = []
    for path in ("/", f"/item?id={build.op(thread).pk}"):
        page.goto(page.base + path)
        for width in range(320, 431, 5):  # wherever the line happens to reach the edge
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            if page.evaluate(
                """() => {
                const meta = document.querySelector('.meta');
                const count = [...meta.querySelectorAll('.nowrap')].find(
                    (span) => span.textContent.includes('comments'));
                return count.getBoundingClientRect().left - meta.getBoundingClientRect().left < 2;
            }"""
            ):
                alone.append(f"{path} at {width}px")
    assert alone == []


def test_on_a_phone_a_reached_posts_header_keeps_its_name_and_time_whole(page):
    call_command("seed")
    page.set_viewport_size(PHONE)
    log_in(page, UserFactory())
    page.goto(seed_thread_url(page))
    broken = []
    for post in page.locator("main article.post").all()[:6]:
        post.locator(":scope > a.name").hover()
        expect(post.locator(":scope > .acts")).to_be_attached()
        pieces = post.evaluate(
            """(post) => [':scope > a.name', ':scope > time', ':scope > .parent'].filter((s) => {
                const el = post.querySelector(s);
                if (!el) return false;
                const range = document.createRange();
                range.selectNodeContents(el);
                return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1;
            })"""
        )
        broken += [f"{post.get_attribute('id')}: {piece}" for piece in pieces]
    assert broken == []


def test_a_tap_on_a_parent_link_follows_it_and_the_post_is_reached_after(
    browser_context, forum_server
):
    # A tap reaches its post only once it has landed: drawn on the way in, the post's new line
    # of actions would move the >> link from under the finger, and the first tap opened the
    # author's page instead.
    build = ThreadBuilder()
    thread = build.thread(title="Tapped")
    first = build.reply(build.op(thread), text="The first reply.")
    second = build.reply(first, text="An answer to it.")
    page = browser_context(**PHONE, has_touch=True, is_mobile=True)
    page.base = forum_server
    page.goto(f"{page.base}/item?id={build.op(thread).pk}&order=time")
    link = page.locator(f'article[id="{second.pk}"] a[href$="#{first.pk}"]').first
    aimed = link.bounding_box()
    x, y = aimed["x"] + aimed["width"] / 2, aimed["y"] + aimed["height"] / 2
    touch = page.context.new_cdp_session(page)
    touch.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x, "y": y}]}
    )
    assert link.bounding_box() == aimed  # nothing moved under the finger
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function(f"location.hash === '#{first.pk}'")
    assert "/item?" in page.url
    # Reached by the tap, the post now shows its actions.
    expect(page.locator(f'article[id="{second.pk}"] .acts')).to_contain_text("reply")


def test_on_a_phone_a_refusal_beside_a_list_rows_link_wraps_within_the_page(page):
    from tests.layout import too_wide
    from threads.services.bans import user_ban

    ThreadBuilder().thread(title="A thread to hide")
    reader = UserFactory()
    page.set_viewport_size(PHONE)
    log_in(page, reader)
    page.goto(f"{page.base}/newest")
    reason = "Posting the same link in every thread, again and again, after two warnings"
    user_ban(user=reader, moderator=UserFactory(is_staff=True), reason=reason)
    row = page.locator("li", has_text="A thread to hide")
    row.get_by_role("link", name="hide", exact=True).click()
    expect(row.locator(".vote-error")).to_contain_text("after two warnings")
    assert too_wide(page) == []
