"""Shared fixtures: users, threads, a clean cache and the servers the slow tests start."""

import contextlib
import os
import re
import shutil
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.mail.backends import locmem

from tests import servers as servers_module
from tests.factories import ThreadBuilder, UserFactory

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    # The rate limits count in their cache: every test starts with none used and no page
    # cached. A new key prefix gives that without flushing a Redis that others may share.
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": prefix} for alias, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Factories hash a password per user; the real hasher would make that the slowest step.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


RELEASE_MAIL = threading.Event()


class HeldMailBackend(locmem.EmailBackend):
    """The test outbox, sending only once the test releases it: a request that sent mail
    itself would hang until the test gave up on it."""

    def send_messages(self, messages):
        RELEASE_MAIL.wait(10)
        return super().send_messages(messages)


@pytest.fixture
def held_mail(settings):
    """Mail waits until the test calls the returned release(); it then waits for the senders."""
    from forum.mail import wait_for_senders

    settings.MAILERS = {"default": {"BACKEND": "tests.conftest.HeldMailBackend"}}
    RELEASE_MAIL.clear()

    def release():
        RELEASE_MAIL.set()
        wait_for_senders()

    yield release
    RELEASE_MAIL.set()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def moderator(db):
    """A member of the Moderators group, as the admin's moderators are."""
    from django.contrib.auth.models import Group

    user = UserFactory(username="mod", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


@pytest.fixture
def mod_client(client, moderator):
    client.force_login(moderator)
    return client


@pytest.fixture
def build(db):
    return ThreadBuilder()


@pytest.fixture
def load_forum(transactional_db):
    """The forum the concurrency and fault suites load: a big thread and its writers."""
    from harness.load import seed_forum

    return seed_forum()


@pytest.fixture
def load_database_url(transactional_db):
    """The test database's URL, for the servers those suites start."""
    from django.db import connection

    from harness.server import database_url

    return database_url(connection.settings_dict)


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    """Starts servers on the test database, its counters in Redis when asked (or in the caches
    that `env` names); stops them after."""
    servers = []

    def start(
        *, workers: int = 2, redis: bool = False, env: dict[str, str] | None = None
    ) -> servers_module.Server:
        env = {
            "FORUM_ENV": "development",
            "DEBUG": "0",
            "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
            "REDIS_URL": REDIS_URL if redis else "",
            "LIMITS_REDIS_URL": "",
            **(env or {}),
        }
        logs = tmp_path / f"server-{len(servers)}"
        logs.mkdir()
        server = servers_module.start(logs=logs, workers=workers, env=env)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def pytest_runtest_setup(item):
    marked = any(item.get_closest_marker(name) for name in servers_module.PROCESS_MARKERS)
    servers_module.processes_allowed = marked


def pytest_collection_modifyitems(config, items):
    # Tests marked postgresql exercise PostgreSQL itself (restarting it): on SQLite there is
    # nothing for them to test, so they are deselected there and run in CI's PostgreSQL pass.
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    deselected = [item for item in items if item.get_closest_marker("postgresql")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]


def pytest_terminal_summary(terminalreporter):
    from harness.load import RECORDED, summary_line

    if RECORDED:
        terminalreporter.section("concurrency figures")
        for label, figures in RECORDED:
            terminalreporter.write_line(summary_line(label, figures))


# Browser tests: one Chromium and one gunicorn per module, a fresh browser context per test.

ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Kept on the test item so that the page fixture can tell whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    # Playwright's event loop runs in this thread while the tests use the database. Per module,
    # so that the variable is gone for the other tests (and the servers they start).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="module")
def module_server(django_db_setup):
    """Gunicorn serving the test database for a module's browser tests, its cache in Redis."""
    from tests.servers import gunicorn as serve

    prefix = f"test-{uuid.uuid4().hex}"
    env = {"REDIS_URL": REDIS_URL, "LIMITS_REDIS_URL": "", "CACHE_KEY_PREFIX": prefix}
    with serve(workers=2, env=env) as base:
        yield base, prefix


@pytest.fixture
def forum_server(module_server):
    """The module's server; each test starts with no rate-limit counters, as the others do.

    The counters are keyed by user id, and PostgreSQL hands out the same ids again after the
    database is emptied between tests.
    """
    import redis

    base, prefix = module_server
    yield base
    cache = redis.Redis.from_url(REDIS_URL)
    keys = list(cache.scan_iter(f"{prefix}:*"))
    if keys:
        cache.delete(*keys)


@pytest.fixture
def browser_context(chromium, request):
    """Opens pages in a fresh browser (no cookies, no storage); saves what failed."""
    contexts = []
    pages = []

    def open_page(*, width=1200, height=900, color_scheme="dark", javascript=True, **options):
        context = chromium.new_context(
            viewport={"width": width, "height": height},
            color_scheme=color_scheme,
            java_script_enabled=javascript,
            **options,
        )
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda msg: _script_error(msg) and page.errors.append(msg.text))
        pages.append(page)
        return page

    yield open_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _save_artifacts(request.node.name, pages)
    for context in contexts:
        context.close()


def _script_error(message) -> bool:
    # An error status is a page the test asks for and checks itself, not a script failure.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


def _save_artifacts(test_name: str, pages) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^\w.-]+", "_", test_name)
    for number, page in enumerate(pages):
        name = stem if number == 0 else f"{stem}-{number}"
        with contextlib.suppress(Exception):
            page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
            (ARTIFACTS / f"{name}.html").write_text(page.content())


@pytest.fixture
def page(browser_context, forum_server):
    """A desktop page in the dark theme; `page.base` is the server's URL. No script errors."""
    page = browser_context()
    page.base = forum_server
    yield page
    assert page.errors == [], page.errors


class SlowCountingHasher(MD5PasswordHasher):
    """The tests' hasher, counting the passwords it checks and taking a moment over each, as
    a real hasher does: concurrent log-ins then overlap while their passwords are checked."""

    checked = 0
    _lock = threading.Lock()

    def verify(self, password, encoded):
        with self._lock:
            SlowCountingHasher.checked += 1
        time.sleep(0.2)
        return super().verify(password, encoded)
