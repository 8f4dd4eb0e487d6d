"""Shared fixtures: users, threads and the servers the slow tests start."""

import pytest

from tests.factories import ThreadBuilder, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def build(db):
    return ThreadBuilder()


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
    from bench.concurrency import RECORDED, summary_line

    if RECORDED:
        terminalreporter.section("concurrency figures")
        for label, figures in RECORDED:
            terminalreporter.write_line(summary_line(label, figures))
