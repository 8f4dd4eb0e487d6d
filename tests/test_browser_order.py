"""In Chromium: a thread in time order, where a post's replies do not stand right below it, and a
thread deeper than its glyphs."""

import re

import pytest
from playwright.sync_api import expect

from tests.browsing import article, fold_button, letter_tree, log_in
from tests.factories import ThreadBuilder, UserFactory
from threads.models import Comment
from threads.text import zlacker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tree(transactional_db):
    """Written a, e, b, d, c: time order a e b d c, tree order a b c d e."""
    return letter_tree("Two orders", written="aebdc")


def standing(page) -> list[str]:
    """The posts' ids in the order they stand on the page."""
    return page.locator("main article.post").evaluate_all("posts => posts.map(p => p.id)")


def ids(tree, letters: str) -> list[str]:
    return [str(tree[letter].pk) for letter in letters]


def current_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_folding_in_time_order_folds_a_post_with_its_replies_wherever_they_stand(page, tree):
    page.goto(page.base + tree["url"])
    assert standing(page) == ids(tree, "aebdc")
    expect(article(page, tree["a"])).to_have_attribute("data-g", "◧")
    button = fold_button(page, tree["a"])
    button.click()
    expect(button).to_have_text("[+4]")
    expect(article(page, tree["a"]).locator(".hidden-count")).to_have_text("4 posts hidden")
    for letter in "bcd":
        expect(article(page, tree[letter])).to_be_hidden()
    expect(article(page, tree["e"]).locator(":scope > p")).to_be_visible()
    button.click()
    for letter in "abcde":
        expect(article(page, tree[letter]).locator(":scope > p")).to_be_visible()

    # An inner fold stays under an outer one, across a reload.
    fold_button(page, tree["b"]).click()
    expect(article(page, tree["c"])).to_be_hidden()
    expect(article(page, tree["d"]).locator(":scope > p")).to_be_visible()
    fold_button(page, tree["a"]).click()
    page.reload()
    expect(fold_button(page, tree["a"])).to_have_text("[+4]")
    expect(article(page, tree["d"])).to_be_hidden()
    fold_button(page, tree["a"]).click()
    expect(fold_button(page, tree["b"])).to_have_text("[+2]")
    expect(article(page, tree["c"])).to_be_hidden()
    expect(article(page, tree["d"]).locator(":scope > p")).to_be_visible()
    expect(article(page, tree["e"]).locator(":scope > p")).to_be_visible()


def test_keys_in_time_order_go_by_time_and_p_to_the_parent_wherever_it_stands(page, tree):
    log_in(page, UserFactory())
    page.goto(page.base + tree["url"])
    page.keyboard.press("j")
    assert current_id(page) == str(tree["op"].pk)
    seen = []
    for _ in range(5):
        page.keyboard.press("j")
        seen.append(current_id(page))
    assert seen == ids(tree, "aebdc")
    page.keyboard.press("p")
    assert current_id(page) == str(tree["b"].pk)
    page.keyboard.press("p")
    assert current_id(page) == str(tree["a"].pk)
    page.keyboard.press("c")
    expect(fold_button(page, tree["a"])).to_have_text("[+4]")
    page.keyboard.press("j")
    assert current_id(page) == str(tree["e"].pk)
    page.keyboard.press("j")
    assert current_id(page) == str(tree["e"].pk), "j passes over what is folded"
    page.keyboard.press("r")
    expect(page).to_have_url(re.compile(rf"/reply\?id={tree['e'].pk}$"))


def test_parent_prev_next_and_root_links_name_the_relatives_in_time_order(page, tree):
    page.goto(page.base + tree["url"])
    a = tree["a"].pk
    article(page, tree["b"]).locator(":scope > p").hover()
    links = article(page, tree["b"]).locator(":scope > .acts .relatives a")
    expect(links).to_have_count(3)
    found = [(link.text_content(), link.get_attribute("href")) for link in links.all()]
    assert found == [("parent", f"#{a}"), ("next", f"#{tree['d'].pk}"), ("root", f"#{a}")]
    article(page, tree["e"]).locator(":scope > p").hover()
    links = article(page, tree["e"]).locator(":scope > .acts .relatives a")
    expect(links).to_have_count(2)
    found = [(link.text_content(), link.get_attribute("href")) for link in links.all()]
    assert found == [("parent", f"#{tree['op'].pk}"), ("prev", f"#{a}")]


def test_a_link_opens_its_post_through_folds_and_a_preview_shows_the_parent(page, tree):
    page.set_viewport_size({"width": 1200, "height": 300})
    page.goto(page.base + tree["url"])
    fold_button(page, tree["b"]).click()
    fold_button(page, tree["a"]).click()
    page.goto(f"{page.base}{tree['url']}#{tree['c'].pk}")
    c = article(page, tree["c"])
    expect(c.locator(":scope > p")).to_be_visible()
    expect(c).to_be_in_viewport()
    for letter in "ab":
        expect(fold_button(page, tree[letter])).to_have_text("[–]")
    c.locator(":scope > a.parent").hover()
    expect(page.locator(".preview")).to_contain_text("Post b.")


def test_the_other_order_is_one_link_away_and_remembered(page, tree):
    page.goto(page.base + tree["url"])
    page.get_by_role("link", name="tree order").click()
    expect(page).to_have_url(re.compile(r"order=tree$"))
    assert standing(page) == ids(tree, "abcde")
    expect(article(page, tree["a"])).not_to_have_attribute("data-g", re.compile("."))
    page.goto(page.base + tree["url"])
    assert standing(page) == ids(tree, "abcde")
    fold_button(page, tree["a"]).click()
    expect(fold_button(page, tree["a"])).to_have_text("[+4]")
    page.get_by_role("link", name="time order").click()
    assert standing(page) == ids(tree, "aebdc")
    # The fold is the post's, in either order.
    expect(fold_button(page, tree["a"])).to_have_text("[+4]")
    expect(article(page, tree["d"])).to_be_hidden()
    expect(article(page, tree["e"]).locator(":scope > p")).to_be_visible()


def test_past_the_glyphs_the_depth_mark_fits_a_phone_and_tells_the_level(
    browser_context, forum_server
):
    build = ThreadBuilder()
    thread = build.thread(title="Deeper than the glyphs", text="Down we go.")
    ids = build.chain(thread, 130)
    page = browser_context(width=390, height=844)
    page.goto(f"{forum_server}/item?id={ids[0]}#{ids[-1]}")
    deepest = article(page, Comment.objects.get(pk=ids[-1]))
    expect(deepest).to_have_attribute("data-g", f"{zlacker.GLYPHS}…⟨depth 130⟩")
    expect(deepest).to_be_in_viewport()
    box = deepest.bounding_box()
    root = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert root[0] <= root[1], f"the page is {root[0]}px wide in {root[1]}px"
    assert box["x"] >= 0 and box["x"] + box["width"] <= root[1]
    mark = deepest.evaluate("el => getComputedStyle(el, '::before').height")
    assert float(mark.removesuffix("px")) < 200, f"the glyph line is {mark} tall"
