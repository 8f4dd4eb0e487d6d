"""/healthz: whether every cache answers, for load balancers and healthchecks; no database."""

from django.conf import settings
from django.http import HttpResponse

from forum.caches import caches_down
from forum.http import read_only


@read_only
def healthz(request):
    """200 and "ok" when every cache answers; 503 naming the caches that do not."""
    down = caches_down()
    lines = ["unavailable" if down else "ok"]
    lines += [f"cache {alias}: {'down' if alias in down else 'ok'}" for alias in settings.CACHES]
    return HttpResponse(
        "\n".join(lines) + "\n", content_type="text/plain", status=503 if down else 200
    )
