"""import_hn FILE...: Hacker News stories (v0 item lines or an algolia tree), each file whole."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from forum.exceptions import ForumError
from threads.hn import story_files
from threads.services.hn_imports import hn_story_import


class Command(BaseCommand):
    help = "Imports Hacker News stories: v0 items one per line, or hn.algolia.com's item tree."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)

    def handle(self, *args, files, **options):
        for path in files:
            try:
                story = story_files.read_story(path.read_text(encoding="utf-8"))
                thread = hn_story_import(story=story)
            except (OSError, UnicodeDecodeError) as error:
                raise CommandError(f"{path}: cannot be read: {error}.") from None
            except ForumError as error:
                raise CommandError(f"{path}: {error}") from None
            replies = len(story.replies)
            self.stdout.write(
                f"{path}: story {story.root.id} with {replies} replies imported into thread"
                f" {thread.pk} ({thread.title})"
            )
