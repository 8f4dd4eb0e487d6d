"""Imports zlacker discussion pages into the forum."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forum.exceptions import ForumError
from threads.services.imports import zlacker_import
from threads.text import zlacker


class Command(BaseCommand):
    help = "Import zlacker discussion pages (UTF-8 text files); each file is all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
                thread = zlacker_import(text=text)
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}.") from error
            except UnicodeDecodeError as error:
                raise CommandError(f"{path}: not UTF-8 text ({error.reason}).") from error
            except zlacker.ZlackerError as error:
                # The parser's messages are phrases ("line 3: ..."); a refusal is a sentence.
                raise CommandError(f"{path}: {error}.") from error
            except ForumError as error:
                raise CommandError(f"{path}: {error}") from error
            self.stdout.write(f"{path}: imported into thread {thread.pk} ({thread.title})")
