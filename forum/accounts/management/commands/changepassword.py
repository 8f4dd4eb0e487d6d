"""Django's changepassword, refusing an imported author with a sentence before any prompt."""

import getpass

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import changepassword
from django.core.management.base import CommandError


class Command(changepassword.Command):
    def handle(self, *args, **options):
        username = options["username"] or getpass.getuser()
        accounts = get_user_model()._default_manager.using(options["database"])
        if accounts.filter(username=username, is_imported=True).exists():
            raise CommandError(
                f"{username} was imported from another site and cannot be given a password:"
                " an imported author is a name from a file, not a person who logs in here."
            )
        return super().handle(*args, **options)
