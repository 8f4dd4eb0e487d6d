"""Every write to accounts: sign-up, the owner's profile, and when they last read their replies."""

import hashlib
from datetime import datetime
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction

from forum import limits, mail
from forum.accounts import names
from forum.accounts.models import User, about_refusal
from forum.exceptions import ForumError


@transaction.atomic
def user_signup(*, username: str, password: str, email: str = "") -> User:
    """A new account; ForumError when the name is taken or confusable with one that is."""
    keys = {f"name:{names.skeleton(username)}", f"short:{names.short_skeleton(username)}"}
    for key in sorted(keys):  # one order, so that two sign-ups never wait on each other
        _lock_name(key)
    if refusal := names.taken_refusal(User.objects, username):
        raise ForumError(refusal)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, email=email)
    except IntegrityError:  # the same name in another letter case, signed up a moment ago
        raise ForumError(names.refusal(username, username)) from None
    if email:  # the only way to a password reset: its owner confirms it like any new address
        email_confirmation_mail(user=user)
    return user


def _lock_name(key: str) -> None:
    # Skeletons are not unique in the database (older names may share one), so two sign-ups of
    # lookalike names are kept apart by a lock held to the end of the transaction. SQLite needs
    # none: its transactions take the write lock when they begin (settings: IMMEDIATE).
    if connection.vendor == "postgresql":
        number = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])


@transaction.atomic
def user_thread_order_set(*, user: User, order: str) -> User:
    """Keeps the order the user last chose for thread pages (User.ThreadOrder)."""
    if order not in User.ThreadOrder.values:
        raise ForumError(f"A thread's order is time or tree, not {order[:40]!r}.")
    user.thread_order = order
    user.save(update_fields=["thread_order"])
    return user


EMAIL_CONFIRMATION_SALT = "forum.accounts.email-confirmation"
EMAIL_CONFIRMATION_AGE = 3 * 24 * 60 * 60


@transaction.atomic
def user_profile_update(*, user: User, about: str, email: str, email_replies: bool = False) -> User:
    """Saves the profile; a new address is unconfirmed until its owner follows the link mailed
    to it (RateLimited when too many such mails were asked for). Whether the user may change
    it at all is for the forum's policy: threads.services.profile_update asks it first."""
    if refusal := about_refusal(about):
        raise ForumError(refusal)
    new_address = email != user.email
    if new_address and email:
        limits.hit(limits.EMAIL_CONFIRMATIONS, f"email-confirmation:{user.pk}")
    user.about = about
    user.email = email
    user.email_replies = email_replies
    user.email_confirmed = user.email_confirmed and not new_address
    user.save(update_fields=["about", "email", "email_replies", "email_confirmed"])
    if new_address and email:
        email_confirmation_mail(user=user)
    return user


def email_confirmation_mail(*, user: User) -> None:
    """Mails the user's address, once the transaction commits, the link that confirms it."""
    token = signing.dumps({"id": user.pk, "email": user.email}, salt=EMAIL_CONFIRMATION_SALT)
    link = f"{settings.FORUM_SITE_URL}/email/confirm?token={token}"
    body = (
        f"Someone, probably you, gave this address to the account {user.username} on "
        f"{settings.FORUM_SITE_NAME}.\n\nTo have replies mailed here, confirm it within three "
        f"days:\n{link}\n\nIf it was not you, ignore this mail: nothing will be sent here.\n"
    )
    subject = f"[{settings.FORUM_SITE_NAME}] Confirm your email address"
    send = partial(send_mail, subject, body, None, [user.email])
    mail.send_after_commit(send, what=f"an address confirmation to {user.email}")


@transaction.atomic
def user_email_confirm(*, token: str) -> User:
    """Confirms the address a link was mailed to; ForumError when the link is bad, too old,
    or for an address the account no longer has."""
    try:
        claim = signing.loads(token, salt=EMAIL_CONFIRMATION_SALT, max_age=EMAIL_CONFIRMATION_AGE)
    except signing.BadSignature:
        raise ForumError(
            "This confirmation link is not valid or is more than three days old. Save your "
            "address on your user page again to get a new one."
        ) from None
    user = User.objects.select_for_update().filter(pk=claim["id"]).first()
    if user is None or user.email != claim["email"]:
        raise ForumError("This link confirms an address the account no longer has.", status=409)
    user.email_confirmed = True
    user.save(update_fields=["email_confirmed"])
    return user


@transaction.atomic
def inbox_mark_read(*, user: User, until: datetime) -> None:
    """Every reply up to this moment counts as read."""
    User.objects.filter(pk=user.pk).update(replies_seen_at=until)
    user.replies_seen_at = until
