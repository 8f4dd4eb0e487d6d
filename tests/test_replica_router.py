"""The replica router's arithmetic: write positions, and a replica's lag measured against when
the primary was first seen past it."""

import pytest

from forum import replicas


@pytest.fixture
def seen(monkeypatch):
    """The primary's positions as this process saw them: (seconds, position)."""
    positions = replicas.collections.deque(maxlen=600)
    monkeypatch.setattr(replicas, "_primary_positions", positions)
    return positions


def test_write_positions_compare_as_numbers():
    assert replicas.position_number("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert replicas.position_number("0/9") < replicas.position_number("0/10")
    assert replicas.position_text(replicas.position_number("1A/2B")) == "1A/2B"
    assert replicas.position_number(None) is None


def test_a_replica_at_the_primary_has_no_lag_however_quiet_the_site(seen):
    seen.extend([(0.0, 100), (5.0, 200)])
    assert replicas._lag(200, now=3600.0, since_last_transaction=3600.0) == 0.0


def test_a_replica_behind_lags_since_the_primary_first_stood_past_it(seen):
    seen.extend([(0.0, 100), (5.0, 200), (9.0, 300)])
    assert replicas._lag(200, now=12.0, since_last_transaction=600.0) == 3.0
    assert replicas._lag(150, now=12.0, since_last_transaction=600.0) == 7.0


def test_behind_all_it_has_seen_a_process_takes_the_replicas_own_measure(seen):
    seen.append((10.0, 500))
    assert replicas._lag(400, now=11.0, since_last_transaction=42.0) == 42.0
