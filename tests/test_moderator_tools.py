"""What moderators are offered: links from the public pages, asked-for confirmations and
durations, lifting a ban with what it removed, and the reasons authors are told."""

import pytest

from forum.exceptions import ForumError
from tests.factories import UserFactory
from threads.models import Ban, Comment, ModerationAction, Thread
from threads.services.bans import user_ban
from threads.services.moderation import comment_remove, thread_retitle
from threads.services.posting import comment_reply


@pytest.fixture
def tree(build):
    """A thread: OP > a > b, c."""
    thread = build.thread(title="Moderated thread")
    op = build.op(thread)
    a = build.reply(op, text="post a")
    b = build.reply(a, text="post b")
    c = build.reply(op, text="post c")
    return thread, op, a, b, c


def admin_action(client, model: str, action: str, ids, **form):
    data = {"action": action, "_selected_action": [str(pk) for pk in ids], "apply": "1", **form}
    return client.post(f"/admin/threads/{model}/", data)


# Moving names its target and asks before it moves


def test_a_move_takes_the_post_name_and_says_where_before_moving(mod_client, tree):
    thread, op, a, b, c = tree
    asked = admin_action(mod_client, "comment", "move", [b.pk], new_parent=c.name, reason="")
    page = asked.content.decode()
    assert asked.status_code == 200
    assert f"Move {b.name} under {c.name} (id {c.pk}) in the thread" in page
    assert "Moderated thread" in page and "Yes: Move sub-conversations" in page
    assert Comment.objects.get(pk=b.pk).parent_id == a.pk
    done = admin_action(
        mod_client, "comment", "move", [b.pk], new_parent=c.name, confirmed=c.pk, reason=""
    )
    assert done.status_code == 302
    assert Comment.objects.get(pk=b.pk).parent_id == c.pk


def test_a_move_takes_the_public_id_too(mod_client, tree):
    thread, op, a, b, c = tree
    asked = admin_action(mod_client, "comment", "move", [b.pk], new_parent=str(op.pk))
    assert f"under {op.name} (id {op.pk})" in asked.content.decode()


def test_a_name_from_another_thread_or_nowhere_is_refused_in_the_form(mod_client, tree, build):
    thread, op, a, b, c = tree
    far_away = UserFactory(username="faraway")
    other = build.reply(build.op(build.thread(title="Elsewhere")), text="far", author=far_away)
    answer = admin_action(mod_client, "comment", "move", [b.pk], new_parent=other.name)
    assert f"There is no post {other.name} in this thread." in answer.content.decode()
    answer = admin_action(mod_client, "comment", "move", [b.pk], new_parent="nobody+zz")
    assert "There is no post nobody+zz in this thread." in answer.content.decode()
    assert Comment.objects.get(pk=b.pk).parent_id == a.pk


def test_a_confirmation_for_another_post_is_asked_again(mod_client, tree):
    thread, op, a, b, c = tree
    answer = admin_action(mod_client, "comment", "move", [b.pk], new_parent=c.name, confirmed=op.pk)
    assert answer.status_code == 200 and Comment.objects.get(pk=b.pk).parent_id == a.pk


# Remove and ban asks how long


def test_remove_and_ban_offers_every_ban_duration(mod_client, tree):
    b = tree[3]
    form = mod_client.post(
        "/admin/threads/comment/", {"action": "remove_and_ban", "_selected_action": [b.pk]}
    ).content.decode()
    for value, words in [("1", "one day"), ("7", "one week"), ("30", "30 days")]:
        assert f'value="{value}"' in form and words in form
    assert 'value="forever"' in form and "for good" in form
    admin_action(mod_client, "comment", "remove_and_ban", [b.pk], reason="x", duration="forever")
    assert Ban.objects.get(user=b.author).expires_at is None


# Lifting a ban restores what it removed, and only that


