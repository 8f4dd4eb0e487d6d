"""/healthz: answers "ok" without touching the database, for load balancers and healthchecks."""

from django.http import HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
