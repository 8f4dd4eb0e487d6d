"""The replies inbox: every reply to the reader's posts and threads, newest first."""

from functools import partial

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from forum import replicas
from forum.accounts.services import inbox_mark_read
from forum.http import paged, read_only, text_response, wants_text
from threads.core import policies, selectors
from threads.drawing import textform

PER_PAGE = 30


@read_only
@login_required
def replies(request):
    """Lists the replies; opening the first page marks every reply so far as read."""
    opened_at = timezone.now()
    seen_before = request.user.replies_seen_at
    page = paged(request, partial(selectors.replies_page, user=request.user), per_page=PER_PAGE)
    shown = page.items
    # Looking is what marks replies read (the note read_only allows); not while the forum is
    # read-only: the inbox is shown and stays unread until writes resume.
    if page.number == 1 and not replicas.read_only():
        inbox_mark_read(user=request.user, until=opened_at)
    if wants_text(request):
        return text_response(textform.inbox_page(shown))
    reader = policies.reader(request.user)
    for reply in shown:
        reply.reply_open = policies.reply_refusal(user=reader, parent=reply) is None
    context = {
        "replies": shown,
        "seen_before": seen_before,
        "next_page": page.next_page,
    }
    return render(request, "threads/replies.html", context)
