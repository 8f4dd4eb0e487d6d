"""The forum's URLs plus /bench/trivial, the load test's baseline: a view that does nothing."""

from django.http import HttpResponse
from django.urls import path

from forum.urls import handler400, handler403, handler404, handler500  # noqa: F401
from forum.urls import urlpatterns as forum_urlpatterns


def trivial(request):
    """Through every middleware the forum's pages pass, and no database or cache of its own:
    the most requests a second this server can answer."""
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [path("bench/trivial", trivial), *forum_urlpatterns]
