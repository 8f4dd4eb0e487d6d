"""export_hn ID: a thread as Hacker News items, one JSON object per line, as import_hn reads."""

import json

from django.core.management.base import BaseCommand, CommandError

from threads.hn import items
from threads.models import Comment


class Command(BaseCommand):
    help = "Writes the thread of post ID as Hacker News items, one per line."

    def add_arguments(self, parser):
        parser.add_argument("post_id", type=int)

    def handle(self, *args, post_id, **options):
        post = Comment.objects.select_related("thread").filter(pk=post_id).first()
        if post is None:
            raise CommandError(f"There is no post with id {post_id}.")
        for item in items.export_items(thread=post.thread):
            self.stdout.write(json.dumps(item, sort_keys=True, ensure_ascii=False))
