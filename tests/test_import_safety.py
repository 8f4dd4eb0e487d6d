"""Importers that take nothing over: imported authors are their own accounts, an import changes
only the thread it made, and every field of a file is checked, refused with a sentence."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from forum.accounts.models import User
from tests.factories import UserFactory
from threads.models import Comment, ImportSource, Thread
from threads.services.moderation import comment_move, comment_remove, thread_remove
from threads.services.posting import comment_reply
from threads.text import zlacker

STORY = 40_000_000
TIME = 1_700_000_000
SEED = "fixtures/seed.json"


def story(**changes) -> dict:
    item = {"id": STORY, "type": "story", "by": "poster", "time": TIME, "title": "A story"}
    return item | changes


def reply(number: int, parent: int = 0, **changes) -> dict:
    item = {
        "id": STORY + number,
        "type": "comment",
        "by": "replier",
        "time": TIME + number,
        "parent": STORY + parent,
        "text": f"Reply {number}.",
    }
    return item | changes


def import_hn(tmp_path, *items, name="items.jsonl") -> str:
    path = tmp_path / name
    path.write_text("\n".join(json.dumps(item) for item in items), encoding="utf-8")
    out = io.StringIO()
    call_command("import_hn", str(path), stdout=out)
    return out.getvalue()


def import_zlacker(tmp_path, text: str) -> None:
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    call_command("import_zlacker", str(path), stdout=io.StringIO())


def page(*posts: tuple[str, str], title="A page") -> str:
    """A zlacker discussion page of a chain of posts, each (name, text), under zacwes+(OP)."""
    lines, parent = ["zlacker", "", f'[return to "{title}"]'], "zacwes+(OP)"
    glyphs = "◧◩◪◨⬒⬓"
    for number, (name, text) in enumerate(posts, 1):
        if number > 1:
            lines.append(glyphs[:number])
        lines += [f"{number}. {name}[view] [source] 2023-01-14 07:{number:02d}:00", f">>{parent}"]
        lines.append(text)
        parent = name
    return "\n".join([*lines, "[go to top]"])


def snapshot(thread: Thread) -> tuple:
    thread.refresh_from_db()
    posts = Comment.objects.filter(thread=thread).order_by("pk")
    return (
        (thread.title, thread.url, thread.points, thread.op_id, thread.comment_count),
        list(posts.values_list("pk", "author_id", "text", "html", "state", "parent_id")),
    )


@pytest.fixture
def seeded(db):
    call_command("loaddata", SEED, verbosity=0)
    return Thread.objects.get()


# Imported authors


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["admin", "ADMIN", "mod"])
def test_an_item_by_the_name_of_an_account_made_here_is_refused(tmp_path, admin_user, by):
    UserFactory(username="mod", is_staff=True)
    with pytest.raises(CommandError, match=rf"Item {STORY + 1} is by '{by}', the name of an"):
        import_hn(tmp_path, story(), reply(1, by=by))
    assert not Thread.objects.exists() and not Comment.objects.exists()
    assert User.objects.count() == 2


@pytest.mark.django_db
def test_a_zlacker_post_by_the_name_of_an_account_made_here_is_refused(tmp_path, admin_user):
    with pytest.raises(CommandError, match=r"Post admin\+2 is by admin, the name of an account"):
        import_zlacker(tmp_path, page(("dr_dsh+1", "Hello."), ("admin+2", "Owned.")))
    assert not Thread.objects.exists() and User.objects.count() == 1


@pytest.mark.django_db
def test_imported_authors_are_marked_cannot_log_in_and_are_never_staff(tmp_path, client):
    import_hn(tmp_path, story(), reply(1))
    import_zlacker(tmp_path, page(("dr_dsh+1", "Hello.")))
    imported = User.objects.filter(username__in=["poster", "replier", "zacwes", "dr_dsh"])
    assert imported.count() == 4
    for user in imported:
        assert user.is_imported and not user.has_usable_password() and not user.is_staff
    html = client.get("/user?id=replier").content.decode()
    assert "<dt>imported:</dt>" in html and "not an account anyone logs in to" in html
    text = client.get("/user?id=replier&format=txt").content.decode()
    assert text.split("\n")[3] == (
        "imported: an author named in an imported file, not an account anyone logs in to here"
    )
    local = UserFactory(username="alice")
    assert "imported" not in client.get(f"/user?id={local.username}").content.decode()


@pytest.mark.django_db
def test_the_admin_cannot_make_an_imported_author_staff_or_give_them_a_password(
    tmp_path, admin_client
):
    import_hn(tmp_path, story())
    poster = User.objects.get(username="poster")
    response = admin_client.get(f"/admin/accounts/user/{poster.pk}/password/", follow=True)
    assert "was imported and cannot have a password" in response.content.decode()
    joined = poster.date_joined
    answer = admin_client.post(
        f"/admin/accounts/user/{poster.pk}/change/",
        {
            "username": "poster",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": joined.strftime("%Y-%m-%d"),
            "date_joined_1": joined.strftime("%H:%M:%S"),
            "about": "",
        },
    )
    assert answer.status_code == 200
    assert "poster was imported from another site: an imported author is never staff." in (
        answer.content.decode()
    )
    poster.refresh_from_db()
    assert not poster.is_staff
    with pytest.raises(ValueError, match="cannot be given a password"):
        poster.set_password("correct horse battery staple")
    # From the shell too: a sentence before any prompt for the password, not a traceback after.
    with pytest.raises(CommandError, match="poster was imported from another site and cannot"):
        call_command("changepassword", "poster")


@pytest.mark.django_db
def test_a_story_deleted_on_hn_with_no_reply_is_a_thread_deleted_by_its_author(tmp_path, client):
    deleted = {"id": STORY, "type": "story", "deleted": True, "time": TIME, "title": "Gone"}
    import_hn(tmp_path, deleted)
    op = Thread.objects.get(hn_story=STORY).op
    assert "Gone" not in client.get("/").content.decode()
    gone = client.get(f"/item?id={op.pk}")
    assert gone.status_code == 410
    assert "This thread was deleted by its author." in gone.content.decode()
    # The same story with a reply to read: its thread is back, [deleted] at its head.
    import_hn(tmp_path, deleted, reply(1))
    assert "Gone" in client.get("/").content.decode()
    for address in (f"/item?id={op.pk}", f"/item?id={op.pk}&order=tree&format=txt"):
        shown = client.get(address)
        assert shown.status_code == 200
        assert "[deleted]" in shown.content.decode() and "Reply 1." in shown.content.decode()
    # A moderator's removal stands whatever the next file says, and names the moderator.
    thread_remove(thread_id=op.thread_id, moderator=UserFactory(is_staff=True), reason="Spam")
    import_hn(tmp_path, deleted)
    removed = client.get(f"/item?id={op.pk}")
    assert removed.status_code == 404
    assert "This thread was removed by a moderator." in removed.content.decode()


@pytest.mark.django_db
def test_a_deleted_story_whose_only_reply_a_moderator_removed_stays_listed_after_a_re_import(
    tmp_path, client
):
    deleted = {"id": STORY, "type": "story", "deleted": True, "time": TIME, "title": "Head"}
    import_hn(tmp_path, deleted, reply(1))
    only = Comment.objects.get(pk=STORY + 1)
    comment_remove(comment_id=only.pk, moderator=UserFactory(is_staff=True), reason="spam")
    import_hn(tmp_path, deleted, reply(1))
    thread = Thread.objects.get(hn_story=STORY)
    assert not thread.is_removed and not thread.removed_by_author
    assert client.get(f"/item?id={thread.op_id}").status_code == 200


@pytest.mark.django_db
def test_a_re_import_refuses_a_loop_through_a_post_written_here_and_a_moderators_move(
    tmp_path,
):
    # 1 and 2 answer the story, 3 answers 1; a member answers 2 here (W); a moderator puts 1
    # under W. A file putting 2 under 3 has no loop of its own: beside the move, 1 < W < 2 < 3.
    items = [story(), reply(1), reply(2), reply(3, parent=1)]
    import_hn(tmp_path, *items)
    thread = Thread.objects.get(hn_story=STORY)
    member = comment_reply(parent_id=STORY + 2, author=UserFactory(username="member"), text="W")
    comment_move(
        comment_id=STORY + 1, new_parent_id=member.pk, moderator=UserFactory(), reason="apt"
    )
    before = snapshot(thread)
    with pytest.raises(CommandError, match="would be below itself"):
        import_hn(tmp_path, story(), reply(1), reply(2, parent=3), reply(3, parent=1))
    assert snapshot(thread) == before


@pytest.mark.django_db
def test_a_moved_post_answers_its_parents_author_as_the_new_file_names_them(tmp_path):
    import_hn(tmp_path, story(), reply(1), reply(2), reply(3, parent=1))
    comment_move(
        comment_id=STORY + 3, new_parent_id=STORY + 2, moderator=UserFactory(), reason="apt"
    )
    import_hn(tmp_path, story(), reply(1), reply(2, by="renamed"), reply(3, parent=1))
    moved = Comment.objects.get(pk=STORY + 3)
    assert moved.parent_id == STORY + 2
    assert moved.parent_author.username == "renamed"


# Threads an import did not make


@pytest.mark.django_db
def test_a_story_whose_id_is_a_post_of_another_thread_is_refused(tmp_path, seeded):
    before = snapshot(seeded)
    member = UserFactory(username="member")
    with pytest.raises(CommandError, match="Story 1: the forum's post 1 belongs to thread"):
        import_hn(
            tmp_path,
            {"id": 1, "type": "story", "by": "attacker", "time": TIME, "title": "Mine now"},
            {"id": 126, "type": "comment", "by": "attacker", "time": TIME, "parent": 1},
        )
    assert snapshot(seeded) == before
    assert not User.objects.filter(username="attacker").exists() and member.pk


@pytest.mark.django_db
def test_importing_the_same_story_again_changes_only_what_its_import_made(tmp_path, build, client):
    import_hn(tmp_path, story(), reply(1), reply(2, parent=1))
    thread = Thread.objects.get()
    assert thread.imported_from == ImportSource.HACKER_NEWS and thread.hn_story == STORY
    member = UserFactory(username="member")
    mine = build.reply(Comment.objects.get(pk=STORY + 1), text="Written here.", author=member)
    with pytest.raises(CommandError, match=rf"Item {STORY + mine.ref} would take the number \+"):
        import_hn(tmp_path, story(), reply(1), reply(mine.ref, by="replier", text="Taken."))
    assert Comment.objects.get(pk=mine.pk).text == "Written here."
    import_hn(tmp_path, story(title="Retitled on HN"), reply(1, text="Edited."), reply(2, parent=1))
    thread.refresh_from_db()
    assert thread.title == "Retitled on HN"
    assert Comment.objects.get(pk=STORY + 1).text == "Edited."
    kept = Comment.objects.get(pk=mine.pk)
    assert (kept.text, kept.author_id, kept.parent_id) == ("Written here.", member.pk, STORY + 1)


@pytest.mark.django_db
def test_a_zlacker_page_merges_only_into_a_thread_made_from_zlacker_pages(tmp_path):
    import_hn(tmp_path, story(by="zacwes", title="A page"), reply(1))
    from_hn = Thread.objects.get()
    import_zlacker(tmp_path, page(("dr_dsh+1", "Hello.")))
    assert Thread.objects.count() == 2
    assert Comment.objects.filter(thread=from_hn).count() == 2
    assert Thread.objects.exclude(pk=from_hn.pk).get().imported_from == ImportSource.ZLACKER


# Every field checked


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"title": 12345}, f"Item {STORY}: its field 'title' is 12345, not a string."),
        ({"url": ["https://a.example"]}, f"Item {STORY}: its field 'url' is"),
        ({"by": 99}, f"Item {STORY}: its field 'by' is 99, not a string."),
        ({"text": {"html": "x"}}, f"Item {STORY}: its field 'text' is"),
        ({"id": 2**63}, "Item 1 of the file has the id 9223372036854775808: ids are whole"),
        ({"id": True}, "Item 1 of the file has the id True"),
        ({"score": 10**12}, f"Item {STORY}: its field 'score' is 1000000000000, not a whole"),
        ({"time": 10**12}, f"Item {STORY} has a bad time 1000000000000"),
        ({"url": "https://a.example/" + "x" * 5000}, "field 'url': The url is 5,018 characters"),
        ({"url": "javascript:alert(document.cookie)"}, "field 'url': A thread links to a web"),
        ({"url": "data:text/html;base64,PHNjcmlwdD4="}, "must start with http:// or https://"),
        ({"title": "Bad\uffff"}, "field 'title': The title contains a Unicode non-character"),
        ({"title": "Bad\x01"}, "The title contains a control character \\(U\\+0001\\)"),
        ({"url": "https://a.example/\x01"}, "The url contains a control character"),
        ({"dead": "yes"}, f"Item {STORY}: its field 'dead' is not true or false."),
    ],
)
def test_a_field_of_the_wrong_type_or_range_is_refused_naming_item_and_field(
    tmp_path, change, words
):
    with pytest.raises(CommandError, match=words):
        import_hn(tmp_path, story(**change), reply(1))
    assert not Thread.objects.exists() and not Comment.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"parent": [1]}, f"Item {STORY + 1}: its field 'parent' is \\[1\\], not a whole number"),
        ({"text": "a\ud800b"}, f"Item {STORY + 1}, field 'text': The text contains a lone"),
        (
            {"text": "red \x1b[31m here"},
            f"Item {STORY + 1}, field 'text': The text contains a control character \\(U\\+001B\\)",
        ),
        (
            {"text": "a\uffff b"},
            f"Item {STORY + 1}, field 'text': The text contains a Unicode non-character",
        ),
        ({"id": STORY + 2**31}, f"Item {STORY + 2**31} is 2147483648 items after its story"),
        ({"url": "javascript:alert(1)"}, f"Item {STORY + 1}, field 'url': A thread links to"),
        ({"title": "x" * 5000}, f"Item {STORY + 1}, field 'title': The title is 5000 char"),
    ],
)
def test_a_reply_field_of_the_wrong_type_or_range_is_refused(tmp_path, change, words):
    with pytest.raises(CommandError, match=words):
        import_hn(tmp_path, story(), reply(1) | change)
    assert not Thread.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_an_algolia_tree_whose_children_are_not_items_is_refused(tmp_path):
    path = tmp_path / "tree.json"
    tree = {"id": STORY, "created_at_i": TIME, "author": "a", "title": "T", "type": "story"}
    for children, words in (("abc", "children that are not a list"), ([1], "not a JSON object")):
        path.write_text(json.dumps(tree | {"children": children}), encoding="utf-8")
        with pytest.raises(CommandError, match=words):
            call_command("import_hn", str(path), stdout=io.StringIO())
    path.write_text("[" * 100_000, encoding="utf-8")
    with pytest.raises(CommandError, match="Line 1 is not a JSON object: it nests"):
        call_command("import_hn", str(path), stdout=io.StringIO())
    assert not Thread.objects.exists()


@pytest.mark.django_db
def test_a_zlacker_title_with_a_control_character_is_refused(tmp_path):
    with pytest.raises(CommandError, match="The title contains a control character"):
        import_zlacker(tmp_path, page(("dr_dsh+1", "Hello."), title="Bad\x1b[2J"))
    assert not Thread.objects.exists() and not User.objects.exists()


# Ids that leave the forum room, and only what Hacker News' item API holds


@pytest.mark.django_db
def test_item_ids_past_the_bound_are_refused_so_the_forum_keeps_ids_for_its_own_posts(
    tmp_path, build
):
    end = 2**63 - 1
    with pytest.raises(CommandError) as refused:
        import_hn(tmp_path, story(id=end - 1), reply(1) | {"id": end, "parent": end - 1})
    assert str(refused.value).endswith(
        "items.jsonl: Item 1 of the file has the id 9223372036854775806: ids are whole numbers"
        " from 1 to 1000000000000 (field 'id'), far past Hacker News' own, so that the forum's"
        " posts, which share the ids, keep room."
    )
    assert not Thread.objects.exists() and not Comment.objects.exists()
    for change, field in (({"parent": 10**12 + 1}, "parent"), ({"kids": [10**12 + 1]}, "kids")):
        with pytest.raises(CommandError, match=rf"Item {STORY + 1}.*field '{field}'"):
            import_hn(tmp_path, story(), reply(1) | change)
    assert not Thread.objects.exists() and not Comment.objects.exists()
    import_hn(tmp_path, story(id=10**12 - 1), reply(1) | {"id": 10**12, "parent": 10**12 - 1})
    thread = Thread.objects.get()
    later = build.reply(Comment.objects.get(pk=10**12), text="Written here, after the import.")
    assert later.pk == 10**12 + 1 and later.thread_id == thread.pk


HOSTILE_TEXTS = [
    "Hi<script>alert(1)</script>",
    '<a href="javascript:alert(1)" rel="nofollow">x</a>',
    '<a href="javascript&#x3A;alert(1)">x</a>',
    '<img src=x onerror="alert(1)">',
    '<iframe src="https:&#x2F;&#x2F;evil.example"></iframe>',
    '<i onclick="alert(1)">x</i>',
    '<a href="https:&#x2F;&#x2F;a.example" onmouseover="alert(1)">x</a>',
    "<!-- a comment -->",
    "<p",
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_an_item_text_hacker_news_would_not_write_is_refused_naming_item_and_field(tmp_path, text):
    with pytest.raises(CommandError) as refused:
        import_hn(tmp_path, story(), reply(1, text=text))
    message = str(refused.value)
    assert f"items.jsonl: Item {STORY + 1}: its field 'text' holds " in message
    assert message.endswith(
        ": Hacker News writes only the tags p, i, pre, code and a (with href, http or https,"
        " and rel)."
    )
    assert "\n" not in message
    assert not Thread.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_the_item_api_gives_only_hacker_news_fields_and_its_text_byte_for_byte(tmp_path, client):
    text = (
        'It&#x27;s <i>so</i>: <a href="https:&#x2F;&#x2F;a.example&#x2F;x?a=1&amp;b=2"'
        ' rel="nofollow">https:&#x2F;&#x2F;a.example&#x2F;x?a=1&amp;b=2</a><p>'
        "<pre><code>  x &lt; 1\n</code></pre>\nEnd &gt; &quot;"
    )
    evil = {"evil": "<script>" + "x" * 100_000, "kids": [STORY + 1], "descendants": 1}
    import_hn(tmp_path, story(**evil), reply(1, text=text) | {"evil": "<iframe>"})
    hn_fields = {"id", "deleted", "type", "by", "time", "text", "dead", "parent", "poll"}
    hn_fields |= {"kids", "url", "score", "title", "parts", "descendants"}
    for item_id in (STORY, STORY + 1):
        answer = client.get(f"/v0/item/{item_id}.json").json()
        assert set(answer) <= hn_fields, set(answer) - hn_fields
    assert client.get(f"/v0/item/{STORY + 1}.json").json()["text"] == text
    assert client.get(f"/v0/item/{STORY}.json").json()["descendants"] == 1


@pytest.mark.django_db
def test_a_zlacker_post_number_past_its_column_is_refused_with_a_sentence(tmp_path):
    name = "hru+" + "z" * 40
    with pytest.raises(CommandError) as refused:
        import_zlacker(tmp_path, page(("dr_dsh+1", "Hello."), (name, "Too far.")))
    message = str(refused.value)
    assert f"page.txt: Post hru+{'z' * 20}... has the number " in message
    assert message.endswith(": a post's number goes up to 2147483647.") and "\n" not in message
    assert not Thread.objects.exists() and not User.objects.exists()
    import_zlacker(
        tmp_path, page(("dr_dsh+1", "Hello."), ("hru+" + zlacker.encode_ref(2**31 - 1), "Last."))
    )
    assert Comment.objects.filter(ref=2**31 - 1).exists()


@pytest.mark.django_db
def test_a_zlacker_post_with_a_control_character_is_refused(tmp_path):
    with pytest.raises(CommandError, match="The text contains a control character \\(U\\+001B\\)"):
        import_zlacker(tmp_path, page(("dr_dsh+1", "Red \x1b[31m here.")))
    assert not Thread.objects.exists() and not User.objects.exists()
