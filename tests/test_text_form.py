"""Every page's text form (format=txt), byte for byte, on the seed and on made-up threads."""

import re
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from forum.accounts.models import User
from tests.documents import SOURCE
from tests.factories import ThreadBuilder, UserFactory
from threads.models import Comment, ModerationAction, Thread
from threads.services.moderation import comment_remove, thread_lock
from threads.services.posting import comment_delete
from threads.text import zlacker

START = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


# What the pages of the made-up threads read today, kept byte for byte.

THREAD_LIST = (
    "zlacker\n"
    "\n"
    "1. Plain\n"
    "   1 point 2 comments\n"
    "2. Locked, with a link (https://example.com/story)\n"
    "   1 point 10 comments\n"
    "3. We’ve filed a lawsuit challenging Stable Diffusion\n"
    "   1 point 5 comments\n"
)

EMPTY_LIST = "zlacker\n\n"

LOCKED_THREAD = (
    "zlacker\n"
    "\n"
    "Locked, with a link (https://example.com/story)\n"
    "submitted by alice+(OP) on 2024-03-01 12:00:00 | 1 point 10 comments\n"
    "\n"
    "The opening post.\n"
    "\n"
    "It has two paragraphs.\n"
    "replies(4): >>bob+1 >>dave+9 >>carol+c >>alice+d\n"
    "\n"
    "1. bob+1[view] [source] 2024-03-01 12:01:00\n"
    ">>alice+(OP)\n"
    "First reply.\n"
    "\n"
    "With a second paragraph.\n"
    "\n"
    "replies(1): >>carol+2\n"
    "◧◩\n"
    "2. carol+2[view] [source] 2024-03-01 12:02:00\n"
    ">>bob+1\n"
    "See https://example.com/page for more.\n"
    "replies(1): >>alice+3\n"
    "◧◩◪\n"
    "3. alice+3[view] [source] 2024-03-01 12:03:00\n"
    ">>carol+2\n"
    "Level 3.\n"
    "replies(1): >>bob+4\n"
    "◧◩◪◨\n"
    "4. bob+4[view] [source] 2024-03-01 12:04:00\n"
    ">>alice+3\n"
    "Level 4.\n"
    "replies(1): >>alice+5\n"
    "◧◩◪◨⬒\n"
    "5. alice+5[view] [source] 2024-03-01 12:05:00\n"
    ">>bob+4\n"
    "Level 5.\n"
    "replies(1): >>bob+6\n"
    "◧◩◪◨⬒⬓\n"
    "6. bob+6[view] [source] 2024-03-01 12:06:00\n"
    ">>alice+5\n"
    "Level 6.\n"
    "replies(1): >>alice+7\n"
    "◧◩◪◨⬒⬓⬔\n"
    "7. alice+7[view] [source] 2024-03-01 12:07:00\n"
    ">>bob+6\n"
    "Level 7.\n"
    "replies(1): >>bob+8\n"
    "◧◩◪◨⬒⬓⬔⧯\n"
    "8. bob+8[view] [source] 2024-03-01 12:08:00\n"
    ">>alice+7\n"
    "Level 8.\n"
    "9. dave+9[view] [source] 2024-03-01 12:09:00\n"
    ">>alice+(OP)\n"
    "[deleted]\n"
    "replies(1): >>bob+a\n"
    "◧◩\n"
    "10. bob+a[view] [source] 2024-03-01 12:10:00\n"
    ">>dave+9\n"
    "Answering a deleted post.\n"
    "  code line\n"
    "11. carol+c[view] [source] 2024-03-01 12:12:00\n"
    ">>alice+(OP)\n"
    "[removed by moderator]\n"
    "12. alice+d[view] [source] 2024-03-01 12:13:00\n"
    ">>alice+(OP)\n"
    "A last word *in italics*.\n"
    "[go to top]"
)

