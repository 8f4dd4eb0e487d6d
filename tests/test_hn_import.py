"""import_hn and export_hn: Hacker News items in, the same thread and zlacker's names out."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.documents import SOURCE, STORY_ID, STORY_TIME, seed_items
from threads.core import tree_check
from threads.models import Comment, Thread


def write_lines(path, items) -> str:
    # In any order: the importer sorts them out.
    path.write_text("\n".join(json.dumps(item) for item in reversed(items)), encoding="utf-8")
    return str(path)


def import_file(path) -> str:
    out = StringIO()
    call_command("import_hn", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_items_give_the_seed_discussion_page_byte_for_byte(client, tmp_path):
    import_file(write_lines(tmp_path / "seed.jsonl", seed_items()))
    last = Comment.objects.get(pk=STORY_ID + 5031)
    assert last.name == "derang+9j1"
    page = client.get(f"/discussion?id={last.pk}&format=txt")
    assert page.content.decode() == SOURCE.read_text(encoding="utf-8")
    assert client.get(f"/source?id={last.pk}").content.decode() == last.text
    assert tree_check.thread_problems(last.thread) == []


@pytest.mark.django_db
def test_the_algolia_tree_imports_the_same_thread(client, tmp_path):
    items = seed_items()
    nodes = {
        item["id"]: {
            "id": item["id"],
            "created_at_i": item["time"],
            "author": item["by"],
            "text": item.get("text"),
            "title": item.get("title"),
            "url": None,
            "points": item.get("score"),
            "parent_id": item.get("parent"),
            "story_id": STORY_ID,
            "type": item["type"],
            "children": [],
        }
        for item in items
    }
    for item in items[1:]:
        nodes[item["parent"]]["children"].append(nodes[item["id"]])
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(nodes[STORY_ID]), encoding="utf-8")
    import_file(path)
    page = client.get(f"/discussion?id={STORY_ID + 5031}&format=txt")
    assert page.content.decode() == SOURCE.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_importing_again_updates_the_thread(tmp_path):
    items = seed_items()
    import_file(write_lines(tmp_path / "a.jsonl", items))
    items[1]["text"] = "Edited on Hacker News."
    items.append(
        {
            "id": STORY_ID + 9000,
            "type": "comment",
            "deleted": True,
            "time": STORY_TIME + 9000,
            "parent": STORY_ID + 5031,
        }
    )
    import_file(write_lines(tmp_path / "b.jsonl", items))
    thread = Thread.objects.get()
    assert Comment.objects.get(pk=STORY_ID + 125).text == "Edited on Hacker News."
    assert Comment.objects.get(pk=STORY_ID + 9000).state == Comment.State.DELETED
    assert thread.comment_count == 5
    assert tree_check.thread_problems(thread) == []


@pytest.mark.django_db
def test_importing_again_keeps_what_a_moderator_removed(tmp_path):
    from forum.accounts.models import User
    from threads.services.moderation import comment_remove

    items = seed_items()
    import_file(write_lines(tmp_path / "a.jsonl", items))
    moderator = User.objects.create(username="mod", is_staff=True)
    comment_remove(comment_id=STORY_ID + 125, moderator=moderator, reason="off topic")
    items[1]["text"] = "Edited on Hacker News."
    import_file(write_lines(tmp_path / "b.jsonl", items))
    again = Comment.objects.get(pk=STORY_ID + 125)
    assert again.state == Comment.State.REMOVED


@pytest.mark.django_db
def test_importing_again_keeps_a_moderators_move_and_new_title(client, tmp_path):
    from forum.accounts.models import User
    from threads.services.moderation import comment_move, thread_retitle

    items = seed_items()
    import_file(write_lines(tmp_path / "a.jsonl", items))
    thread = Thread.objects.get()
    moderator = User.objects.create(username="mod", is_staff=True)
    # Salgat+6N answered akjetm; a moderator puts it under the story, and renames the thread.
    comment_move(
        comment_id=STORY_ID + 239, new_parent_id=thread.op_id, moderator=moderator, reason="apt"
    )
    thread_retitle(thread_id=thread.pk, moderator=moderator, title="Clearer", reason="vague")
    items[0]["title"] = "Renamed on Hacker News"
    items[3]["text"] = "Edited on Hacker News."
    import_file(write_lines(tmp_path / "b.jsonl", items))
    moved = Comment.objects.get(pk=STORY_ID + 239)
    assert (moved.parent_id, moved.text) == (thread.op_id, "Edited on Hacker News.")
    assert moved.parent_author_id == thread.author_id
    thread.refresh_from_db()
    assert thread.title == "Clearer"
    assert tree_check.thread_problems(thread) == []
    page = client.get(f"/item?id={thread.op_id}&order=tree&format=txt").content.decode()
    assert "Clearer" in page and ">>zacwes+(OP)\nEdited on Hacker News." in page


@pytest.mark.django_db
def test_a_file_that_would_put_a_post_below_itself_beside_a_moderators_move_is_refused(
    tmp_path,
):
    from forum.accounts.models import User
    from threads.services.moderation import comment_move

    items = seed_items()
    import_file(write_lines(tmp_path / "a.jsonl", items))
    moderator = User.objects.create(username="mod", is_staff=True)
    # The chain story < 125 < 225 < 239 < 473 < 5031; a moderator puts 473 under 125. The next
    # file has no loop of its own (125 under 5031, 473 under the story), but beside the move
    # it would: 125 < 5031 < 473 < 125.
    comment_move(
        comment_id=STORY_ID + 473, new_parent_id=STORY_ID + 125, moderator=moderator, reason="x"
    )
    before = list(Comment.objects.order_by("pk").values_list("pk", "parent_id", "text"))
    items[1]["parent"] = STORY_ID + 5031
    items[4]["parent"] = STORY_ID
    with pytest.raises(CommandError, match=f"Item {STORY_ID + 125} would be below itself"):
        import_file(write_lines(tmp_path / "b.jsonl", items))
    assert list(Comment.objects.order_by("pk").values_list("pk", "parent_id", "text")) == before


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda items: items[3].update(parent=STORY_ID + 77), f"Item {STORY_ID + 239} answers"),
        (lambda items: items[2].update(parent=STORY_ID + 239), "cycle"),
        (lambda items: items[4].update(time="yesterday"), f"Item {STORY_ID + 473} has a bad time"),
        (lambda items: items[1].update(type="story"), "one story"),
    ],
)
@pytest.mark.django_db
def test_a_wrong_file_is_refused_naming_the_item_and_nothing_is_written(tmp_path, change, words):
    items = seed_items()
    change(items)
    with pytest.raises(CommandError, match=words):
        import_file(write_lines(tmp_path / "bad.jsonl", items))
    assert not Thread.objects.exists() and not Comment.objects.exists()


@pytest.mark.django_db
def test_an_item_of_another_story_is_refused(tmp_path):
    path = tmp_path / "tree.json"
    child = {
        "id": STORY_ID + 1,
        "created_at_i": STORY_TIME,
        "author": "a",
        "text": "x",
        "parent_id": STORY_ID,
        "story_id": 1,
        "children": [],
    }
    root = {
        "id": STORY_ID,
        "created_at_i": STORY_TIME,
        "author": "b",
        "title": "T",
        "type": "story",
        "children": [child],
    }
    path.write_text(json.dumps(root), encoding="utf-8")
    with pytest.raises(CommandError, match=f"Item {STORY_ID + 1} belongs to story 1"):
        import_file(path)


@pytest.mark.django_db
def test_export_gives_lines_that_import_takes_unchanged(client, tmp_path):
    items = seed_items()
    items[2]["dead"] = True
    import_file(write_lines(tmp_path / "seed.jsonl", items))
    before = client.get(f"/item?id={STORY_ID}&format=txt").content
    hidden_text = Comment.objects.get(pk=STORY_ID + 225).text
    out = StringIO()
    call_command("export_hn", str(STORY_ID), stdout=out)
    exported = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [item["id"] for item in exported] == [item["id"] for item in items]
    dead = exported[2]
    # Issue 24: a dead item keeps its author, as on HN; its text is for staff alone.
    assert dead["dead"] is True and "text" not in dead and dead["by"] == items[2]["by"]
    (tmp_path / "out.jsonl").write_text(out.getvalue(), encoding="utf-8")
    import_file(tmp_path / "out.jsonl")
    assert Thread.objects.count() == 1
    assert client.get(f"/item?id={STORY_ID}&format=txt").content == before
    assert Comment.objects.get(pk=STORY_ID + 225).text == hidden_text
