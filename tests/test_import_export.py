"""Importing zlacker pages and exporting them again gives the same bytes; bad ones store nothing."""

import io
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command

from forum.accounts.models import User
from tests.documents import SOURCE, discussion, discussion_text
from threads.models import Comment, Thread
from threads.text import zlacker


def import_file(tmp_path, text: str, name="doc.txt"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    call_command("import_zlacker", str(path), stdout=io.StringIO())


def export(post_id: int) -> str:
    out = io.StringIO()
    call_command("export_zlacker", str(post_id), stdout=out)
    return out.getvalue()


def deepest_post() -> Comment:
    return Comment.objects.order_by("-level").first()


@pytest.mark.django_db
def test_the_seed_exports_byte_for_byte(tmp_path):
    import_file(tmp_path, SOURCE.read_text(encoding="utf-8"))
    assert export(deepest_post().pk).encode() == SOURCE.read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize("depth", [6, 12, 40])
def test_documents_round_trip_through_import_and_export(tmp_path, client, depth):
    text = discussion(depth)
    import_file(tmp_path, text)
    post = deepest_post()
    assert post.level == depth
    assert export(post.pk) == text
    page = client.get(f"/discussion?id={post.pk}&format=txt")
    assert page.content.decode() == text


@pytest.mark.django_db
def test_imported_posts_keep_their_names_and_authors_cannot_log_in(tmp_path):
    import_file(tmp_path, SOURCE.read_text(encoding="utf-8"))
    names = [c.name for c in Comment.objects.select_related("author").order_by("lft")]
    assert names == [
        "zacwes+(OP)",
        "dr_dsh+12",
        "akjetm+D3",
        "Salgat+R3",
        "AlotOf+D7",
        "derang+9j1",
    ]
    assert not any(user.has_usable_password() for user in User.objects.all())


@pytest.mark.django_db
def test_the_op_takes_the_first_reply_time_and_invents_no_text(tmp_path):
    import_file(tmp_path, SOURCE.read_text(encoding="utf-8"))
    thread = Thread.objects.get()
    op = Comment.objects.get(level=0)
    assert op.text == "" and thread.url == ""
    assert thread.created_at == datetime(2023, 1, 14, 7, 17, 25, tzinfo=UTC)


@pytest.mark.django_db
def test_importing_the_same_page_twice_adds_nothing(tmp_path):
    text = SOURCE.read_text(encoding="utf-8")
    import_file(tmp_path, text)
    import_file(tmp_path, text, name="again.txt")
    assert Thread.objects.count() == 1 and Comment.objects.count() == 6


@pytest.mark.django_db
def test_pages_of_one_thread_merge_into_it(tmp_path):
    full = discussion(8)
    shorter = zlacker.parse_discussion(full)
    import_file(
        tmp_path,
        discussion_text(zlacker.Discussion(shorter.site, shorter.title, shorter.posts[:3])),
        name="a.txt",
    )
    import_file(tmp_path, full, name="b.txt")
    assert Thread.objects.count() == 1
    assert Comment.objects.count() == 9
    assert Thread.objects.get().comment_count == 8


@pytest.mark.django_db
def test_an_unreadable_document_names_the_line_and_stores_nothing(tmp_path):
    broken = SOURCE.read_text(encoding="utf-8").replace(
        "2023-01-14 07:41:38", "2023-13-14 07:41:38"
    )
    path = tmp_path / "broken.txt"
    path.write_text(broken, encoding="utf-8")
    lines = broken.split("\n")
    line = next(n for n, text in enumerate(lines, start=1) if "2023-13-14" in text)
    with pytest.raises(CommandError, match=rf"line {line}:"):
        call_command("import_zlacker", str(path), stdout=io.StringIO())
    assert (
        not Thread.objects.exists() and not Comment.objects.exists() and not User.objects.exists()
    )


@pytest.mark.django_db
def test_a_conflicting_document_stores_nothing(tmp_path):
    text = SOURCE.read_text(encoding="utf-8")
    import_file(tmp_path, text)
    changed = text.replace("Idk", "I do not know")
    path = tmp_path / "changed.txt"
    path.write_text(changed, encoding="utf-8")
    with pytest.raises(CommandError, match="dr_dsh\\+12 is already in this thread"):
        call_command("import_zlacker", str(path), stdout=io.StringIO())
    assert Comment.objects.count() == 6


@pytest.mark.django_db
def test_a_missing_or_binary_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_zlacker", str(tmp_path / "nope.txt"))
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00zlacker")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_zlacker", str(binary))


@pytest.mark.django_db
def test_export_of_an_unknown_post_is_an_error():
    with pytest.raises(CommandError, match="no post with id 12345"):
        call_command("export_zlacker", "12345")
