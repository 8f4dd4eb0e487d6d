"""The forum's URLs plus the bench's own: /_bench/ writes over HTTP, /bench/usual for comparison."""

from django.urls import path

from bench import usual, views
from forum.urls import handler400, handler403, handler404, handler500  # noqa: F401
from forum.urls import urlpatterns as forum_urlpatterns

urlpatterns = [
    path("_bench/reply", views.reply),
    path("_bench/thread", views.thread),
    path("_bench/move", views.move),
    path("_bench/remove", views.remove),
    # The same thread page written the usual django-mptt way, to measure ours against.
    path("bench/usual", usual.thread_page),
    *forum_urlpatterns,
]
