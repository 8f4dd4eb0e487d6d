"""Email for replies: sent from a thread of its own once the reply is committed."""

import logging
import threading

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from forum.accounts.models import User

log = logging.getLogger(__name__)
# Sending threads still running, so that tests (and a clean shutdown) can wait for them.
_senders: set[threading.Thread] = set()


def reply_emailed_after_commit(comment) -> None:
    """Once the reply is committed, mails its parent's author if they asked for it.

    The recipient is read in the request's own thread (the database connection is there); only
    the SMTP conversation, the slow part, runs in a background thread, so the response never
    waits for the mail server.
    """
    transaction.on_commit(lambda: _send_in_background(comment))


def _send_in_background(comment) -> None:
    recipient = (
        User.objects.filter(pk=comment.parent_author_id, email_replies=True, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .first()
    )
    if recipient is None:
        return
    subject, body = _message(comment)
    sender = threading.Thread(target=_send, args=(subject, body, recipient), name="reply-mail")
    _senders.add(sender)
    sender.start()


def _message(comment) -> tuple[str, str]:
    site = settings.FORUM_SITE_NAME
    subject = f'[{site}] {comment.author.username} replied in "{comment.thread.title}"'
    body = (
        f"{comment.author.username} replied to your post:\n\n{comment.text}\n\n"
        f"Read it in context: {settings.FORUM_SITE_URL}{comment.get_absolute_url()}\n"
        f"(Stop these emails on your user page.)\n"
    )
    return subject, body


def _send(subject: str, body: str, recipient: str) -> None:
    try:
        send_mail(subject, body, None, [recipient])
    except Exception:
        # A mail server that is down must not take anything else with it: log and go on.
        log.exception("Could not email a reply notification to %s", recipient)
    finally:
        _senders.discard(threading.current_thread())


def wait_for_senders(timeout: float = 10) -> None:
    for sender in list(_senders):
        sender.join(timeout)
