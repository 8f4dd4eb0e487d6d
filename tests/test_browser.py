"""In Chromium, against gunicorn: >> links preview on hover, pin on long press, close again."""

import os
import shutil

import pytest
from django.core.management import call_command
from playwright.sync_api import expect, sync_playwright

from tests.servers import gunicorn
from threads.models import Comment

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded_server():
    call_command("seed")
    with gunicorn(workers=2) as base:
        yield base


@pytest.fixture
def page(seeded_server, request):
    # The test body talks to the database while Playwright's event loop runs in this thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
        page.base = seeded_server
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert errors == [], errors


def thread_url(page) -> str:
    return f"{page.base}/item?id={Comment.objects.get(level=0).pk}"


def test_hovering_a_ref_previews_the_post_and_leaving_hides_it(page):
    page.goto(thread_url(page))
    akjetm = Comment.objects.get(ref=225)
    link = page.locator(f'article[id="{akjetm.pk}"] .parent a.ref')
    link.hover()
    preview = page.locator(".preview")
    expect(preview).to_contain_text("Stable Diffusion contains unauthorized copies", timeout=3000)
    page.mouse.move(5, 5)
    preview.wait_for(state="detached", timeout=3000)


def test_a_ref_to_a_post_off_the_page_is_fetched_for_its_preview(page):
    salgat = Comment.objects.get(ref=zref("R3"))
    page.goto(f"{page.base}/item?id={salgat.pk}")
    page.locator(f'article[id="{salgat.pk}"] .parent a.ref').hover()
    expect(page.locator(".preview")).to_contain_text(
        "I don't think you have to reproduce an entire original work", timeout=5000
    )


def test_a_long_press_pins_the_preview_until_it_is_closed(page):
    page.goto(thread_url(page))
    url_before = page.url
    derang = Comment.objects.get(ref=5031)
    link = page.locator(f'article[id="{derang.pk}"] .parent a.ref')
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


def test_pages_work_without_javascript(seeded_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        salgat = Comment.objects.get(ref=zref("R3"))
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(java_script_enabled=False)
            page.goto(f"{seeded_server}/item?id={Comment.objects.get(level=0).pk}")
            page.locator(f'article[id="{salgat.pk}"] .parent a.ref').click()
            assert page.url.endswith(f"#{salgat.parent_id}")
            page.locator(f'article[id="{salgat.pk}"] a.name').click()
            assert page.url.endswith(f"/item?id={salgat.pk}")
            assert page.locator("article.post").count() == 3
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def zref(text: str) -> int:
    from threads import zlacker

    return zlacker.decode_ref(text)
