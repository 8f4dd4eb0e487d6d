"""In Chromium: axe-core finds no serious or critical violation; phones read every page."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from forum import links
from tests.browsing import article, log_in, post, seed_thread_url
from tests.conftest import ROOT
from tests.factories import ThreadBuilder, UserFactory
from threads.text import zlacker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LONG_TEXT = (
    "A word that never ends: " + "Donaudampfschifffahrtsgesellschaft" * 4 + "\n\n"
    "A link: https://example.com/" + "very/long/path/" * 12 + "\n\n"
    "  code_that_is_long = " + "'x' + " * 30 + "'x'\n\n"
    "See >>"
)


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    call_command("seed")


def axe_violations(page) -> list[str]:
    page.add_script_tag(path=AXE)
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [
        f"{page.url}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_axe_finds_no_serious_violation_on_the_main_pages(browser_context, forum_server, scheme):
    # The test's own script tag (axe) is the only thing the forum's CSP would refuse.
    page = browser_context(color_scheme=scheme, bypass_csp=True)
    page.base = forum_server
    thread = seed_thread_url(page)
    logged_out = [forum_server + "/", thread, f"{forum_server}/item?id={post('D3').pk}"]
    logged_out.append(forum_server + "/login")
    violations = []
    for url in logged_out:
        page.goto(url)
        violations += axe_violations(page)
    log_in(page, UserFactory())
    for url in (forum_server + "/submit", thread):
        page.goto(url)
        expect(page.locator("form.stack textarea")).to_be_visible()
        violations += axe_violations(page)
    page.keyboard.press("?")
    violations += axe_violations(page)
    assert violations == [], "\n".join(violations)


def test_posts_are_articles_that_say_their_depth_under_one_heading_outline(page):
    page.goto(seed_thread_url(page))
    deepest = post("9j1")
    name = zlacker.post_name(deepest.author.username, deepest.ref)
    shown = page.locator(f'article[id="{deepest.pk}"]')
    expect(shown).to_have_role("article")
    # The glyph line, drawn by the style sheet, reads as the post's depth.
    depth = f"- article:\n  - text: depth {deepest.level}"
    expect(shown).to_match_aria_snapshot(depth, timeout=3000)
    expect(shown.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("heading", level=2, name="Comments")).to_have_count(1)


def test_focus_is_visible_on_links_and_buttons(page):
    page.goto(seed_thread_url(page))
    page.keyboard.press("Tab")
    for _ in range(12):
        page.keyboard.press("Tab")
        outline = page.evaluate(
            "(() => { const s = getComputedStyle(document.activeElement);"
            " return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth]; })()"
        )
        assert outline[1] == "solid" and outline[2] == "2px", outline


def phone_problems(page) -> list[str]:
    return page.evaluate(
        """() => {
        const problems = [];
        const root = document.documentElement;
        if (root.scrollWidth > root.clientWidth) {
            problems.push(`page is ${root.scrollWidth}px wide in ${root.clientWidth}px`);
        }
        for (const el of document.querySelectorAll('a, button')) {
            const box = el.getBoundingClientRect();
            if (!el.getClientRects().length || el.closest('[hidden], dialog:not([open])')) continue;
            const what = el.outerHTML.slice(0, 80);
            if (box.height < 32) problems.push(`${what}: ${box.height}px tall`);
        }
        return problems;
    }"""
    )


def test_on_a_phone_nothing_scrolls_sideways_but_code_and_every_tap_target_is_big_enough(
    browser_context, forum_server
):
    build = ThreadBuilder()
    thread = build.thread(title="A long title " * 5, text=LONG_TEXT, url="")
    comment = build.reply(build.reply(build.op(thread)), text=LONG_TEXT)
    page = browser_context(**PHONE)
    page.base = forum_server
    log_in(page, UserFactory())
    paths = ["/", f"/item?id={build.op(thread).pk}", f"/item?id={comment.pk}", "/submit"]
    paths += [seed_thread_url(page).removeprefix(forum_server), "/login", "/modlog"]
    problems = []
    for path in paths:
        page.goto(forum_server + path)
        problems += [f"{path}: {problem}" for problem in phone_problems(page)]
    assert problems == []
    page.goto(f"{forum_server}/item?id={comment.pk}")
    code = article(page, comment).locator("pre")
    assert code.evaluate("el => el.scrollWidth > el.clientWidth"), "the code block scrolls"


def test_on_a_phone_a_bracketed_link_never_breaks_from_its_brackets(browser_context, forum_server):
    page = browser_context(**PHONE)
    page.base = forum_server
    page.goto(seed_thread_url(page))
    split = []
    for width in range(320, 431, 5):  # wherever a header happens to reach the edge
        page.set_viewport_size({"width": width, "height": PHONE["height"]})
        split += [f"{width}px: [{text}]" for text in bracket_splits(page)]
    assert split == []


def bracket_splits(page) -> list[str]:
    return page.evaluate(
        """() => {
        const top = (node, at) => {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + 1);
            return Math.round(range.getBoundingClientRect().top);
        };
        const split = [];
        for (const a of document.querySelectorAll('article > a, article > .acts a')) {
            const before = a.previousSibling, after = a.nextSibling;
            if (!before || !after || before.nodeType !== 3 || after.nodeType !== 3) continue;
            if (!before.data.endsWith('[') || !after.data.startsWith(']')) continue;
            if (top(before, before.data.length - 1) !== top(after, 0)) split.push(a.textContent);
        }
        return split;
    }"""
    )


def test_a_forty_deep_thread_stays_readable_on_a_phone(browser_context, forum_server):
    build = ThreadBuilder()
    thread = build.thread(title="Deep", text="Down we go.")
    parent = build.op(thread)
    for depth in range(1, 41):
        parent = build.reply(parent, text=f"At depth {depth} the text still has room to breathe.")
    page = browser_context(**PHONE)
    page.goto(f"{forum_server}/item?id={build.op(thread).pk}")
    deepest = article(page, parent)
    deepest.scroll_into_view_if_needed()
    expect(deepest).to_have_attribute("data-g", zlacker.glyphs(40))
    text = deepest.locator(":scope > p")
    width = text.evaluate("el => el.getBoundingClientRect().width")
    size = text.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert width >= 300, f"the text of the 40th level is {width}px wide"
    assert size >= 15, f"the text of the 40th level is {size}px"
    assert phone_problems(page) == []


def title_row_split(page) -> str | None:
    """Whether the title row's arrow (or "unvote") sits on another line than the title's start."""
    return page.evaluate(
        """() => {
        const h1 = document.querySelector('.op h1');
        const arrow = h1.querySelector('.votes a').getBoundingClientRect();
        const walker = document.createTreeWalker(h1, NodeFilter.SHOW_TEXT);
        let node = walker.nextNode();
        while (node.parentElement.closest('.votes') || !node.data.trim()) node = walker.nextNode();
        const start = node.data.search(/\\S/);
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, start + 1);
        const first = range.getBoundingClientRect();
        const shared = arrow.top < first.bottom && first.top < arrow.bottom;
        return shared ? null : `arrow at ${arrow.top}-${arrow.bottom}, title at ${first.top}`;
    }"""
    )


def test_on_a_phone_the_title_row_keeps_its_arrow_beside_the_title(page):
    build = ThreadBuilder()
    long_word = "Donaudampfschifffahrtsgesellschaftskapitänsmützen"
    titled = [
        build.thread(title=f"{long_word} in a title", url=""),
        build.thread(title="A linked title that runs " * 3, url="https://example.com/a"),
    ]
    page.set_viewport_size(PHONE)
    log_in(page, UserFactory())
    split = []
    for thread in titled:
        page.goto(f"{page.base}/item?id={build.op(thread).pk}")
        split.append(title_row_split(page))
        page.locator(".op h1 .votes a.vote.up").click()
        expect(page.locator(".op h1 .votes a.unvote")).to_have_text("unvote")
        split.append(title_row_split(page))
    assert split == [None] * 4


def bars_at_line_ends(page) -> list[str]:
    return page.evaluate(
        """() => {
        const chars = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (!parent.getClientRects().length || parent.closest('.visually-hidden')) continue;
            for (let i = 0; i < node.data.length; i++) {
                if (node.data[i].trim()) chars.push([node, i]);
            }
        }
        const box = ([node, at]) => {
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + 1);
            return range.getBoundingClientRect();
        };
        const dangling = [];
        chars.forEach(([node, at], k) => {
            if (node.data[at] !== '|' || k + 1 === chars.length) return;
            if (box(chars[k + 1]).top >= box(chars[k]).bottom - 1) {
                const before = chars.slice(Math.max(0, k - 20), k + 1);
                dangling.push(before.map(([n, i]) => n.data[i]).join(''));
            }
        });
        return dangling;
    }"""
    )


def test_on_a_phone_no_line_ends_with_a_bar(page):
    build = ThreadBuilder()
    thread = build.thread(title="Bars", text="The opening post.")
    reply = build.reply(build.op(thread), text="A reply.")
    build.reply(reply, text="A reply to the reply.")
    log_in(page, UserFactory())
    paths = ["/", f"/item?id={build.op(thread).pk}", seed_thread_url(page)]
    dangling = []
    for path in paths:
        page.goto(path if path.startswith("http") else page.base + path)
        for width in range(320, 431, 10):  # wherever a line happens to reach the edge
            page.set_viewport_size({"width": width, "height": PHONE["height"]})
            dangling += [f"{path} at {width}px: {text!r}" for text in bars_at_line_ends(page)]
    assert dangling == [], "\n".join(dangling)


def moderation_pages(page, username: str):
    """Logs a superuser in and opens, in turn, a post's and its thread's moderation pages."""
    target = post("D3")
    log_in(page, UserFactory(username=username, is_staff=True, is_superuser=True))
    for url in (links.moderate("comment", target.pk), links.moderate("thread", target.tree_id)):
        page.goto(page.base + url)
        expect(page.locator("form#do-ban")).to_be_visible()
        yield url


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_axe_finds_no_serious_violation_on_the_moderation_pages(
    browser_context, forum_server, scheme
):
    page = browser_context(color_scheme=scheme, bypass_csp=True)
    page.base = forum_server
    violations = []
    for _ in moderation_pages(page, "admin1"):
        violations += axe_violations(page)
    assert violations == [], "\n".join(violations)


def test_the_moderation_pages_fit_a_phone(browser_context, forum_server):
    page = browser_context(width=PHONE["width"], height=PHONE["height"])
    page.base = forum_server
    wider = []
    for url in moderation_pages(page, "admin2"):
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            wider.append(f"{url}: {width}px")
    assert wider == []
