"""/healthz: whether every cache answers and, with read replicas, which database is up; for
load balancers, healthchecks and the operator."""

import math

from django.conf import settings
from django.http import HttpResponse

from forum import replicas
from forum.caches import caches_down
from forum.http import read_only


@read_only
def healthz(request):
    """200 and "ok" when every cache answers; 503 naming the caches that do not. With read
    replicas, a line per database, "read-only" while the primary is lost and replicas serve,
    and 503 when no database answers. Without replicas it asks no database."""
    down = caches_down()
    databases = _database_lines() if replicas.configured() else []
    no_database = bool(databases) and not any(up for _, up in databases)
    state = "ok"
    if replicas.read_only():
        state = "read-only"
    if down or no_database:
        state = "unavailable"
    lines = [state]
    lines += [f"cache {alias}: {'down' if alias in down else 'ok'}" for alias in settings.CACHES]
    lines += [line for line, _ in databases]
    status = 503 if down or no_database else 200
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain", status=status)


def _database_lines() -> list[tuple[str, bool]]:
    lines = []
    for alias in [replicas.PRIMARY, *replicas.replica_aliases()]:
        health = replicas.health(alias, fresh=True)
        word = "ok" if health.up else "down"
        if health.up and alias != replicas.PRIMARY:
            lag = f"{health.lag:.1f} s" if math.isfinite(health.lag) else "unknown"
            left_out = health.lag > settings.FORUM_REPLICA_MAX_LAG
            word = f"ok, lag {lag}" + (" (reads left out)" if left_out else "")
        name = "primary" if alias == replicas.PRIMARY else alias
        lines.append((f"database {name}: {word}", health.up))
    return lines