COMMENT = (
    "zlacker\n"
    "\n"
    '[return to "Locked, with a link"]\n'
    "1. bob+1[view] [source] 2024-03-01 12:01:00\n"
    ">>alice+(OP)\n"
    "First reply.\n"
    "\n"
    "With a second paragraph.\n"
    "\n"
    "replies(1): >>carol+2\n"
    "◧◩\n"
    "2. carol+2[view] [source] 2024-03-01 12:02:00\n"
    ">>bob+1\n"
    "See https://example.com/page for more.\n"
    "replies(1): >>alice+3\n"
    "◧◩◪\n"
    "3. alice+3[view] [source] 2024-03-01 12:03:00\n"
    ">>carol+2\n"
    "Level 3.\n"
    "replies(1): >>bob+4\n"
    "◧◩◪◨\n"
    "4. bob+4[view] [source] 2024-03-01 12:04:00\n"
    ">>alice+3\n"
    "Level 4.\n"
    "replies(1): >>alice+5\n"
    "◧◩◪◨⬒\n"
    "5. alice+5[view] [source] 2024-03-01 12:05:00\n"
    ">>bob+4\n"
    "Level 5.\n"
    "replies(1): >>bob+6\n"
    "◧◩◪◨⬒⬓\n"
    "6. bob+6[view] [source] 2024-03-01 12:06:00\n"
    ">>alice+5\n"
    "Level 6.\n"
    "replies(1): >>alice+7\n"
    "◧◩◪◨⬒⬓⬔\n"
    "7. alice+7[view] [source] 2024-03-01 12:07:00\n"
    ">>bob+6\n"
    "Level 7.\n"
    "replies(1): >>bob+8\n"
    "◧◩◪◨⬒⬓⬔⧯\n"
    "8. bob+8[view] [source] 2024-03-01 12:08:00\n"
    ">>alice+7\n"
    "Level 8.\n"
    "[go to top]"
)

UNDER_A_DELETED_POST = (
    "zlacker\n"
    "\n"
    '[return to "Locked, with a link"]\n'
    "◧◩\n"
    "1. bob+a[view] [source] 2024-03-01 12:10:00\n"
    ">>dave+9\n"
    "Answering a deleted post.\n"
    "  code line\n"
    "[go to top]"
)

DEEP_DISCUSSION = (
    "zlacker\n"
    "\n"
    '[return to "Locked, with a link"]\n'
    "1. bob+1[view] [source] 2024-03-01 12:01:00\n"
    ">>alice+(OP)\n"
    "First reply.\n"
    "\n"
    "With a second paragraph.\n"
    "\n"
    "◧◩\n"
    "2. carol+2[view] [source] 2024-03-01 12:02:00\n"
    ">>bob+1\n"
    "See https://example.com/page for more.\n"
    "◧◩◪\n"
    "3. alice+3[view] [source] 2024-03-01 12:03:00\n"
    ">>carol+2\n"
    "Level 3.\n"
    "◧◩◪◨\n"
    "4. bob+4[view] [source] 2024-03-01 12:04:00\n"
    ">>alice+3\n"
    "Level 4.\n"
    "◧◩◪◨⬒\n"
    "5. alice+5[view] [source] 2024-03-01 12:05:00\n"
    ">>bob+4\n"
    "Level 5.\n"
    "◧◩◪◨⬒⬓\n"
    "6. bob+6[view] [source] 2024-03-01 12:06:00\n"
    ">>alice+5\n"
    "Level 6.\n"
    "◧◩◪◨⬒⬓⬔\n"
    "7. alice+7[view] [source] 2024-03-01 12:07:00\n"
    ">>bob+6\n"
    "Level 7.\n"
    "◧◩◪◨⬒⬓⬔⧯\n"
    "8. bob+8[view] [source] 2024-03-01 12:08:00\n"
    ">>alice+7\n"
    "Level 8.\n"
    "[go to top]"
)

LINKS = (
    "zlacker\n"
    "\n"
    '[return to "Locked, with a link"]\n'
    "◧◩\n"
    "2. carol+2[view] [source] 2024-03-01 12:02:00\n"
    ">>bob+1\n"
    "See https://example.com/page for more.\n"
    "[go to top]"
)

PLAIN_THREAD = (
    "zlacker\n"
    "\n"
    "Plain\n"
    "submitted by bob+(OP) on 2024-03-01 12:14:00 | 1 point 2 comments\n"
    "replies(2): >>alice+1 >>bob+2\n"
    "\n"
    "1. alice+1[view] [source] 2024-03-01 12:15:00\n"
    ">>bob+(OP)\n"
    "Alice answers Bob.\n"
    "2. bob+2[view] [source] 2024-03-01 12:16:00\n"
    ">>bob+(OP)\n"
    "Bob answers himself.\n"
    "[go to top]"
)

MODLOG = (
    "zlacker\n"
    "\n"
    "moderation log\n"
    "\n"
    '2024-03-01 13:01:00 moderator locked a thread: "Locked, with a link" (reason: settled)\n'
    '2024-03-01 13:00:00 moderator removed a post: carol+c in "Locked, with a link"'
    " (reason: off topic)\n"
)

