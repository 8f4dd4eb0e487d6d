"""Template context shared by every page."""

from django.conf import settings

from threads.selectors import replies_unread


def site(request):
    query = request.GET.copy()
    query["format"] = "txt"
    return {
        "site_name": settings.FORUM_SITE_NAME,
        "text_url": f"?{query.urlencode()}",
        # A callable, so the count is queried only by a page that shows the header.
        "unread_replies": lambda: _unread_replies(request.user),
    }


def _unread_replies(user) -> int:
    return replies_unread(user=user) if user.is_authenticated else 0
