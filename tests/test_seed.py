"""The seed: its fixture is what the importer makes, and a new install loads it once."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tests.documents import SOURCE
from threads.management.commands.build_seed import seed_json
from threads.models import Comment, Thread

FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "seed.json"


@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_regenerating_the_seed_gives_the_committed_fixture():
    assert seed_json() == FIXTURE.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_seed_loads_the_conversation_into_an_empty_forum():
    call_command("seed")
    thread = Thread.objects.get()
    assert thread.title == "We’ve filed a lawsuit challenging Stable Diffusion"
    assert thread.comment_count == 5
    assert Comment.objects.filter(tree_id=thread.pk).count() == 6


@pytest.mark.django_db
def test_seed_is_not_loaded_twice(build):
    build.thread(title="Already here")
    call_command("seed")
    assert list(Thread.objects.values_list("title", flat=True)) == ["Already here"]


def test_the_source_document_is_the_shared_one():
    shared = Path(settings.BASE_DIR).parent / "shared" / "seeds" / SOURCE.name
    if shared.exists():
        assert shared.read_bytes() == SOURCE.read_bytes()
