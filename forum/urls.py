"""The site's URLs: Hacker News paths for reading, writing and accounts, the admin under /admin/."""

from django.contrib import admin
from django.urls import include, path

from forum.accounts.views import login
from forum.health import healthz
from forum.metrics import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    # The admin's log-in is the site's own, so its attempts count against the same limits.
    path("admin/login/", login),
    path("admin/", admin.site.urls),
    path("", include("threads.urls")),
    path("", include("forum.accounts.urls")),
]

handler400 = "forum.errors.bad_request"
handler403 = "forum.errors.forbidden"
handler404 = "forum.errors.not_found"
handler500 = "forum.errors.server_error"
