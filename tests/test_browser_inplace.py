"""In Chromium: a member edits, favorites and hides in place, where they read; the reply box
answers the post above it; previews link references; search and lists say what they are."""

import pytest
from playwright.sync_api import expect

from tests.browsing import article, log_in, reach
from tests.factories import ThreadBuilder, UserFactory
from threads.models import Comment, Favorite, HiddenThread

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(db):
    build = ThreadBuilder()
    reader = UserFactory(username="reader")
    thread = build.thread(title="In place", text="The opening post.")
    op = build.op(thread)
    first = build.reply(op, text="A first reply.")
    mine = build.reply(first, text="My reply, *as typed*.", author=reader)
    build.reply(first, text="Another reply to the first.")
    return reader, thread, op, first, mine


def test_a_post_is_edited_in_place_and_says_how_long_is_left(page, scene):
    reader, _, op, _, mine = scene
    log_in(page, reader)
    page.goto(f"{page.base}/item?id={op.pk}")
    shown = reach(page, mine)
    shown.get_by_role("link", name="edit", exact=True).click()
    box = shown.get_by_label("Text")
    expect(box).to_have_value("My reply, *as typed*.")
    expect(shown.locator(".time-left")).to_contain_text("1 hour 59 minutes left to edit")
    box.fill("My reply, *edited* here.")
    shown.get_by_role("button", name="update").click()
    expect(shown.locator(":scope > p i")).to_have_text("edited")
    expect(shown.locator(":scope > .edited")).to_have_text("(edited)")
    expect(shown.locator("form")).to_have_count(0)
    assert page.url == f"{page.base}/item?id={op.pk}"
    assert Comment.objects.get(pk=mine.pk).text == "My reply, *edited* here."


def test_the_edit_page_without_scripts_says_how_long_is_left(browser_context, forum_server, scene):
    reader, *_, mine = scene
    page = browser_context(javascript=False)
    page.base = forum_server
    log_in(page, reader)
    page.goto(f"{forum_server}/edit?id={mine.pk}")
    expect(page.locator(".time-left")).to_contain_text("1 hour 59 minutes left to edit")


def test_favorite_and_hide_act_in_place_and_the_thread_says_so_after(page, scene):
    reader, thread, op, first, _ = scene
    log_in(page, reader)
    page.goto(f"{page.base}/item?id={op.pk}")
    tools = page.locator("section.op nav.tools")
    tools.get_by_role("link", name="favorite", exact=True).click()
    expect(tools.get_by_role("link", name="un-favorite", exact=True)).to_be_visible()
    tools.get_by_role("link", name="hide", exact=True).click()
    expect(tools.get_by_role("link", name="un-hide", exact=True)).to_be_visible()
    reach(page, first).get_by_role("link", name="favorite", exact=True).click()
    expect(article(page, first).get_by_role("link", name="un-favorite")).to_be_visible()
    assert page.url == f"{page.base}/item?id={op.pk}"
    assert Favorite.objects.filter(user=reader).count() == 2
    assert HiddenThread.objects.filter(user=reader, thread=thread).exists()
    page.reload()
    expect(tools.get_by_role("link", name="un-favorite", exact=True)).to_be_visible()
    expect(tools.get_by_role("link", name="un-hide", exact=True)).to_be_visible()
    expect(reach(page, first).get_by_role("link", name="un-favorite")).to_be_visible()
    page.goto(f"{page.base}/item?id={first.pk}")
    own = article(page, first)
    expect(own.get_by_role("link", name="un-favorite")).to_be_visible()
    own.get_by_role("link", name="un-favorite").click()
    expect(own.get_by_role("link", name="favorite", exact=True)).to_be_visible()
    page.goto(f"{page.base}/item?id={op.pk}")
    tools.get_by_role("link", name="un-hide", exact=True).click()
    expect(tools.get_by_role("link", name="hide", exact=True)).to_be_visible()
    assert list(Favorite.objects.filter(user=reader).values_list("comment", flat=True)) == [op.pk]
    assert not HiddenThread.objects.filter(user=reader).exists()


def test_without_scripts_the_fave_page_offers_to_take_back_what_is_kept(
    browser_context, forum_server, scene
):
    reader, _, op, first, _ = scene
    page = browser_context(javascript=False)
    page.base = forum_server
    log_in(page, reader)
    page.goto(f"{forum_server}/item?id={first.pk}")
    article(page, first).get_by_role("link", name="favorite", exact=True).click()
    page.get_by_role("button", name="Add to your favorites").click()
    expect(article(page, first).get_by_role("link", name="un-favorite")).to_be_visible()
    page.goto(f"{forum_server}/fave?id={first.pk}")
    expect(page.get_by_role("button", name="Add to your favorites")).to_have_count(0)
    expect(page.get_by_text("This is one of your favorites.")).to_be_visible()
    page.get_by_role("button", name="Take out of your favorites").click()
    assert not Favorite.objects.filter(user=reader).exists()


def test_the_reply_box_of_a_comment_page_is_right_under_its_post(page, scene):
    reader, _, _, first, mine = scene
    log_in(page, reader)
    page.goto(f"{page.base}/item?id={first.pk}")
    box = page.locator(".reply-form textarea").bounding_box()
    post = article(page, first).bounding_box()
    reply = article(page, mine).bounding_box()
    assert post["y"] + post["height"] <= box["y"] < reply["y"]


def test_a_preview_links_references_as_the_posted_comment_does(page, scene):
    reader, _, _, first, mine = scene
    log_in(page, reader)
    page.goto(f"{page.base}/reply?id={first.pk}")
    page.get_by_label("Text").fill(f"As >>{mine.name} said.")
    page.get_by_role("button", name="preview", exact=True).click()
    ref = page.locator("section.preview a.ref")
    expect(ref).to_have_text(f">>{mine.name}")
    expect(ref).to_have_attribute("href", f"/item?id={mine.pk}")


def test_a_search_that_cannot_be_read_keeps_the_query_and_says_why(page):
    response = page.goto(f"{page.base}/search?q=author%3A+copyright")
    assert response.status == 400
    expect(page.get_by_role("searchbox", name="Search posts")).to_have_value("author: copyright")
    expect(page.get_by_role("alert")).to_contain_text("author:")
    expect(page.locator(".search-help")).to_be_visible()


def test_favorites_headings_name_the_user_as_written(page):
    UserFactory(username="alice")
    page.goto(f"{page.base}/favorites?id=alice")
    expect(page.get_by_role("heading", level=1)).to_have_text("alice's favorite threads")
    page.goto(f"{page.base}/favorites?id=alice&comments=t")
    expect(page.get_by_role("heading", level=1)).to_have_text("alice's favorite comments")


def test_an_opening_post_is_edited_in_place_on_its_thread_page(page):
    build = ThreadBuilder()
    writer = UserFactory(username="opener")
    thread = build.thread(title="Opened", text="What I *first* wrote.", author=writer)
    op = build.op(thread)
    log_in(page, writer)
    page.goto(f"{page.base}/item?id={op.pk}")
    opening = page.locator("section.op")
    opening.locator("nav.tools").get_by_role("link", name="edit", exact=True).click()
    box = opening.get_by_label("Text")
    expect(box).to_have_value("What I *first* wrote.")
    expect(opening.locator(".text")).to_be_hidden()
    box.fill("What I *meant*.")
    opening.get_by_role("button", name="update").click()
    expect(opening.locator(".text i")).to_have_text("meant")
    expect(opening.locator(".meta .edited")).to_have_text("(edited)")
    assert Comment.objects.get(pk=op.pk).text == "What I *meant*."
