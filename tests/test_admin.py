"""The Django admin: threads and comments listed, comments as a tree per thread."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.accounts.models import User
from threads.models import Comment, Thread


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")
    client.force_login(admin)
    return client


def test_createsuperuser_works(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password")
    call_command(
        "createsuperuser",
        "--no-input",
        username="root",
        email="r@example.org",
        stdout=io.StringIO(),
    )
    assert User.objects.get(username="root").is_superuser


def test_names_the_forum_cannot_link_are_refused_by_the_admin_and_createsuperuser(
    admin_client, monkeypatch
):
    for name in ("j.doe@x", "a" * 16, "x"):
        answer = admin_client.post(
            "/admin/accounts/user/add/",
            {
                "username": name,
                "password1": "a-long-pass-phrase",
                "password2": "a-long-pass-phrase",
            },
        )
        assert answer.status_code == 200
        assert "A name is 2 to 15 characters: letters, digits, _ and -." in answer.content.decode()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password")
    with pytest.raises(CommandError, match="2 to 15 characters"):
        call_command("createsuperuser", "--no-input", username="root.admin", email="r@x.org")
    assert not User.objects.exclude(username="boss").exists()


@pytest.fixture
def seeded_admin(db, client):
    call_command("seed")
    admin = User.objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")
    client.force_login(admin)
    return client


def test_admin_lists_threads(seeded_admin):
    html = seeded_admin.get("/admin/threads/thread/").content.decode()
    assert "We’ve filed a lawsuit challenging Stable Diffusion" in html


def test_admin_lists_comments_as_a_tree_with_depth_glyphs(seeded_admin):
    html = seeded_admin.get("/admin/threads/comment/").content.decode()
    rows = re.findall(r'<th class="field-tree_name"><a href="[^"]+">([^<]+)</a>', html)
    assert rows == [
        "zacwes+(OP)",
        "dr_dsh+12",
        "◧◩ akjetm+D3",
        "◧◩◪ Salgat+R3",
        "◧◩◪◨ AlotOf+D7",
        "◧◩◪◨⬒ derang+9j1",
    ]
    # Each row shows the id the move action asks for.
    ids = re.findall(r'<td class="field-id">(\d+)</td>', html)
    assert ids == [
        str(pk) for pk in Comment.objects.order_by("tree_id", "lft").values_list("pk", flat=True)
    ]


def test_admin_comment_list_does_not_query_per_comment(admin_client, build):
    def queries_for(size):
        thread = build.thread(title=f"t{size}")
        build.random_tree(thread, size)
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get("/admin/threads/comment/").status_code == 200
        return len(captured)

    assert queries_for(5) == queries_for(60)


def test_a_normal_user_gets_no_admin(client, user):
    client.force_login(user)
    response = client.get("/admin/threads/comment/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("changelist", "action"),
    [
        ("/admin/threads/thread/", "lock"),
        ("/admin/threads/comment/", "remove"),
        ("/admin/accounts/user/", "delete_selected"),
    ],
)
def test_an_action_on_ids_that_are_no_ids_does_nothing_and_says_so(
    admin_client, build, changelist, action
):
    build.op(build.thread())
    response = admin_client.post(
        changelist, {"action": action, "_selected_action": ["1", "abc"]}, follow=True
    )
    assert response.status_code == 200
    assert "nothing was done" in response.content.decode()
    assert not Thread.objects.filter(is_locked=True).exists()


def test_a_thread_filter_that_is_no_id_lists_every_post(seeded_admin):
    # '²' is a digit to str.isdigit() but no number to int(): the list shows unfiltered.
    response = seeded_admin.get("/admin/threads/comment/", {"thread": "²"})
    assert response.status_code == 200
    rows = re.findall(r'<th class="field-tree_name"><a href="[^"]+">([^<]+)</a>', response.text)
    assert len(rows) == Comment.objects.count() == 6


@pytest.mark.parametrize("changelist", ["/admin/threads/thread/", "/admin/threads/comment/"])
def test_a_moderation_page_of_an_id_that_is_no_number_says_there_is_none(seeded_admin, changelist):
    response = seeded_admin.get(f"{changelist}²/change/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
