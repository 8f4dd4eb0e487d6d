"""Shared fixtures: users, threads and the servers the slow tests start."""

import pytest

from tests.factories import ThreadBuilder, UserFactory


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def build(db):
    return ThreadBuilder()
