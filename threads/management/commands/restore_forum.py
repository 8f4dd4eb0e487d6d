"""Loads a backup made by backup_forum into an empty database, then checks every tree."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from forum.accounts.models import User
from threads.core import tree_check
from threads.models import Thread


class Command(BaseCommand):
    help = "Restore FILE, made by backup_forum, into an empty (freshly migrated) database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        if not file.is_file():
            raise CommandError(f"There is no backup at {file}.")
        if User.objects.exists() or Thread.objects.exists():
            raise CommandError(
                "The database already holds a forum: restore into an empty one "
                "(a new DATABASE_URL, then `manage.py migrate`)."
            )
        with transaction.atomic():
            call_command("loaddata", str(file), verbosity=0)
            tree_check.thread_ops_fill()  # a backup from before threads named their opening post
        report = StringIO()
        try:
            call_command("check_trees", stdout=report)
        except CommandError as error:
            message = f"Restored, but trees are broken:\n{report.getvalue()}{error}"
            raise CommandError(message) from error
        self.stdout.write(
            f"Restored {Thread.objects.count()} threads and {User.objects.count()} users "
            f"from {file}; every tree is sound."
        )
