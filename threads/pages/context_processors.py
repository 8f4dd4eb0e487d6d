"""Template context every page's header needs from the threads: the reader's unread replies."""

from threads.core.selectors import replies_unread


def unread_replies(request):
    # A callable, so the count is queried only by a page that shows the header.
    return {"unread_replies": lambda: _unread_replies(request.user)}


def _unread_replies(user) -> int:
    return replies_unread(user=user) if user.is_authenticated else 0