USER = (
    "zlacker\n"
    "\n"
    "user: alice\n"
    "created: 2024-02-29\n"
    "karma: 0\n"
    "about:\n"
    "Writes threads.\n"
    "\n"
    "Second line of about.\n"
)

USER_COMMENTS = (
    "zlacker\n"
    "\n"
    "bob's comments\n"
    "\n"
    "bob+2 by bob 2024-03-01 12:16:00\n"
    'on: "Plain"\n'
    "Bob answers himself.\n"
    "\n"
    "bob+a by bob 2024-03-01 12:10:00\n"
    'on: "Locked, with a link"\n'
    "Answering a deleted post.\n"
    "  code line\n"
    "\n"
    "bob+8 by bob 2024-03-01 12:08:00\n"
    'on: "Locked, with a link"\n'
    "Level 8.\n"
    "\n"
    "bob+6 by bob 2024-03-01 12:06:00\n"
    'on: "Locked, with a link"\n'
    "Level 6.\n"
    "\n"
    "bob+4 by bob 2024-03-01 12:04:00\n"
    'on: "Locked, with a link"\n'
    "Level 4.\n"
    "\n"
    "bob+1 by bob 2024-03-01 12:01:00\n"
    'on: "Locked, with a link"\n'
    "First reply.\n"
    "\n"
    "With a second paragraph.\n"
)

USER_SUBMITTED = (
    "zlacker\n"
    "\n"
    "alice's submissions\n"
    "\n"
    "1. Locked, with a link (https://example.com/story)\n"
    "   1 point 10 comments\n"
)

REPLIES = (
    "zlacker\n"
    "\n"
    "replies\n"
    "\n"
    "bob+8 by bob 2024-03-01 12:08:00 to alice+7\n"
    'on: "Locked, with a link"\n'
    "Level 8.\n"
    "\n"
    "bob+6 by bob 2024-03-01 12:06:00 to alice+5\n"
    'on: "Locked, with a link"\n'
    "Level 6.\n"
    "\n"
    "bob+4 by bob 2024-03-01 12:04:00 to alice+3\n"
    'on: "Locked, with a link"\n'
    "Level 4.\n"
    "\n"
    "bob+1 by bob 2024-03-01 12:01:00 to alice+(OP)\n"
    'on: "Locked, with a link"\n'
    "First reply.\n"
    "\n"
    "With a second paragraph.\n"
)

ERROR = "The id parameter must be a positive whole number, not 'abc'.\n"
PAST_THE_END = "There is no page 2: the list ends before it.\n"


class World:
    """The seed plus two made-up threads, every time fixed so that the pages never change."""

    def __init__(self):
        call_command("seed")
        build = ThreadBuilder()
        people = {name: UserFactory(username=name) for name in ("alice", "bob", "carol", "dave")}
        alice, bob, carol, dave = people.values()
        mod = UserFactory(username="moderator", is_staff=True)
        mod.groups.add(Group.objects.get(name="Moderators"))
        locked = build.thread(
            title="Locked, with a link",
            url="https://example.com/story",
            text="The opening post.\n\nIt has two paragraphs.",
            author=alice,
        )
        self.op = build.op(locked)
        self.first = build.reply(self.op, "First reply.\n\nWith a second paragraph.", bob)
        linked = build.reply(self.first, "See https://example.com/page for more.", carol)
        deepest = linked
        for n in range(6):
            deepest = build.reply(deepest, f"Level {n + 3}.", [alice, bob][n % 2])
        self.deepest = deepest
        gone = build.reply(self.op, "Soon deleted.", dave)
        self.under_gone = build.reply(gone, "Answering a deleted post.\n  code line", bob)
        comment_delete(comment_id=gone.pk, user=dave)
        alone = build.reply(self.op, "Deleted with no replies.", dave)
        comment_delete(comment_id=alone.pk, user=dave)
        rude = build.reply(self.op, "Something rude.", carol)
        comment_remove(comment_id=rude.pk, moderator=mod, reason="off topic")
        build.reply(self.op, "A last word *in italics*.", alice)
        plain = build.thread(title="Plain", author=bob)
        self.plain_op = build.op(plain)
        build.reply(self.plain_op, "Alice answers Bob.", alice)
        build.reply(self.plain_op, "Bob answers himself.", bob)
        thread_lock(thread_id=locked.pk, moderator=mod, reason="settled")
        alice.about = "Writes threads.\n\nSecond line of about."
        alice.save()
        self.alice = alice
        self._fix_times()

    def _fix_times(self):
        made_up = Comment.objects.exclude(thread__title__startswith="We’ve").order_by("pk")
        for n, comment in enumerate(made_up):
            Comment.objects.filter(pk=comment.pk).update(created_at=START + timedelta(minutes=n))
        for thread in Thread.objects.exclude(title__startswith="We’ve"):
            op = Comment.objects.get(tree_id=thread.pk, level=0)
            Thread.objects.filter(pk=thread.pk).update(
                created_at=op.created_at, last_activity=op.created_at
            )
        for n, action in enumerate(ModerationAction.objects.order_by("pk")):
            moment = START + timedelta(hours=1, minutes=n)
            ModerationAction.objects.filter(pk=action.pk).update(created_at=moment)
        User.objects.filter(username__in=["alice", "bob", "carol", "dave", "moderator"]).update(
            date_joined=START - timedelta(days=1)
        )


