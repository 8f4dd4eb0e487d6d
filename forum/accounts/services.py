"""Every write to accounts: sign-up and the owner's profile."""

from django.db import IntegrityError, transaction

from forum.exceptions import ForumError

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
    user.about = about
    user.email = email
    user.email_replies = email_replies
    user.save(update_fields=["about", "email", "email_replies"])
    return user
