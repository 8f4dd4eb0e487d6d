"""The forum's URLs plus /bench/usual, the same thread page written the usual django-mptt way."""

from django.urls import include, path

from . import usual

urlpatterns = [
    path("bench/usual", usual.thread_page),
    path("", include("forum.urls")),
]
