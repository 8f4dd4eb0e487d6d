"""The forum's user model."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from forum import characters, links
from forum.accounts import names

# Longer than any name the column holds: no account has it, and it is not worth a query.
LONGEST_NAME = 150
# The unusable password both importers give the authors they make (and the seed fixture has).
IMPORTED_PASSWORD = "!imported"


def could_be_a_name(typed: str) -> bool:
    """Whether any account could have this name: the one check before a name reaches a query
    (PostgreSQL refuses a NUL in one, and no name is longer than the column)."""
    return bool(typed) and "\x00" not in typed and len(typed) <= LONGEST_NAME


class ForumUserManager(UserManager):
    def get_by_natural_key(self, username):
        return self.named(username).get()

    def named(self, typed: str):
        """The account with this name, its letter case ignored as the database compares it:
        none for a name no account could have."""
        if not could_be_a_name(typed):
            return self.none()
        return self.filter(username__iexact=typed)

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
        return self.named(typed).values_list("pk", flat=True).first()


def about_refusal(about: str) -> str | None:
    """A sentence refusing an about text with a control character (but tab and line ends) or a
    non-character, or None: the profile's form, the admin's and the service all ask it."""
    return characters.refusal("The about text", about, lines=True)


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

    class ThreadOrder(models.TextChoices):
        TIME = "time", "every post in the order it was written (zlacker's)"
        TREE = "tree", "replies under their post, best first (Hacker News')"

    # How the reader's thread pages order their posts: their last choice of the two.
    thread_order = models.CharField(
        "order of a thread's posts",
        max_length=4,
        choices=ThreadOrder.choices,
        default=ThreadOrder.TIME,
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

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        user = super().from_db(db, field_names, values, **kwargs)
        # The address as stored: save() tells a changed one from it, whoever changed it.
        user.stored_email = user.__dict__.get("email")
        return user

    def clean(self):
        super().clean()
        if self.is_imported and (self.is_staff or self.is_superuser):
            raise ValidationError(
                f"{self.username} was imported from another site: an imported author is never"
                " staff."
            )
        if refusal := about_refusal(self.about):
            raise ValidationError({"about": refusal})

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
        # A changed address (in the admin, or anywhere) is unconfirmed until its owner confirms.
        stored = getattr(self, "stored_email", None)
        if stored is not None and self.email != stored and self.email_confirmed:
            self.email_confirmed = False
            if update_fields is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "email_confirmed"}
        super().save(*args, **kwargs)
        self.stored_email = self.email
