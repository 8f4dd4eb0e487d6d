"""Takes the README's screenshots of the seed thread: dark and light, desktop and phone, as a
logged-in reader sees it; of a flagged post's moderation page, as a moderator sees it; of a
reply edited in place, and of a reply's preview on a phone.

Run with `make screenshots`; it serves a throwaway seeded database with gunicorn and drives
Debian's Chromium, writing PNG files into docs/. Names given (`scripts/screenshots.py
moderation-page.png`) take only those.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SHOTS = {
    "thread-dark.png": ("dark", {"width": 1100, "height": 820}),
    "thread-light.png": ("light", {"width": 1100, "height": 820}),
    "thread-phone-dark.png": ("dark", {"width": 390, "height": 844}),
    "thread-phone-light.png": ("light", {"width": 390, "height": 844}),
}
READER, PASSWORD = "reader", "a reader's long password"
MODERATOR = "keeper"
SIGN_UP = (
    "from forum.accounts.services import user_signup;"
    f"user_signup(username={READER!r}, password={PASSWORD!r})"
)
# A moderator, and a flag on the seed's post D3 for the moderation page to show.
MODERATOR_AND_FLAG = (
    "from django.contrib.auth.models import Group;"
    "from forum.accounts.models import User;"
    "from forum.accounts.services import user_signup;"
    "from threads.models import Comment;"
    "from threads.services.moderation import comment_flag;"
    f"mod = user_signup(username={MODERATOR!r}, password={PASSWORD!r});"
    "User.objects.filter(pk=mod.pk).update(is_staff=True);"
    "mod.groups.add(Group.objects.get(name='Moderators'));"
    "post = Comment.objects.get(ref=225, level__gt=0);"
    f"comment_flag(comment_id=post.pk, user=User.objects.get(username={READER!r}), reason='unkind')"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/shots.sqlite3", "DEBUG": "0"}
        env.pop("REDIS_URL", None)
        manage = [str(BIN / "python"), "manage.py"]
        subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "seed"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "shell", "-c", SIGN_UP], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "shell", "-c", MODERATOR_AND_FLAG], cwd=ROOT, env=env, check=True)
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "forum.wsgi", f"--bind=127.0.0.1:{port}", "--workers=1"],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base)
            take(base, set(sys.argv[1:]))
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_until_up(base: str) -> None:
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn did not answer")


def take(base: str, names: set[str]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
        for name, (scheme, viewport) in SHOTS.items():
            if names and name not in names:
                continue
            page = browser.new_page(viewport=viewport, color_scheme=scheme)
            log_in(page, base)
            page.locator("ol.threads a.title").first.click()
            page.evaluate("document.fonts.ready")
            page.screenshot(path=ROOT / "docs" / name)
            page.close()
            print(f"docs/{name}")
        if not names or MODERATION_SHOT in names:
            take_moderation_page(browser, base)
        if not names or EDIT_SHOT in names:
            edit_in_place(browser, base)
        if not names or PREVIEW_SHOT in names:
            preview_on_a_phone(browser, base)
        browser.close()


EDIT_SHOT = "edit-in-place-dark.png"
PREVIEW_SHOT = "reply-preview-phone-light.png"


def edit_in_place(browser, base: str) -> None:
    """The thread kept as a favorite, and the reader's own reply turned into its form."""
    page = browser.new_page(viewport={"width": 1100, "height": 820}, color_scheme="dark")
    log_in(page, base)
    page.locator("ol.threads a.title").first.click()
    page.locator("section.op nav.tools").get_by_role("link", name="favorite", exact=True).click()
    page.locator(".reply-form textarea").fill("Written here, and *edited in place* within 2 hours.")
    page.get_by_role("button", name="add comment").click()
    mine = page.locator("main article.post").last
    mine.locator(":scope > a.name").hover()
    mine.get_by_role("link", name="edit", exact=True).click()
    mine.locator("textarea").wait_for()
    mine.locator(".time-left").scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    page.evaluate("document.fonts.ready")
    page.screenshot(path=ROOT / "docs" / EDIT_SHOT)
    page.close()
    print(f"docs/{EDIT_SHOT}")


def preview_on_a_phone(browser, base: str) -> None:
    """A reply's preview, in the page's flow above its form, its >>reference linked."""
    page = browser.new_page(viewport={"width": 390, "height": 844}, color_scheme="light")
    log_in(page, base)
    page.locator("ol.threads a.title").first.click()
    reply_to = page.locator("main article.post").nth(1)
    reply_to.locator(":scope > a.name").hover()
    name = reply_to.locator(":scope > a.name").text_content()
    reply_to.get_by_role("link", name="reply", exact=True).click()
    page.locator("form.stack textarea").fill(f"As >>{name} says, *sampling* is the question.")
    page.get_by_role("button", name="preview", exact=True).click()
    page.locator("section.preview").scroll_into_view_if_needed()
    page.evaluate("document.fonts.ready")
    page.screenshot(path=ROOT / "docs" / PREVIEW_SHOT)
    page.close()
    print(f"docs/{PREVIEW_SHOT}")


MODERATION_SHOT = "moderation-page.png"


def take_moderation_page(browser, base: str) -> None:
    """The flagged post's moderation page, opened from its [moderate] on the thread page."""
    page = browser.new_page(viewport={"width": 1100, "height": 820}, color_scheme="light")
    log_in(page, base, username=MODERATOR)
    page.locator("ol.threads a.title").first.click()
    name = page.locator("article.post > a.name", has_text="+D3").first
    name.hover()
    name.locator("xpath=..").get_by_role("link", name="moderate").click()
    page.wait_for_selector("form#do-remove")
    page.screenshot(path=ROOT / "docs" / MODERATION_SHOT, full_page=True)
    page.close()
    print(f"docs/{MODERATION_SHOT}")


def log_in(page, base: str, username: str = READER) -> None:
    """Logs the reader in through the form; the log-in page then goes back to the front page."""
    page.goto(f"{base}/login?next=/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_url(base + "/")


if __name__ == "__main__":
    main()
