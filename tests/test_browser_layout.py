"""In Chromium: every page with a form, and a thread page, lays out at 390 and 1280 px, in both
themes, with scripts on and off: nothing overlaps, nothing is wider than the viewport, and
axe-core finds nothing serious."""

import pytest
from playwright.sync_api import expect

from tests.browsing import article, log_in, reach
from tests.factories import ThreadBuilder, UserFactory
from tests.layout import axe_violations, overlaps, too_wide

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänsmützen"
DRAFT = f"A draft with *italics*, a {LONG_WORD} and a reference to >>"


def _problems(page, label: str) -> list[str]:
    found = overlaps(page) + too_wide(page) + axe_violations(page, scripts=page.scripts)
    return [f"{label}: {problem}" for problem in found]


def _preview(page, draft: str) -> None:
    page.locator("form.stack textarea").fill(draft)
    page.get_by_role("button", name="preview", exact=True).click()
    expect(page.locator("section.preview")).to_be_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["scripts", "no-scripts"])
@pytest.mark.parametrize("scheme", ["dark", "light"])
@pytest.mark.parametrize("width", [390, 1280])
def test_pages_with_forms_and_a_thread_lay_out_without_overlaps(
    browser_context, forum_server, width, scheme, javascript
):
    build = ThreadBuilder()
    writer = UserFactory(username="Writer")
    thread = build.thread(title=f"A title, {LONG_WORD}", text="The opening post.", author=writer)
    op = build.op(thread)
    first = build.reply(op, text=f"A first reply with a {LONG_WORD}.")
    mine = build.reply(build.reply(first, text="Deeper."), text="Mine, editable.", author=writer)
    draft = DRAFT + first.name
    viewport = {"width": width, "height": 844 if width < 400 else 900}
    page = browser_context(**viewport, color_scheme=scheme, javascript=javascript, bypass_csp=True)
    base = page.base = forum_server
    page.scripts = javascript
    problems = []
    for path in ("/signup", "/login"):
        page.goto(base + path)
        problems += _problems(page, path)
    log_in(page, writer)
    page.goto(f"{base}/submit")
    page.get_by_label("Title").fill("A title")
    _preview(page, draft)
    problems += _problems(page, "/submit with a preview")
    for path in (f"/reply?id={first.pk}", f"/edit?id={mine.pk}"):
        page.goto(base + path)
        _preview(page, draft)
        problems += _problems(page, f"{path} with a preview")
    for path in (
        f"/flag?id={first.pk}",
        f"/user?id={writer.username}",
        "/search?q=reply",
        f"/item?id={op.pk}",
        f"/item?id={first.pk}",
    ):
        page.goto(base + path)
        problems += _problems(page, path)
    if javascript:  # the reader's own post turned into its form where it stands
        page.goto(f"{base}/item?id={op.pk}")
        reach(page, mine).get_by_role("link", name="edit", exact=True).click()
        expect(article(page, mine).locator("textarea")).to_be_focused()
        problems += _problems(page, "a post edited in place")
    assert problems == [], "\n".join(problems)
