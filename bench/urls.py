"""The forum's URLs plus /_bench/ write endpoints that drive structural writes over HTTP."""

from django.urls import path

from bench import views
from forum.urls import handler400, handler403, handler404, handler500  # noqa: F401
from forum.urls import urlpatterns as forum_urlpatterns

urlpatterns = [
    path("_bench/reply", views.reply),
    path("_bench/thread", views.thread),
    path("_bench/move", views.move),
    path("_bench/remove", views.remove),
    *forum_urlpatterns,
]
