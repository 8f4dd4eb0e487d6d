"""The forum's user model."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower

from threads import links

# Post names are NAME+REF and >>NAME+REF links find them in text: a name holds nothing else.
USERNAME_RULE = RegexValidator(
    r"\A[A-Za-z0-9_-]{2,15}\Z",
    "A name is 2 to 15 characters: letters, digits, _ and -.",
)


class ForumUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Log-in ignores case, as uniqueness does.
        return self.get(username__iexact=username)


class User(AbstractUser):
    # The same rule for sign-up, the admin's forms and createsuperuser.
    username = models.CharField(
        "username",
        max_length=150,
        unique=True,
        validators=[USERNAME_RULE],
        help_text="2 to 15 characters: letters, digits, _ and -.",
        error_messages={"unique": "A user with that username already exists."},
    )
    about = models.TextField(blank=True)
    # The votes the user's posts and threads have received: the sum of their points beyond the
    # one point each starts with, kept in step by every vote.
    karma = models.IntegerField(default=0)
    # Replies newer than this are unread in the inbox; None: none were read yet.
    replies_seen_at = models.DateTimeField(null=True, blank=True)
    email_replies = models.BooleanField(
        "email me replies",
        default=False,
        help_text="An email for each reply to your posts, to the address above.",
    )

    objects = ForumUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def __str__(self):
        return self.username

    def get_absolute_url(self) -> str:
        return links.user(self.username)
