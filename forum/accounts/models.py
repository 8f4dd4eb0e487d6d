"""The forum's user model."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from forum import links
from forum.accounts import names

# Longer than any name the column holds: no account has it, and it is not worth a query.
LONGEST_NAME = 150
# The unusable password both importers give the authors they make (and the seed fixture has).
IMPORTED_PASSWORD = "!imported"


class ForumUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.get(username__iexact=username)

    def bulk_create(self, objs, *args, **kwargs):
        # save() is skipped here, so the skeleton that it keeps is filled in first.
        users = list(objs)
        for user in users:
            user.name_skeleton = user.skeleton_of_name()
            user.short_skeleton = user.skeleton_of_short_name()
        return super().bulk_create(users, *args, **kwargs)

    def pk_for_login(self, typed: str) -> int | None:
        """The account that log-in would find for a typed name (get_by_natural_key's match,
        letter case ignored as the database compares it), or None."""
        # PostgreSQL refuses NUL in a query.
        if not typed or "\x00" in typed or len(typed) > LONGEST_NAME:
            return None
        return self.filter(username__iexact=typed).values_list("pk", flat=True).first()


class User(AbstractUser):
    # The same rule for sign-up, the admin's forms and createsuperuser.
    username = models.CharField(
        "username",
        max_length=LONGEST_NAME,
        unique=True,
        validators=[names.validate_new_name],
        help_text=names.NAME_HELP,
        error_messages={"unique": "A user with that username already exists."},
    )
    # names.skeleton(username), kept by save(). Not unique: names imported or given before the
    # rule may share one; user_signup refuses a new name whose skeleton is taken.
    name_skeleton = models.CharField(max_length=LONGEST_NAME, db_index=True, editable=False)
    # names.skeleton of the name's first 6 characters, the part a post's name shows
    # (pgtest+12): a new name whose short skeleton another account has is refused too.
    short_skeleton = models.CharField(max_length=LONGEST_NAME, db_index=True, editable=False)
    # An author named in an imported file (import_hn, import_zlacker): named as the file names
    # them, never able to log in, never staff, and never the same account as one made here.
    is_imported = models.BooleanField(default=False, editable=False)
    about = models.TextField(blank=True)
    # The votes the user's posts and threads have received: the sum of their points beyond the
    # one point each starts with, kept in step by every vote.
    karma = models.IntegerField(default=0)
    # Replies newer than this are unread in the inbox; None: none were read yet.
    replies_seen_at = models.DateTimeField(null=True, blank=True)
    # Bumped by each write that changes what only this reader is shown (a thread hidden, a
    # post flagged, a ban): what a page keeps of its reader is keyed by it
    # (threads.caching.stencils).
    reader_version = models.PositiveIntegerField(default=0, editable=False)
    # Set when the owner follows the link mailed to the address; the address changing clears it.
    email_confirmed = models.BooleanField(default=False, editable=False)
    email_replies = models.BooleanField(
        "email me replies",
        default=False,
        help_text="An email for each reply to your posts, to the address above once you have "
        "confirmed it by the link we mail to it.",
    )

    objects = ForumUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.CheckConstraint(
                condition=Q(is_imported=False) | Q(is_staff=False, is_superuser=False),
                name="accounts_user_imported_never_staff",
            ),
        ]

    def __str__(self):
        return self.username

    def get_absolute_url(self) -> str:
        return links.user(self.username)

    def skeleton_of_name(self) -> str:
        return names.skeleton(self.username)[:LONGEST_NAME]

    def skeleton_of_short_name(self) -> str:
        return names.short_skeleton(self.username)[:LONGEST_NAME]

    def clean(self):
        super().clean()
        if self.is_imported and (self.is_staff or self.is_superuser):
            raise ValidationError(
                f"{self.username} was imported from another site: an imported author is never"
                " staff."
            )

    def set_password(self, raw_password):
        # An imported author is a name from a file, not a person who can log in here.
        if self.is_imported and raw_password is not None:
            raise ValueError(
                f"{self.username} was imported from another site and cannot be given a password."
            )
        super().set_password(raw_password)

    def save(self, *args, **kwargs):
        self.name_skeleton = self.skeleton_of_name()
        self.short_skeleton = self.skeleton_of_short_name()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_skeleton", "short_skeleton"}
        super().save(*args, **kwargs)
