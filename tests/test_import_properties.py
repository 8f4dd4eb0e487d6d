"""Both importers fed malformed files: every refusal is one sentence, never a traceback, and a
refused file stores and changes nothing; an accepted one never touches what it did not make."""

import io
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from forum.accounts.models import User
from tests.factories import UserFactory
from threads.models import Comment, Thread
from threads.text import zlacker

STORY = 50_000_000
TIME = 1_700_000_000
SEED_TITLE = "We’ve filed a lawsuit challenging Stable Diffusion"
# Names of accounts made here (a superuser, a moderator, a member; in any letter case), of
# the seed's imported authors, and new ones.
NAMES = ["admin", "ADMIN", "mod", "member", "zacwes", "dr_dsh", "derang", "newbie", "x"]
PIECES = ["a", " ", "\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\ufdd0", "\ufffe"]
PIECES += ["\uffff", "\U0010ffff", "<", "&", "\n", "é", "javascript:", "https://"]
HOSTILE_TEXT = st.lists(st.sampled_from(PIECES), max_size=8).map("".join)
KEYS = st.text(max_size=3)
URLS = ["javascript:alert(1)", "data:text/html,x", "https://a.example/" + "x" * 3000]
# Any JSON value a field could wrongly hold.
JUNK = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | HOSTILE_TEXT
    | st.sampled_from(URLS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=5,
)
FIELDS = ["id", "type", "by", "time", "text", "title", "url", "score", "parent", "story_id"]
FIELDS += ["deleted", "dead"]


class Undo(Exception):
    """Raised to roll back what an example stored, so that each starts from the same forum."""


@pytest.fixture
def forum(db):
    call_command("loaddata", "fixtures/seed.json", verbosity=0)
    UserFactory(username="admin", is_staff=True, is_superuser=True)
    UserFactory(username="mod", is_staff=True)
    UserFactory(username="member")
    return Thread.objects.get()


def state(thread: Thread) -> tuple:
    """What a refused file must leave as it was: every table's size and the seed thread."""
    thread = Thread.objects.get(pk=thread.pk)
    posts = Comment.objects.filter(thread=thread).order_by("pk")
    return (
        User.objects.count(),
        Thread.objects.count(),
        Comment.objects.count(),
        (thread.title, thread.url, thread.points, thread.version, thread.comment_count),
        list(posts.values_list("pk", "author_id", "text", "html", "state", "parent_id", "lft")),
    )


def run(command: str, path, forum: Thread) -> None:
    """Runs the import; a refusal must be one sentence that changed nothing, and an accepted
    file must leave the seed thread alone and post as no account made here."""
    before = state(forum)
    with pytest.raises(Undo), transaction.atomic():
        try:
            call_command(command, str(path), stdout=io.StringIO())
        except CommandError as error:
            message = str(error)
            event("refused")
            assert "Traceback" not in message and "\n" not in message, message
            assert message.rstrip(")").endswith((".", "?")), message
            assert state(forum) == before, message
        else:
            event("imported")
            # Pages of the seed's discussion may add posts to it, never change one.
            after = state(forum)
            assert after[3][:3] == before[3][:3]
            assert set(before[4]) <= set(after[4])
            local = Comment.objects.filter(author__is_imported=False).exclude(thread=forum)
            assert not local.exists()
        raise Undo


@st.composite
def hn_files(draw) -> list:
    """A story and a few replies, then broken: fields given junk, ids of existing posts,
    names of existing accounts, parents in a cycle."""
    size = draw(st.integers(min_value=0, max_value=4))
    story_id = draw(st.sampled_from([STORY, 1, 2, 6, 2**63 - 1]))
    items = [
        {
            "id": story_id,
            "type": "story",
            "by": draw(st.sampled_from(NAMES)),
            "time": TIME,
            "title": "A story",
        }
    ]
    for n in range(1, size + 1):
        items.append(
            {
                "id": story_id + n,
                "type": "comment",
                "by": draw(st.sampled_from(NAMES)),
                "time": TIME + n,
                "parent": story_id + draw(st.integers(min_value=0, max_value=n - 1)),
                "text": "A reply.",
            }
        )
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        item = draw(st.sampled_from(items))
        item[draw(st.sampled_from(FIELDS))] = draw(JUNK | st.sampled_from(NAMES))
    if size >= 2 and draw(st.booleans()):
        items[1]["parent"] = items[-1]["id"]  # a cycle: the first reply answers the last
    return items


@st.composite
def zlacker_pages(draw) -> str:
    """A discussion page, sound as text, with hostile names, titles, refs and texts: the seed's
    title and posts, accounts made here, control characters."""
    size = draw(st.integers(min_value=1, max_value=4))
    title = draw(st.sampled_from([SEED_TITLE, "A page"]) | HOSTILE_TEXT.filter(_one_line))
    op = draw(st.sampled_from(["zacwes", "admin", "newbie"]))
    start = datetime(2023, 1, 14, 7, 0, tzinfo=UTC)
    posts, parent = [], (op, 0)
    for number in range(1, size + 1):
        author = draw(st.sampled_from(["dr_dsh", "akjetm", "admin", "mod", "member", "newbie"]))
        ref = draw(st.sampled_from([125, 225, 239, 473, 5031]) | st.integers(1, 10**9))
        if any(post.ref == ref for post in posts):
            break
        text = draw(st.sampled_from(["Idk", "Hello."]) | HOSTILE_TEXT.filter(_one_line))
        created = start + timedelta(minutes=draw(st.integers(0, 60)))
        posts.append(zlacker.Post(number, number, author, ref, created, *parent, text=text))
        parent = (author, ref)
    return zlacker.render_discussion(zlacker.Discussion("zlacker", title, tuple(posts)))


def _one_line(text: str) -> bool:
    return "\n" not in text and text.strip() != ""


PROPERTY = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(items=hn_files())
def test_import_hn_refuses_malformed_items_with_a_sentence_and_changes_nothing(
    forum, tmp_path, items
):
    path = tmp_path / "items.jsonl"
    lines = [json.dumps(item, ensure_ascii=True) for item in items]
    path.write_text("\n".join(lines), encoding="utf-8")
    run("import_hn", path, forum)


@PROPERTY
@given(text=zlacker_pages())
def test_import_zlacker_refuses_hostile_pages_with_a_sentence_and_changes_nothing(
    forum, tmp_path, text
):
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    run("import_zlacker", path, forum)
