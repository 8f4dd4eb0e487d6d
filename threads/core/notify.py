"""Email for replies: sent from a thread of its own once the reply is committed."""

from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from forum import mail
from forum.accounts.models import User


def reply_emailed_after_commit(comment, *, site_url: str = "") -> None:
    """Once the reply is committed, mails its parent's author if they asked for it.

    The recipient is read in the request's own thread (the database connection is there); only
    the SMTP conversation, the slow part, runs in a background thread, so the response never
    waits for the mail server.
    """
    site = site_url or settings.FORUM_SITE_URL
    transaction.on_commit(lambda: _send_in_background(comment, site))


def _send_in_background(comment, site_url: str) -> None:
    # Only to an address its owner has confirmed: one typed into a profile may be anyone's.
    recipient = (
        User.objects.filter(
            pk=comment.parent_author_id, email_replies=True, email_confirmed=True, is_active=True
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .first()
    )
    if recipient is None:
        return
    subject, body = _message(comment, site_url)
    send = partial(send_mail, subject, body, None, [recipient])
    mail.send_in_background(send, what=f"a reply notification to {recipient}")


def _message(comment, site_url: str) -> tuple[str, str]:
    site = settings.FORUM_SITE_NAME
    subject = f'[{site}] {comment.author.username} replied in "{comment.thread.title}"'
    body = (
        f"{comment.author.username} replied to your post:\n\n{comment.text}\n\n"
        f"Read it in context: {site_url}{comment.get_absolute_url()}\n"
        f"(Stop these emails on your user page.)\n"
    )
    return subject, body
