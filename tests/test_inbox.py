"""The replies inbox: what it lists, the unread count in the header, and emails for replies."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from forum.accounts.models import User
from forum.mail import wait_for_senders
from tests.factories import UserFactory
from threads.models import Comment
from threads.services.posting import comment_delete, comment_reply


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.org")


@pytest.fixture
def conversation(build, alice):
    """Alice's thread; Bob answers her opening post and her reply; she answers herself."""
    bob, carol = UserFactory(username="bob"), UserFactory(username="carol")
    thread = build.thread(title="Alice asks", author=alice)
    op = build.op(thread)
    hers = build.reply(op, text="Alice adds a detail.", author=alice)
    return {
        "op": op,
        "to_op": build.reply(op, text="Bob answers the thread.", author=bob),
        "to_hers": build.reply(hers, text="Bob answers Alice's detail.", author=bob),
        "own": build.reply(hers, text="Alice answers herself.", author=alice),
        "elsewhere": build.reply(
            build.op(build.thread(title="Carol's", author=carol)),
            text="Bob answers Carol.",
            author=bob,
        ),
        "bob": bob,
    }


def unread_in_header(client) -> str:
    html = client.get("/newest").content.decode()
    match = re.search(r'<a class="inbox" href="/replies">(.*?)</a>', html)
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_the_inbox_lists_replies_to_the_users_posts_newest_first(client, alice, conversation):
    client.force_login(alice)
    html = client.get("/replies").content.decode()
    listed = re.findall(r'<article class="post[^"]*" id="(\d+)"', html)
    assert listed == [str(conversation["to_hers"].pk), str(conversation["to_op"].pk)]
    assert "Alice answers herself." not in html and "Bob answers Carol." not in html
    op_id = conversation["op"].pk
    assert f'href="/item?id={op_id}#{conversation["to_hers"].pk}"' in html


def test_the_header_counts_unread_replies_until_the_inbox_is_opened(client, alice, conversation):
    client.force_login(alice)
    assert unread_in_header(client) == "replies (2 new)"
    client.get("/replies")
    assert unread_in_header(client) == "replies"
    comment_reply(parent_id=conversation["to_op"].pk, author=alice, text="Alice thanks Bob.")
    assert unread_in_header(client) == "replies"
    comment_reply(parent_id=conversation["op"].pk, author=conversation["bob"], text="Bob again.")
    assert unread_in_header(client) == "replies (1 new)"
    html = client.get("/replies").content.decode()
    assert len(re.findall(r'<span class="new">new</span>', html)) == 1
    assert unread_in_header(client) == "replies"


def test_deleted_replies_leave_the_inbox(client, alice, conversation):
    comment_delete(comment_id=conversation["to_op"].pk, user=conversation["bob"])
    client.force_login(alice)
    assert unread_in_header(client) == "replies (1 new)"
    assert "Bob answers the thread." not in client.get("/replies").content.decode()


def test_the_unread_count_is_one_query(client, alice, conversation):
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        client.get("/newest")
    counts = [q["sql"] for q in queries if "parent_author_id" in q["sql"]]
    assert len(counts) == 1 and "COUNT(" in counts[0].upper()


def test_the_inbox_needs_a_login_and_has_a_text_form(client, alice, conversation):
    assert client.get("/replies")["Location"].startswith("/login")
    client.force_login(alice)
    text = client.get("/replies?format=txt").content.decode()
    assert "Bob answers Alice's detail." in text and "Alice answers herself." not in text
    assert client.get("/replies?p=0").status_code == 400


# Email for each reply, when asked for


def _reply_and_wait(django_capture_on_commit_callbacks, **kwargs) -> Comment:
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_reply(**kwargs)
    wait_for_senders()
    return comment


def test_no_email_unless_asked_for(build, alice, django_capture_on_commit_callbacks):
    op = build.op(build.thread(author=alice))
    _reply_and_wait(
        django_capture_on_commit_callbacks, parent_id=op.pk, author=UserFactory(), text="Hi."
    )
    assert mail.outbox == []


def test_an_email_for_each_reply_once_asked(
    client, build, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    response = client.post(
        "/user?id=alice",
        {"about": "", "email": "alice@example.org", "email_replies": "on"},
    )
    assert response.status_code == 302
    User.objects.filter(pk=alice.pk).update(email_confirmed=True)  # by its link: test_accounts
    op = build.op(build.thread(author=alice, title="Mail me"))
    bob = UserFactory(username="bob")
    reply = _reply_and_wait(
        django_capture_on_commit_callbacks, parent_id=op.pk, author=bob, text="Hello Alice."
    )
    _reply_and_wait(
        django_capture_on_commit_callbacks, parent_id=reply.pk, author=alice, text="Hi."
    )
    _reply_and_wait(django_capture_on_commit_callbacks, parent_id=op.pk, author=alice, text="Me.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.org"]
    assert message.subject == '[zlacker] bob replied in "Mail me"'
    assert "Hello Alice." in message.body and f"/item?id={reply.pk}" in message.body


def test_the_reply_email_links_to_the_address_the_forum_was_reached_at(
    client, build, alice, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=alice.pk).update(
        email="alice@example.org", email_replies=True, email_confirmed=True
    )
    op = build.op(build.thread(author=alice, title="Mail me"))
    client.force_login(UserFactory(username="bob"))
    with django_capture_on_commit_callbacks(execute=True):
        posted = client.post(
            "/reply", {"parent": op.pk, "text": "Hello."}, SERVER_NAME="localhost", SERVER_PORT=9000
        )
    wait_for_senders()
    assert posted.status_code == 302
    reply = Comment.objects.get(text="Hello.")
    assert f"http://localhost:9000/item?id={reply.pk}" in mail.outbox[0].body


def test_no_email_to_an_address_its_owner_has_not_confirmed(
    build, alice, django_capture_on_commit_callbacks
):
    alice.email_replies = True
    alice.save()
    op = build.op(build.thread(author=alice))
    _reply_and_wait(
        django_capture_on_commit_callbacks, parent_id=op.pk, author=UserFactory(), text="Hi."
    )
    assert mail.outbox == []


def test_updating_the_profile_says_it_was_saved(client, alice):
    client.force_login(alice)
    response = client.post("/user?id=alice", {"about": "Hi.", "email": ""}, follow=True)
    assert '<li class="success">Saved.</li>' in response.content.decode()
    assert "Saved." not in client.get("/user?id=alice").content.decode()


def test_emailed_replies_need_an_address(client, alice):
    alice.email = ""
    alice.save()
    client.force_login(alice)
    response = client.post("/user?id=alice", {"about": "", "email": "", "email_replies": "on"})
    assert response.status_code == 400
    assert "only be emailed to an email address" in response.content.decode()


def test_a_failing_mail_server_does_not_fail_the_reply(
    build, alice, settings, django_capture_on_commit_callbacks, caplog
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    alice.email_replies = alice.email_confirmed = True
    alice.save()
    op = build.op(build.thread(author=alice))
    reply = _reply_and_wait(
        django_capture_on_commit_callbacks, parent_id=op.pk, author=UserFactory(), text="Hi."
    )
    assert Comment.objects.filter(pk=reply.pk).exists()
    assert "Could not email a reply notification" in caplog.text
