"""Every write to accounts: sign-up, the owner's profile, and when they last read their replies."""

from datetime import datetime

from django.db import IntegrityError, transaction

from forum.exceptions import ForumError
from threads import policies

from .models import User


@transaction.atomic
def user_signup(*, username: str, password: str, email: str = "") -> User:
    """A new account; ForumError when the name is taken in any letter case."""
    if User.objects.filter(username__iexact=username).exists():
        raise ForumError(f"The name {username} is taken; please choose another.")
    try:
        with transaction.atomic():
            return User.objects.create_user(username=username, password=password, email=email)
    except IntegrityError:  # taken by a concurrent sign-up between the check and the insert
        raise ForumError(f"The name {username} is taken; please choose another.") from None


@transaction.atomic
def user_profile_update(*, user: User, about: str, email: str, email_replies: bool = False) -> User:
    """The owner's profile; a banned user changes nothing, the about text being theirs to show."""
    policies.refuse(policies.post_refusal(user))
    user.about = about
    user.email = email
    user.email_replies = email_replies
    user.save(update_fields=["about", "email", "email_replies"])
    return user


@transaction.atomic
def inbox_mark_read(*, user: User, until: datetime) -> None:
    """Every reply up to this moment counts as read."""
    User.objects.filter(pk=user.pk).update(replies_seen_at=until)
    user.replies_seen_at = until
