"""Makes fixtures/seed.json from the source documents in fixtures/source/."""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError

from forum.accounts.models import User
from threads.models import Comment, Thread
from threads.services.imports import zlacker_import

SOURCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "source"


def seed_json() -> str:
    """Imports every source document and serialises the result, users first."""
    for path in sorted(SOURCE_DIR.glob("*.txt")):
        zlacker_import(text=path.read_text(encoding="utf-8"))
    objects = [
        *User.objects.order_by("pk"),
        *Thread.objects.order_by("pk"),
        *Comment.objects.order_by("pk"),
    ]
    return serializers.serialize("json", objects, indent=2) + "\n"


class Command(BaseCommand):
    help = "Rebuild the seed fixture; run it on an empty database (see `make seed-fixture`)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=Path("fixtures/seed.json"))

    def handle(self, *args, output, **options):
        if User.objects.exists() or Thread.objects.exists():
            raise CommandError("build_seed needs an empty database so that ids start at 1.")
        output.write_text(seed_json(), encoding="utf-8")
        self.stdout.write(f"Wrote {output}.")
