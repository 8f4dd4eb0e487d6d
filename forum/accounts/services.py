"""Every write to accounts: sign-up and the owner's profile."""

import hashlib

from django.db import IntegrityError, connection, transaction

from forum.exceptions import ForumError

from . import names
from .models import User


@transaction.atomic
def user_signup(*, username: str, password: str, email: str = "") -> User:
    """A new account; ForumError when the name is taken or confusable with one that is."""
    skeleton = names.skeleton(username)
    _lock_name(skeleton)
    taken = User.objects.filter(name_skeleton=skeleton).values_list("username", flat=True).first()
    if taken is not None:
        raise ForumError(names.refusal(username, taken))
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password, email=email)
    except IntegrityError:  # the same name in another letter case, signed up a moment ago
        raise ForumError(names.refusal(username, username)) from None


def _lock_name(skeleton: str) -> None:
    # Skeletons are not unique in the database (older names may share one), so two sign-ups of
    # lookalike names are kept apart by a lock held to the end of the transaction. SQLite needs
    # none: its transactions take the write lock when they begin (settings: IMMEDIATE).
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(skeleton.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@transaction.atomic
def user_profile_update(*, user: User, about: str, email: str, email_replies: bool = False) -> User:
    user.about = about
    user.email = email
    user.email_replies = email_replies
    user.save(update_fields=["about", "email", "email_replies"])
    return user
