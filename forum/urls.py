"""The site's URLs: Hacker News paths for reading, the admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

from forum.health import healthz

urlpatterns = [
    path("healthz", healthz),
    path("admin/", admin.site.urls),
    path("", include("threads.urls")),
]

handler400 = "forum.errors.bad_request"
handler403 = "forum.errors.forbidden"
handler404 = "forum.errors.not_found"
handler500 = "forum.errors.server_error"
