"""In Chromium: folding sub-conversations, keyboard keys, and the two themes with their contrast."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.browsing import article, fold_button, letter_tree, log_in
from tests.factories import UserFactory
from threads.services.moderation import comment_flag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DARK_BG = "rgb(15, 43, 47)"
LIGHT_BG = "rgb(245, 249, 248)"


@pytest.fixture
def tree(transactional_db):
    return letter_tree("Folding")


def test_folding_hides_the_sub_conversation_behind_one_line_until_unfolded(page, tree):
    page.goto(page.base + tree["url"])
    a = article(page, tree["a"])
    button = fold_button(page, tree["a"])
    expect(button).to_have_text("[–]")
    expect(button).to_have_attribute("aria-expanded", "true")
    button.click()

    expect(button).to_have_text("[+4]")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(a.locator(".hidden-count")).to_have_text("4 posts hidden")
    expect(a.locator(":scope > p")).to_be_hidden()
    for letter in "bcd":
        expect(article(page, tree[letter])).to_be_hidden()
    expect(article(page, tree["e"])).to_contain_text("Post e.")
    expect(article(page, tree["e"]).locator(":scope > p")).to_be_visible()

    button.click()
    expect(button).to_have_text("[–]")
    for letter in "abcd":
        expect(article(page, tree[letter]).locator(":scope > p")).to_be_visible()
    expect(a.locator(".hidden-count")).to_have_text("")


def test_a_fold_survives_a_reload_and_an_inner_fold_stays_under_an_outer_one(page, tree):
    page.goto(page.base + tree["url"])
    fold_button(page, tree["b"]).click()
    fold_button(page, tree["a"]).click()
    page.reload()
    expect(fold_button(page, tree["a"])).to_have_text("[+4]")
    expect(article(page, tree["b"])).to_be_hidden()
    fold_button(page, tree["a"]).click()
    expect(fold_button(page, tree["b"])).to_have_text("[+2]")
    expect(article(page, tree["b"]).locator(".hidden-count")).to_have_text("2 posts hidden")
    expect(article(page, tree["c"])).to_be_hidden()
    expect(article(page, tree["d"]).locator(":scope > p")).to_be_visible()


def test_folding_works_from_the_keyboard(page, tree):
    page.goto(page.base + tree["url"])
    button = fold_button(page, tree["a"])
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_text("[+4]")
    expect(button).to_be_focused()
    page.keyboard.press("Space")
    expect(button).to_have_text("[–]")
    expect(button).to_have_accessible_name(re.compile("Fold .* and its 3 replies"))


def current_id(page) -> str:
    return page.evaluate("document.activeElement.id")


def test_keys_move_between_posts_to_the_parent_fold_and_reply(page, tree):
    log_in(page, UserFactory())
    page.goto(page.base + tree["url"])
    page.keyboard.press("j")
    assert current_id(page) == str(tree["op"].pk)
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert current_id(page) == str(tree["c"].pk)
    expect(article(page, tree["c"])).to_have_class(re.compile(r"\bcurrent\b"))
    page.keyboard.press("k")
    assert current_id(page) == str(tree["b"].pk)
    page.keyboard.press("p")
    assert current_id(page) == str(tree["a"].pk)
    page.keyboard.press("c")
    expect(fold_button(page, tree["a"])).to_have_text("[+4]")
    page.keyboard.press("j")
    assert current_id(page) == str(tree["e"].pk), "j skips what is folded"
    page.keyboard.press("r")
    expect(page).to_have_url(re.compile(rf"/reply\?id={tree['e'].pk}$"))
    expect(page.get_by_label("Text")).to_be_focused()
    page.keyboard.type("jkpc")  # words, not keys
    expect(page.get_by_label("Text")).to_have_value("jkpc")
    expect(page).to_have_url(re.compile(rf"/reply\?id={tree['e'].pk}$"))


def test_r_on_the_opening_post_goes_to_the_add_comment_box_on_the_page(page, tree):
    log_in(page, UserFactory())
    page.goto(page.base + tree["url"])
    page.keyboard.press("j")
    assert current_id(page) == str(tree["op"].pk)
    page.keyboard.press("r")
    box = page.locator("section.reply-form textarea")
    expect(box).to_be_focused()
    expect(box).to_have_value("")
    assert page.url.endswith(tree["url"])


def test_r_does_not_answer_a_post_hidden_by_flags(page, tree):
    for _ in range(settings.FORUM_FLAGS_TO_HIDE):
        comment_flag(comment_id=tree["e"].pk, user=UserFactory(), reason="spam")
    log_in(page, UserFactory())
    page.goto(page.base + tree["url"])
    for _ in range(6):
        page.keyboard.press("j")
    assert current_id(page) == str(tree["e"].pk)
    page.keyboard.press("r")
    page.keyboard.press("k")
    assert current_id(page) == str(tree["d"].pk), "still on the thread page"
    assert page.url.endswith(tree["url"])


def test_no_flag_link_on_the_readers_own_post_or_one_they_flagged(page, tree):
    reader = tree["a"].author
    comment_flag(comment_id=tree["b"].pk, user=reader, reason="spam")
    log_in(page, reader)
    page.goto(page.base + tree["url"])
    flag = "a[href^='/flag?']"
    for letter in "abc":
        article(page, tree[letter]).locator(":scope > a.name").hover()
        expect(article(page, tree[letter]).locator(":scope > .acts a.fave")).to_have_count(1)
    expect(article(page, tree["a"]).locator(f":scope > .acts {flag}")).to_have_count(0)
    expect(article(page, tree["b"]).locator(f":scope > .acts {flag}")).to_have_count(0)
    expect(article(page, tree["c"]).locator(f":scope > .acts {flag}")).to_have_count(1)


def test_question_mark_shows_the_keys_in_a_dialog(page, tree):
    page.goto(page.base + tree["url"])
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard keys")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("next post")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_no_key_acts_while_the_reader_types(page, tree):
    log_in(page, UserFactory())
    page.goto(page.base + tree["url"])
    field = page.get_by_label("Text")
    field.click()
    page.keyboard.type("jjpc?r")
    expect(field).to_have_value("jjpc?r")
    expect(page.locator(".current")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(fold_button(page, tree["a"])).to_have_text("[–]")
    assert page.url.endswith(tree["url"])


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_the_theme_follows_the_system_setting(browser_context, forum_server, tree):
    for scheme, colour in (("dark", DARK_BG), ("light", LIGHT_BG)):
        page = browser_context(color_scheme=scheme)
        page.goto(forum_server + tree["url"])
        assert background(page) == colour


def test_the_switch_picks_a_theme_that_is_remembered_before_any_script_runs_late(page, tree):
    page.goto(page.base + tree["url"])
    assert background(page) == DARK_BG
    page.get_by_role("button", name="Switch to the light theme").click()
    assert background(page) == LIGHT_BG
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    # Without the deferred script, only the small one in <head> can apply the choice.
    page.route("**/forum.js", lambda route: route.abort())
    page.goto(page.base + "/")
    assert background(page) == LIGHT_BG
    page.unroute("**/forum.js")
    page.goto(page.base + tree["url"])
    page.get_by_role("button", name="Switch to the dark theme").click()
    page.reload()
    assert background(page) == DARK_BG


CONTRAST_SCRIPT = """selectors => selectors.map(selector => {
  const [css, pseudo] = selector.split('::');
  const el = document.querySelector(css);
  if (!el) return [selector, null, null];
  const colour = getComputedStyle(el, pseudo ? '::' + pseudo : null).color;
  let node = el, bg = 'rgba(0, 0, 0, 0)';
  while (node && /rgba\\(.*, 0\\)$|transparent/.test(getComputedStyle(node).backgroundColor)) {
    node = node.parentElement;
  }
  if (node) bg = getComputedStyle(node).backgroundColor;
  return [selector, colour, bg];
})"""

TEXT_SELECTORS = [
    "article.post > p",  # comment text
    ".op h1",  # the title
    "article.post > a.name",  # names
    "article.post > a[href^='source']",  # links
    "article.post > a.ref.parent",  # >> links
    "article.post > time",  # meta
    "main article.post",  # the number and brackets
    ".op .meta",
    "header.site nav a",
    "header.site .brand",
    "footer.site a",
    "article.post[data-g]::before",
    "button.fold",
    "button.theme-switch",
]


def luminance(css_colour: str) -> float:
    red, green, blue = (int(x) / 255 for x in re.findall(r"\d+", css_colour)[:3])

    def linear(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(fg: str, bg: str) -> float:
    light, dark = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize(
    ("scheme", "switch_to"),
    [("dark", None), ("light", None), ("dark", "light"), ("light", "dark")],
    ids=["system-dark", "system-light", "switched-light", "switched-dark"],
)
def test_text_links_and_meta_meet_wcag_aa_contrast(
    browser_context, forum_server, tree, scheme, switch_to
):
    page = browser_context(color_scheme=scheme)
    page.goto(forum_server + tree["url"])
    if switch_to:
        page.get_by_role("button", name=f"Switch to the {switch_to} theme").click()
    theme = switch_to or scheme
    assert background(page) == (DARK_BG if theme == "dark" else LIGHT_BG)
    page.locator("article.post > a.name").first.hover()  # its fold button is added
    measured = page.evaluate(CONTRAST_SCRIPT, TEXT_SELECTORS)
    low = []
    for selector, fg, bg in measured:
        assert fg is not None, f"{selector} is not on the page"
        if contrast(fg, bg) < 4.5:
            low.append(f"{selector}: {fg} on {bg} = {contrast(fg, bg):.2f}")
    assert low == []


def test_a_link_opens_its_post_and_parents_through_remembered_folds(page, tree):
    page.set_viewport_size({"width": 1200, "height": 240})
    page.goto(page.base + tree["url"])
    fold_button(page, tree["b"]).click()
    fold_button(page, tree["a"]).click()
    c = article(page, tree["c"])

    page.goto(f"{page.base}{tree['url']}#{tree['c'].pk}")
    expect(c.locator(":scope > p")).to_be_visible()
    expect(c).to_be_in_viewport()
    for letter in "ab":
        expect(fold_button(page, tree[letter])).to_have_text("[–]")

    page.goto(f"{page.base}/discussion?id={tree['c'].pk}")
    expect(c.locator(":scope > p")).to_be_visible()
    expect(c).to_be_in_viewport()

    page.goto(f"{page.base}/item?id={tree['a'].pk}")
    expect(article(page, tree["a"]).locator(":scope > p")).to_be_visible()
    expect(fold_button(page, tree["b"])).to_have_text("[+2]", timeout=3000)
    expect(c).to_be_hidden()

    page.goto(page.base + tree["url"])
    expect(fold_button(page, tree["a"])).to_have_text("[+4]")
    page.evaluate(f"location.hash = '#{tree['d'].pk}'")
    expect(article(page, tree["d"]).locator(":scope > p")).to_be_visible()
    expect(c).to_be_hidden()  # b, not on the way to d, stays folded


def test_a_time_says_it_is_utc_and_how_long_ago(page, tree):
    page.goto(page.base + tree["url"])
    time = article(page, tree["b"]).locator(":scope > time")
    expect(time).not_to_have_attribute("title", re.compile("."))
    time.hover()
    expect(time).to_have_attribute(
        "title", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(\d+ (second|minute)s? ago\)$")
    )
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(article(page, tree["a"]).locator(":scope > time")).to_have_attribute(
        "title", re.compile(" UTC ")
    )


def relative_links(page, post) -> list:
    links = article(page, post).locator(":scope > .acts .relatives a")
    return [(a.text_content(), a.get_attribute("href")) for a in links.all()]


def test_parent_prev_next_and_root_links_lead_between_posts(page, tree):
    page.goto(page.base + tree["url"])
    expect(page.locator(".relatives")).to_have_count(0)
    article(page, tree["d"]).locator(":scope > p").hover()
    expect(article(page, tree["d"]).locator(".relatives")).to_be_visible()
    a, b = tree["a"].pk, tree["b"].pk
    assert relative_links(page, tree["d"]) == [
        ("parent", f"#{a}"),
        ("prev", f"#{b}"),
        ("root", f"#{a}"),
    ]
    article(page, tree["b"]).locator(":scope > p").hover()
    assert relative_links(page, tree["b"]) == [
        ("parent", f"#{a}"),
        ("next", f"#{tree['d'].pk}"),
        ("root", f"#{a}"),
    ]
    article(page, tree["e"]).locator(":scope > p").hover()
    assert relative_links(page, tree["e"]) == [
        ("parent", f"#{tree['op'].pk}"),
        ("prev", f"#{a}"),
    ]
    article(page, tree["e"]).get_by_role("link", name="prev").click()
    expect(page).to_have_url(re.compile(rf"#{a}$"))


def test_a_reached_post_offers_its_author_and_actions_that_the_shared_html_leaves_out(page, tree):
    page.goto(page.base + tree["url"])
    b = article(page, tree["b"])
    expect(b.locator(":scope > .acts")).to_have_count(0)
    b.locator(":scope > a.name").hover()
    author = tree["b"].author.username
    expect(b.locator(":scope > .acts a.author")).to_have_text(author)
    expect(b.locator(":scope > .acts a.author")).to_have_attribute("href", f"/user?id={author}")
    for action in ("reply", "flag", "favorite", "discussion"):
        expect(
            b.locator(":scope > .acts").get_by_role("link", name=action, exact=True)
        ).to_be_visible()
    expect(article(page, tree["c"]).locator(":scope > .acts")).to_have_count(0)
