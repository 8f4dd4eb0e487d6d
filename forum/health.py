"""/healthz: whether every cache answers, for load balancers and healthchecks; no database."""

from django.conf import settings
from django.http import HttpResponse

from forum import limits
from forum.caches import caches_down
from forum.http import read_only

# Past this share of its memory the limits' store is reported before it can refuse anyone.
LIMITS_NEARLY_FULL = 0.8


@read_only
def healthz(request):
    """200 and "ok" when every cache answers; 503 naming the caches that do not; 200 and
    "warning" when the limits' store is nearly full (every server shares it: taking servers
    out would help no one, but whoever watches must make room before it refuses writes)."""
    down = caches_down()
    states = {alias: "down" if alias in down else "ok" for alias in settings.CACHES}
    use = None if "limits" in down else _limits_use()
    if use is not None and use >= LIMITS_NEARLY_FULL:
        states["limits"] = f"nearly full ({use:.0%} used)"
    first = (
        "unavailable" if down else "ok" if all(s == "ok" for s in states.values()) else "warning"
    )
    lines = [first] + [f"cache {alias}: {state}" for alias, state in states.items()]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain", status=503 if down else 200
    )


def _limits_use() -> float | None:
    try:
        return limits.store_use()
    except limits.LimitsUnavailable:
        return None
