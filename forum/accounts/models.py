"""The forum's user model."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


class ForumUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Log-in ignores case, as uniqueness does.
        return self.get(username__iexact=username)


class User(AbstractUser):
    about = models.TextField(blank=True)
    karma = models.IntegerField(default=0)

    objects = ForumUserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
        ]

    def __str__(self):
        return self.username
