"""Security settings: CSRF on every form, the CSP header on every page, production mode, and
sessions kept in the database and cleared when they expire."""

import base64
import hashlib
import json
import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string

from forum.accounts.models import User
from tests.factories import UserFactory
from threads.models import Comment, Thread

ROOT = Path(__file__).resolve().parent.parent
CSP = (
    f"default-src 'self'; script-src 'self' 'sha256-{settings.THEME_SCRIPT_HASH}'; "
    "style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.I | re.S)
INLINE = [
    re.compile(r"<style", re.I),
    re.compile(r"<[a-z][^>]*\sstyle=", re.I),
    re.compile(r"<[a-z][^>]*\son[a-z]+=", re.I),
    re.compile(r"href=\"javascript:", re.I),
]


def production_env(**extra) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DEBUG"}
    env.update(
        FORUM_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="forum.example",
        **extra,
    )
    return env


def run_manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_check_deploy_reports_nothing_in_production_mode():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert result.stderr == ""


PRODUCTION_PROBE = """
from django.conf import settings
from django.core.management import call_command
from django.test import Client
client = Client()
plain = client.get("/login", HTTP_HOST="forum.example")
print("redirect", plain.status_code, plain["Location"])
secure = client.post("/logout", HTTP_HOST="forum.example", secure=True)
print("hsts", secure["Strict-Transport-Security"])
print("csp", "Content-Security-Policy" in secure)
print("cookies", settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)
"""


@pytest.mark.slow
def test_production_mode_redirects_to_https_with_hsts_and_secure_cookies():
    result = run_manage("shell", "-c", PRODUCTION_PROBE, env=production_env())
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "redirect 301 https://forum.example/login" in lines
    assert "hsts max-age=31536000; includeSubDomains; preload" in lines
    assert "csp True" in lines
    assert "cookies True True" in lines


def test_production_mode_refuses_a_missing_secret_key():
    env = production_env()
    env.pop("SECRET_KEY")
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "FORUM_ENV=production needs SECRET_KEY" in result.stderr


def pages_to_visit(build, author) -> list[str]:
    thread = build.thread(title="Visited", text="Opening", author=author)
    op = build.op(thread)
    reply = build.reply(op, author=author)
    name = author.username
    return [
        "/",
        "/newest",
        "/best?p=2",
        f"/item?id={op.pk}",
        f"/item?id={reply.pk}",
        f"/item?id={reply.pk}&format=txt",
        f"/discussion?id={reply.pk}",
        f"/links?id={op.pk}",
        f"/source?id={op.pk}",
        f"/user?id={name}",
        f"/threads?id={name}",
        f"/submitted?id={name}",
        "/item?id=999999",
        "/item?id=abc",
        "/login",
        "/signup",
        "/password/reset",
        "/submit",
        f"/reply?id={reply.pk}",
        f"/edit?id={reply.pk}",
        f"/delete?id={reply.pk}",
        "/password/change",
    ]


@pytest.mark.parametrize("logged_in", [False, True])
def test_every_page_has_the_csp_header_and_no_inline_script_or_style(client, build, logged_in):
    author = UserFactory(username="visitor")
    if logged_in:
        client.force_login(author)
    for path in pages_to_visit(build, author):
        response = client.get(path)
        assert response.status_code in {200, 302, 400, 404}, path
        assert response["Content-Security-Policy"] == CSP, path
        body = response.content.decode()
        for pattern in INLINE:
            assert not pattern.search(body), (path, pattern.pattern)
        # The one inline script, the theme's, is the one the policy allows by its hash.
        for script in INLINE_SCRIPT.findall(body):
            digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
            assert f"'sha256-{digest}'" in CSP, (path, script[:60])


def test_every_post_form_carries_a_csrf_token(client, build):
    author = UserFactory(username="former")
    client.force_login(author)
    forms_seen = 0
    for path in pages_to_visit(build, author):
        body = client.get(path).content.decode()
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", body, re.S):
            forms_seen += 1
            assert 'name="csrfmiddlewaretoken"' in form, (path, form[:80])
    assert forms_seen >= 10


def reply_form_open(build) -> tuple[Client, Comment, str]:
    """A writer with the reply form under a post open: their client, the post, the form's token."""
    op = build.op(build.thread())
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    html = client.get(f"/reply?id={op.pk}").content.decode()
    return client, op, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_a_reply_whose_form_token_went_stale_comes_back_in_its_form(build):
    """Logging in again in another tab changes the CSRF cookie under a form being written."""
    client, op, stale = reply_form_open(build)
    client.cookies["csrftoken"] = get_random_string(32)  # what the other tab's log-in left
    data = {"parent": op.pk, "text": "Written in the first tab.", "csrfmiddlewaretoken": stale}
    refused = client.post(f"/reply?id={op.pk}", data)
    assert refused.status_code == 303 and refused["Location"] == f"/reply?id={op.pk}"
    assert Comment.objects.count() == 1
    again = client.get(refused["Location"]).content.decode()
    assert "nothing was posted" in again and "Written in the first tab.</textarea>" in again


def test_a_form_posted_from_another_site_is_refused_and_not_kept(build):
    client, op, token = reply_form_open(build)
    data = {"parent": op.pk, "text": "Planted words.", "csrfmiddlewaretoken": token}
    forged = client.post("/reply", data, HTTP_ORIGIN="https://elsewhere.example")
    assert forged.status_code == 403 and "nothing was saved" in forged.content.decode()
    assert "Planted words." not in client.get(f"/reply?id={op.pk}").content.decode()


def test_posts_without_a_csrf_token_are_refused_and_store_nothing(build):
    author = UserFactory(username="victim")
    op = build.op(build.thread(author=author))
    mine = build.reply(op, author=author, text="Mine")
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    attempts = {
        "/submit": {"title": "Forged", "url": "", "text": ""},
        "/reply": {"parent": op.pk, "text": "Forged"},
        f"/edit?id={mine.pk}": {"text": "Forged"},
        f"/delete?id={mine.pk}": {},
        "/user?id=victim": {"about": "Forged", "email": ""},
        "/password/change": {"old_password": "x", "new_password1": "y", "new_password2": "y"},
        "/logout": {},
        "/signup": {"username": "forged", "password": "a long unusual passphrase"},
        "/login": {"username": "victim", "password": "correct horse battery staple"},
        "/password/reset": {"email": "x@example.com"},
    }
    for path, data in attempts.items():
        response = client.post(path, data)
        assert response.status_code == 403, path
        assert "nothing was saved" in response.content.decode()
        assert response["Content-Security-Policy"] == CSP
    assert Thread.objects.count() == 1
    assert list(Comment.objects.values_list("text", "state").order_by("pk")) == [
        ("", "visible"),
        ("Mine", "visible"),
    ]
    assert User.objects.get(username="victim").about == ""
    assert not User.objects.filter(username="forged").exists()


HOSTILE_HTML = (
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">'
    '<p onclick="steal()">hi <script>steal()</script>'
    '<a href="javascript:steal()">x</a><img src=x onerror=steal()></p>'
)


def test_post_html_loaded_from_a_fixture_passes_the_sanitizer(db, client, tmp_path):
    rows = json.loads((ROOT / "fixtures" / "seed.json").read_text())
    comments = [row for row in rows if row["model"] == "threads.comment"]
    untouched = {row["pk"]: row["fields"]["html"] for row in comments[1:]}
    comments[0]["fields"]["html"] = HOSTILE_HTML
    fixture = tmp_path / "hostile.json"
    fixture.write_text(json.dumps(rows))
    call_command("loaddata", str(fixture), verbosity=0)

    stored = Comment.objects.get(pk=comments[0]["pk"]).html
    assert stored == "<p>hi <a>x</a></p>"
    # Rendered bodies are already clean: loading leaves them byte for byte as they were.
    assert dict(Comment.objects.filter(pk__in=untouched).values_list("pk", "html")) == untouched
    page = client.get(f"/item?id={comments[0]['pk']}").content.decode()
    for hostile in ("http-equiv", "steal()", "onerror"):
        assert hostile not in page


def test_sessions_are_kept_in_the_database_not_in_a_cache_that_evicts(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_clearsessions_removes_expired_sessions_and_keeps_live_ones(db):
    store = SessionStore()
    store["writing_draft"] = {"url": "/submit", "fields": {"text": "kept for a while"}}
    store.create()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(pk=expired.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    call_command("clearsessions")
    assert list(Session.objects.values_list("pk", flat=True)) == [store.session_key]
