"""Prints the zlacker discussion page of one post."""

from django.core.management.base import BaseCommand, CommandError

from threads.core import selectors
from threads.drawing import page_posts, textform
from threads.models import Comment


class Command(BaseCommand):
    help = "Print the discussion page of a post (by its id) in the zlacker text form."

    def add_arguments(self, parser):
        parser.add_argument("post_id", type=int)

    def handle(self, *args, post_id, **options):
        try:
            post = selectors.post_get(post_id=post_id)
        except Comment.DoesNotExist:
            raise CommandError(f"There is no post with id {post_id}.") from None
        if post.is_op:
            raise CommandError(f"Post {post_id} opens its thread: it has no discussion page.")
        _op, *chain = page_posts.build(selectors.chain_posts(post=post, html=False, text=True))
        self.stdout.write(textform.discussion_page(post.thread.title, chain), ending="")
