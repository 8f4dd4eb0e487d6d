"""Checks every thread's comment tree against its invariants, and repairs it on request."""

from django.core.management.base import BaseCommand, CommandError

from forum.exceptions import ForumError
from threads.core import tree_check
from threads.models import Thread
from threads.services.trees import thread_tree_repair


class Command(BaseCommand):
    help = (
        "Check each thread's comment tree (one root, nested intervals, levels, parent links, "
        "unique names); exit 1 when anything is wrong. --repair rebuilds broken trees."
    )

    def add_arguments(self, parser):
        parser.add_argument("--thread", type=int, help="check only the thread with this id")
        parser.add_argument(
            "--repair", action="store_true", help="rebuild broken trees from their parent links"
        )

    def handle(self, *args, thread, repair, **options):
        threads = Thread.objects.order_by("pk")
        if thread is not None:
            threads = threads.filter(pk=thread)
            if not threads.exists():
                raise CommandError(f"There is no thread with id {thread}.")
        broken = 0
        for checked in threads.iterator():
            problems = tree_check.thread_problems(checked)
            if not problems:
                continue
            broken += 1
            for problem in problems:
                self.stdout.write(f"thread {checked.pk}: {problem}")
            if repair:
                self._repair(checked)
        if broken and not repair:
            raise CommandError(f"{broken} thread(s) have broken trees; --repair rebuilds them.")
        self.stdout.write(
            f"{broken} thread(s) repaired." if broken else "Every tree is sound.",
        )

    def _repair(self, thread: Thread) -> None:
        # A post of another thread that sits in this tree goes home when its own tree is rebuilt.
        owners = {thread.pk, *(node.thread_id for node in tree_check.intruders(thread.pk))}
        for thread_id in sorted(owners):
            try:
                moved = thread_tree_repair(thread_id=thread_id)
            except ForumError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"thread {thread_id}: rebuilt, {moved} post(s) moved into place.")
        remaining = tree_check.thread_problems(Thread.objects.get(pk=thread.pk))
        if remaining:
            raise CommandError(f"thread {thread.pk} is still broken: {remaining[0]}")
