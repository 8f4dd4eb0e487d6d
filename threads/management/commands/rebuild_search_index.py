"""Builds the full-text index again from every post and thread."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from threads.search import index


class Command(BaseCommand):
    help = "Creates whatever the search index is missing and indexes every post and thread again."

    def handle(self, *args, **options):
        with transaction.atomic():
            index.install(connection)
            index.rebuild(connection)
        self.stdout.write("The search index was rebuilt.")