@pytest.fixture
def world(db):
    return World()


def text(client, path: str) -> str:
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}format=txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    return response.content.decode()


def seed_id(name: str) -> int:
    user, ref = zlacker.split_name(name)
    return Comment.objects.get(author__username=user, ref=ref).pk


def pages(client, world: World) -> dict[str, str]:
    seed_op = Comment.objects.get(thread__title__startswith="We’ve", level=0)
    shown = {
        "front": "/",
        "newest": "/newest",
        "best": "/best",
        "page past the end": "/newest?p=2",
        # Thread pages in tree order, as they were drawn before time order became the default.
        "seed thread": f"/item?id={seed_op.pk}&order=tree",
        "seed comment": f"/item?id={seed_id('Salgat+R3')}",
        "seed discussion": f"/discussion?id={seed_id('derang+9j1')}",
        "seed links": f"/links?id={seed_op.pk}",
        "locked thread": f"/item?id={world.op.pk}&order=tree",
        "comment": f"/item?id={world.first.pk}",
        "comment under a deleted post": f"/item?id={world.under_gone.pk}",
        "deep discussion": f"/discussion?id={world.deepest.pk}",
        "discussion of an op": f"/discussion?id={world.plain_op.pk}&order=tree",
        "links": f"/links?id={world.op.pk}",
        "plain thread": f"/item?id={world.plain_op.pk}&order=tree",
        "modlog": "/modlog",
        "user": "/user?id=alice",
        "user comments": "/threads?id=bob",
        "user submitted": "/submitted?id=alice",
        "error": "/item?id=abc",
    }
    found = {label: text(client, path) for label, path in shown.items()}
    client.force_login(world.alice)
    found["replies"] = text(client, "/replies")
    return found


def export(post_id: int) -> str:
    out = StringIO()
    call_command("export_zlacker", str(post_id), stdout=out)
    return out.getvalue()


def source_posts() -> list[list[str]]:
    """The seed document's posts, each its lines from the glyph line to the last paragraph."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")[3:-1]
    heads = [i for i, line in enumerate(lines) if re.match(r"[0-9]+\. ", line)]
    starts = [head - 1 if head and lines[head - 1].startswith("◧") else head for head in heads]
    return [lines[a:b] for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]


def with_replies(posts: list[list[str]]) -> list[str]:
    """The seed's posts as a page with backlinks shows them: each answers the one before."""
    names = [
        re.match(r"[0-9]+\. (\S+)\[view\]", next(x for x in post if x[0].isdigit()))[1]
        for post in posts
    ]
    lines = []
    for post, reply in zip(posts, [*names[1:], None], strict=True):
        lines += post + ([f"replies(1): >>{reply}"] if reply else [])
    return lines


def renumbered(post: list[str], number: int) -> list[str]:
    return [re.sub(r"^[0-9]+\. ", f"{number}. ", line) for line in post]


SEED_TITLE = "We’ve filed a lawsuit challenging Stable Diffusion"


def seed_expected() -> dict[str, str]:
    posts = source_posts()
    frame = ["zlacker", "", f'[return to "{SEED_TITLE}"]']
    thread = [
        "zlacker",
        "",
        SEED_TITLE,
        "submitted by zacwes+(OP) on 2023-01-14 07:17:25 | 1 point 5 comments",
        "replies(1): >>dr_dsh+12",
        "",
        *with_replies(posts),
        "[go to top]",
    ]
    below_salgat = [renumbered(post, n) for n, post in enumerate(posts[2:], 1)]
    return {
        "seed thread": "\n".join(thread),
        "seed comment": "\n".join([*frame, *with_replies(below_salgat), "[go to top]"]),
        "seed discussion": SOURCE.read_text(encoding="utf-8"),
        "seed links": "\n".join([*frame, "[go to top]"]),
    }


