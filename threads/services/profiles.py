"""A user's profile as the forum writes it: refused to a banned user, saved by accounts."""

from django.db import transaction

from forum.accounts import services as accounts
from forum.accounts.models import User
from threads.core import policies


@transaction.atomic
def profile_update(*, user: User, about: str, email: str, email_replies: bool = False) -> User:
    """The owner's profile; a banned user changes nothing, the about text being theirs to show."""
    policies.refuse(policies.post_refusal(user))
    return accounts.user_profile_update(
        user=user, about=about, email=email, email_replies=email_replies
    )
