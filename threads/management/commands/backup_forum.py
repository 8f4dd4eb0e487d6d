"""Writes the whole forum (accounts, threads, comments, moderation, admin history) to a file."""

import re

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

BACKUP_NAME = re.compile(r"\.backup(\.(gz|bz2|xz|lzma))?$")
# Rebuilt by migrate on the target, or not worth keeping (sessions only log people in).
NOT_BACKED_UP = ["contenttypes", "auth.permission", "sessions"]


class Command(BaseCommand):
    help = (
        "Back the forum up to FILE, named *.backup or *.backup.gz (.bz2, .xz). "
        "restore_forum FILE loads it into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        if not BACKUP_NAME.search(file):
            raise CommandError(f"Name the backup *.backup or *.backup.gz, not {file}.")
        call_command(
            "dumpdata",
            format="backup",
            exclude=NOT_BACKED_UP,
            natural_foreign=True,
            output=file,
            indent=None,
            verbosity=0,
        )
        self.stdout.write(f"Backed the forum up to {file}.")