def test_every_page_reads_as_before(client, world):
    expected = {
        "front": THREAD_LIST,
        "newest": THREAD_LIST,
        "best": THREAD_LIST,
        "page past the end": PAST_THE_END,
        **seed_expected(),
        "locked thread": LOCKED_THREAD,
        "comment": COMMENT,
        "comment under a deleted post": UNDER_A_DELETED_POST,
        "deep discussion": DEEP_DISCUSSION,
        "discussion of an op": PLAIN_THREAD,
        "links": LINKS,
        "plain thread": PLAIN_THREAD,
        "modlog": MODLOG,
        "user": USER,
        "user comments": USER_COMMENTS,
        "user submitted": USER_SUBMITTED,
        "error": ERROR,
        "replies": REPLIES,
    }
    found = pages(client, world)
    for label, page in expected.items():
        assert found[label] == page, label
    assert found.keys() == expected.keys()


def with_top_glyphs(page: str, op: str) -> str:
    """A thread page's text as time order draws it where it matches tree order: each reply to
    the opening post `op` with its glyph line, ◧."""
    lines = page.split("\n")
    drawn = []
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        if re.match(r"[0-9]+\. \S+\[view\]", line) and after == f">>{op}":
            drawn.append("◧")
        drawn.append(line)
    return "\n".join(drawn)


def test_thread_pages_in_time_order_read_as_zlacker_draws_them(client, world):
    # These threads were written depth first, so their posts stand in the same order either
    # way: time order adds zlacker's depth-1 glyph, and changes nothing else.
    seed_op = Comment.objects.get(thread__title__startswith="We’ve", level=0)
    seed_thread = seed_expected()["seed thread"]
    assert text(client, f"/item?id={seed_op.pk}") == with_top_glyphs(seed_thread, "zacwes+(OP)")
    locked = text(client, f"/item?id={world.op.pk}&order=time")
    assert locked == with_top_glyphs(LOCKED_THREAD, "alice+(OP)")
    assert text(client, f"/item?id={world.plain_op.pk}") == with_top_glyphs(
        PLAIN_THREAD, "bob+(OP)"
    )


def test_an_empty_list_reads_as_before(client, db):
    assert client.get("/newest?format=txt").content.decode() == EMPTY_LIST


def test_the_export_is_the_discussion_page(client, world):
    assert export(world.deepest.pk) == DEEP_DISCUSSION
    assert export(seed_id("derang+9j1")) == SOURCE.read_text(encoding="utf-8")


def test_the_seed_pages_are_cut_from_the_seed_document():
    # The expectations above are built from the source document: check the cutting itself.
    posts = source_posts()
    assert len(posts) == 5
    assert "\n".join(
        ["zlacker", "", f'[return to "{SEED_TITLE}"]', *sum(posts, []), "[go to top]"]
    ) == SOURCE.read_text(encoding="utf-8")


# Rows stored before the rule on control characters never reach a terminal raw


def test_text_forms_never_send_a_terminal_control_characters_whatever_is_stored(
    client, db, moderator
):
    builder = ThreadBuilder()
    thread = builder.thread(title="Stored before")
    reply = builder.reply(builder.op(thread), text="Placeholder.")
    stored = "a\uffff\u202e b \x1b[31m red\x07\x9b2J\x7f\r over\ttab\nnext \x01 \x85 end"
    Comment.objects.filter(pk=reply.pk).update(text=stored)
    thread_lock(thread_id=thread.pk, moderator=moderator, reason="fine")
    ModerationAction.objects.update(reason="esc \x1b[2J\x1b]0;pwned\x07")
    shown = (
        "a\uffff\u202e b \ufffd[31m red\ufffd\ufffd2J\ufffd\ufffd over\ttab\nnext \ufffd \ufffd end"
    )
    for path in (
        f"/item?id={reply.pk}&format=txt",
        f"/item?id={thread.op_id}&format=txt",
        "/newcomments?format=txt",
        f"/source?id={reply.pk}",
    ):
        body = client.get(path).content.decode()
        assert shown in body, path
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", body), path
    modlog = client.get("/modlog?format=txt").content.decode()
    assert "esc \ufffd[2J\ufffd]0;pwned\ufffd" in modlog
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", modlog)
