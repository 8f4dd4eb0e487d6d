"""/healthz: whether every cache answers and, with read replicas, which database is up; for
load balancers, healthchecks and the operator."""

import math

from django.conf import settings
from django.http import HttpResponse

from forum import limits, replicas
from forum.caches import caches_down
from forum.http import read_only

# Past this share of its memory the limits' store is reported before it can refuse anyone.
LIMITS_NEARLY_FULL = 0.8


@read_only
def healthz(request):
    """200 and "ok" when every cache answers; 503 naming the caches that do not; 200 and
    "warning" when the limits' store is nearly full (every server shares it: taking servers
    out would help no one, but whoever watches must make room before it refuses writes). With
    read replicas, a line per database, "read-only" while the primary is lost and replicas
    serve, and 503 when no database answers; without them it asks no database."""
    down = caches_down()
    states = {alias: "down" if alias in down else "ok" for alias in settings.CACHES}
    use = None if "limits" in down else limits.store_use()
    if use is not None and use >= LIMITS_NEARLY_FULL:
        states["limits"] = f"nearly full ({use:.0%} used)"
    databases = _database_lines() if replicas.configured() else []
    no_database = bool(databases) and not any(up for _, up in databases)
    if down or no_database:
        first = "unavailable"
    elif replicas.read_only():
        first = "read-only"
    else:
        first = "ok" if all(state == "ok" for state in states.values()) else "warning"
    lines = [first] + [f"cache {alias}: {state}" for alias, state in states.items()]
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
            left_out = " (reads left out)" if replicas.too_far_behind(health) else ""
            word = f"ok, lag {lag}{left_out}"
        name = "primary" if alias == replicas.PRIMARY else alias
        lines.append((f"database {name}: {word}", health.up))
    return lines