def test_lifting_a_ban_can_restore_exactly_what_it_removed(mod_client, client, tree, build):
    thread, op, a, b, c = tree
    author = b.author
    own = build.thread(title="Their own thread", author=author)
    earlier = comment_reply(parent_id=c.pk, author=author, text="removed before")
    comment_remove(comment_id=earlier.pk, moderator=UserFactory(), reason="rude")
    ban = user_ban(user=author, moderator=UserFactory(), reason="spree", remove_posts=True)
    assert Comment.objects.get(pk=b.pk).state == "removed"
    form = mod_client.post("/admin/threads/ban/", {"action": "lift", "_selected_action": [ban.pk]})
    assert "Also restore the posts and threads this ban removed" in form.content.decode()
    answer = admin_action(mod_client, "ban", "lift", [ban.pk], restore_posts="on", reason="ok")
    assert answer.status_code == 302
    assert Comment.objects.get(pk=b.pk).state == "visible"
    assert not Thread.objects.get(pk=own.pk).is_removed
    assert Comment.objects.get(pk=earlier.pk).state == "removed"
    assert "post b" in client.get(f"/item?id={op.pk}").content.decode()
    logged = ModerationAction.objects.get(kind="restore-all")
    assert logged.get_kind_display() == "restored what a ban removed"
    assert "restored what a ban removed" in client.get("/modlog").content.decode()


def test_lifting_a_ban_without_the_box_leaves_the_posts_removed(mod_client, tree):
    b = tree[3]
    ban = user_ban(user=b.author, moderator=UserFactory(), reason="x", remove_posts=True)
    admin_action(mod_client, "ban", "lift", [ban.pk], reason="")
    assert Ban.objects.get(pk=ban.pk).lifted_at is not None
    assert Comment.objects.get(pk=b.pk).state == "removed"


# A removed thread tells its author why


def test_the_author_of_a_removed_thread_is_told_the_reason(mod_client, client, tree):
    thread, op = tree[0], tree[1]
    admin_action(mod_client, "thread", "remove", [thread.pk], reason="duplicate of another")
    assert "duplicate" not in client.get(f"/item?id={op.pk}").content.decode()
    client.force_login(thread.author)
    answer = client.get(f"/item?id={op.pk}")
    assert answer.status_code == 404
    assert "removed by a moderator. Reason: duplicate of another" in answer.content.decode()


# A new title says why


def test_a_new_title_needs_a_reason(mod_client, tree):
    thread = tree[0]
    url = f"/admin/threads/thread/{thread.pk}/change/"
    answer = mod_client.post(url, {"do": "retitle", "title": "A clearer title"})
    assert answer.status_code == 200
    assert "A new title needs a reason: the moderation log shows it." in answer.content.decode()
    assert Thread.objects.get(pk=thread.pk).title == "Moderated thread"
    with pytest.raises(ForumError, match="needs a reason"):
        thread_retitle(thread_id=thread.pk, moderator=UserFactory(), title="x", reason="")
    form = {"do": "retitle", "title": "Clearer", "reason": "vague"}
    assert mod_client.post(url, form).status_code == 302
    assert ModerationAction.objects.get(kind="retitle").reason == "vague"


# Links from the public pages to the admin, for staff only


def test_staff_get_moderate_links_and_an_admin_link(mod_client, tree):
    thread, op, a = tree[0], tree[1], tree[2]
    html = mod_client.get(f"/item?id={op.pk}").content.decode()
    assert '<a class="admin" href="/admin/">admin</a>' in html
    assert f'href="/admin/threads/thread/{thread.pk}/change/">moderate</a>' in html
    # Each post's [moderate] is added by static/vote.js: the posts' HTML is shared.
    assert 'data-staff="1" data-moderate-url="/admin/threads/comment/"' in html
    assert f'<article class="post" id="{a.pk}"' in html
    front = mod_client.get("/").content.decode()
    assert f'href="/admin/threads/thread/{thread.pk}/change/">moderate</a>' in front
    comment_page = mod_client.get(f"/item?id={a.pk}").content.decode()
    assert 'data-moderate-url="/admin/threads/comment/"' in comment_page


def test_readers_get_no_moderate_links(client, tree):
    op = tree[1]
    for reader in (None, UserFactory()):
        if reader:
            client.force_login(reader)
        html = client.get(f"/item?id={op.pk}").content.decode() + client.get("/").content.decode()
        assert "moderate" not in html and "/admin/" not in html and "data-staff" not in html


def test_the_moderate_script_links_each_post_to_its_admin_page(client):
    script = client.get("/static/vote.js")
    body = b"".join(script.streaming_content if script.streaming else [script.content]).decode()
    assert "data.moderateUrl" in body and "/change/" in body


def test_the_admin_lists_wrap_long_titles(mod_client, build):
    build.thread(title="x" * 80)
    html = mod_client.get("/admin/threads/thread/").content.decode()
    assert "/static/moderation.css" in html
    assert "moderation.css" in mod_client.get("/admin/threads/comment/").content.decode()
