"""Loads the seed conversation into a forum that has no threads yet."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from threads.models import Thread

SEED_FIXTURE = "fixtures/seed.json"


class Command(BaseCommand):
    help = "Load fixtures/seed.json when the forum has no threads (a new install)."

    def handle(self, *args, **options):
        if Thread.objects.exists():
            self.stdout.write("The forum has threads already: seed not loaded.")
            return
        call_command("loaddata", SEED_FIXTURE, verbosity=0)
        self.stdout.write(f"Loaded the seed conversation from {SEED_FIXTURE}.")
