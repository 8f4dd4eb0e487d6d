"""In Chromium, against gunicorn: >> links preview on hover, pin on long press, close again."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browsing import article, post, seed_thread_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    call_command("seed")


def test_hovering_a_ref_previews_the_post_and_leaving_hides_it(page):
    page.goto(seed_thread_url(page))
    article(page, post("D3")).locator("a.ref.parent").hover()
    preview = page.locator(".preview")
    expect(preview).to_contain_text("Stable Diffusion contains unauthorized copies", timeout=3000)
    page.mouse.move(5, 5)
    preview.wait_for(state="detached", timeout=3000)


def test_a_ref_to_a_post_off_the_page_is_fetched_for_its_preview(page):
    salgat = post("R3")
    page.goto(f"{page.base}/item?id={salgat.pk}")
    article(page, salgat).locator("a.ref.parent").hover()
    expect(page.locator(".preview")).to_contain_text(
        "I don't think you have to reproduce an entire original work", timeout=5000
    )


def test_a_preview_numbers_a_post_as_the_thread_does_or_not_at_all(page):
    page.goto(seed_thread_url(page))
    article(page, post("R3")).locator("a.ref.parent").hover()
    expect(page.locator(".preview article")).to_contain_text("2. akjetm+D3", timeout=3000)
    salgat = post("R3")
    page.goto(f"{page.base}/item?id={salgat.pk}")
    article(page, salgat).locator("a.ref.parent").hover()
    preview = page.locator(".preview")
    expect(preview).to_contain_text("akjetm+D3", timeout=5000)
    expect(preview.locator("article")).not_to_contain_text(re.compile(r"\d+\. akjetm"))


def test_a_long_press_pins_the_preview_until_it_is_closed(page):
    page.goto(seed_thread_url(page))
    url_before = page.url
    link = article(page, post("9j1")).locator("a.ref.parent")
    link.scroll_into_view_if_needed()
    box = link.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    page.mouse.down()
    page.wait_for_timeout(800)
    page.mouse.up()
    pinned = page.locator(".preview.pinned")
    pinned.wait_for(state="visible", timeout=3000)
    assert page.url == url_before, "a long press must not follow the link"
    page.mouse.move(5, 5)
    page.wait_for_timeout(600)
    assert pinned.is_visible(), "a pinned preview stays when the pointer leaves"
    pinned.get_by_role("button", name="Close preview").click()
    pinned.wait_for(state="detached", timeout=3000)


def test_pages_work_without_javascript(browser_context, forum_server):
    page = browser_context(javascript=False)
    page.base = forum_server
    salgat = post("R3")
    page.goto(seed_thread_url(page))
    article(page, salgat).locator("a.ref.parent").click()
    assert page.url.endswith(f"#{salgat.parent_id}")
    article(page, salgat).locator("a.name").click()
    assert page.url.endswith(f"/item?id={salgat.pk}")
    assert page.locator("article.post").count() == 3
    assert page.locator("button.fold, button.theme-switch").count() == 0
