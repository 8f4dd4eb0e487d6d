"""The replies inbox: every reply to the reader's posts and threads, newest first."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from . import selectors, services
from .views import BadRequest, int_param, reading_view, text_response, wants_text

PER_PAGE = 30


@reading_view
@login_required
def replies(request):
    """Lists the replies; opening the first page marks every reply so far as read."""
    page = int_param(request, "p", default=1)
    if page < 1:
        raise BadRequest("Pages are numbered from 1.")
    opened_at = timezone.now()
    seen_before = request.user.replies_seen_at
    offset = (page - 1) * PER_PAGE
    rows = list(selectors.replies_page(user=request.user, offset=offset, limit=PER_PAGE + 1))
    shown = rows[:PER_PAGE]
    if page == 1:
        services.inbox_mark_read(user=request.user, until=opened_at)
    if wants_text(request):
        return text_response(_replies_text(shown))
    context = {
        "replies": shown,
        "seen_before": seen_before,
        "next_page": page + 1 if len(rows) > PER_PAGE else None,
    }
    return render(request, "threads/replies.html", context)


def _replies_text(replies) -> str:
    lines = [settings.FORUM_SITE_NAME, "", "replies"]
    for reply in replies:
        lines += ["", f"{reply.name} {reply.created_at:%Y-%m-%d %H:%M:%S} to {reply.parent.name}"]
        lines += [f'on: "{reply.thread.title}"', *reply.text.split("\n")]
    return "\n".join(lines) + "\n"
