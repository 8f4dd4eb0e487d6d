"""Mail sent from a thread of its own: no response waits for the mail server or shows its delay."""

import email.policy
import logging
import threading
from collections.abc import Callable

from django.core.mail.backends import console
from django.db import transaction

log = logging.getLogger(__name__)
# Sending threads still running, so that tests (and a clean shutdown) can wait for them.
_senders: set[threading.Thread] = set()


def send_in_background(send: Callable[[], object], *, what: str) -> None:
    """Runs send() in a thread of its own; a failure is logged as "Could not email {what}".

    send() must not use the database: the request's connection stays in the request's thread.
    """
    sender = threading.Thread(target=_run, args=(send, what), name="mail", daemon=True)
    _senders.add(sender)
    sender.start()


def send_after_commit(send: Callable[[], object], *, what: str) -> None:
    """send_in_background once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_in_background(send, what=what))


def _run(send: Callable[[], object], what: str) -> None:
    try:
        send()
    except Exception:
        # A mail server that is down must not take anything else with it: log and go on.
        log.exception("Could not email %s", what)
    finally:
        _senders.discard(threading.current_thread())


def wait_for_senders(timeout: float = 10) -> None:
    for sender in list(_senders):
        sender.join(timeout)


# Lines up to SMTP's own bound are left whole: text goes out as 7bit or 8bit UTF-8.
WHOLE_LINES = email.policy.default.clone(max_line_length=998)


class ConsoleBackend(console.EmailBackend):
    """Django's console mail (make run), its text printed as written: the default policy breaks
    a line longer than 78 characters, a confirmation or reset link, as quoted-printable."""

    def write_message(self, message):
        text = message.message(policy=WHOLE_LINES).as_bytes().decode("utf-8", "replace")
        self.stream.write(f"{text}\n{'-' * 79}\n")
