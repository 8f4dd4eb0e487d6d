"""Template context shared by every page."""

from django.conf import settings


def site(request):
    query = request.GET.copy()
    query["format"] = "txt"
    return {"site_name": settings.FORUM_SITE_NAME, "text_url": f"?{query.urlencode()}"}
