"""Accounts: sign-up, log-in and out, passwords, and the user's pages."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core import mail

from forum.accounts.models import User
from forum.accounts.services import user_profile_update
from forum.exceptions import ForumError
from forum.mail import wait_for_senders
from tests.factories import ThreadBuilder, UserFactory

PASSWORD = "correct horse battery staple"


def signup(client, username, password="a long unusual passphrase", **extra):
    return client.post("/signup", {"username": username, "password": password, **extra})


def test_sign_up_creates_the_account_and_logs_in(client, db):
    response = signup(client, "new_user-1")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get()
    assert user.username == "new_user-1" and user.check_password("a long unusual passphrase")
    assert 'href="/user?id=new_user-1">new_user-1</a>' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("a", "A name is 2 to 15 characters: letters, digits, _ and -."),
        ("with space", "A name is 2 to 15 characters: letters, digits, _ and -."),
        ("dot.name", "A name is 2 to 15 characters: letters, digits, _ and -."),
        ("sixteen_chars_xx", "Ensure this value has at most 15 characters"),
        ("TAKEN", "The name TAKEN is taken; please choose another."),
    ],
)
def test_bad_usernames_are_refused(client, db, username, message):
    UserFactory(username="taken")
    response = signup(client, username)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == 1


def test_a_bad_name_and_a_bad_password_are_both_reported_at_once(client, db):
    response = client.post("/signup", {"username": "x", "password": "12345678"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "A name is 2 to 15 characters" in html and "entirely numeric" in html


def test_a_users_submissions_are_headed_in_plain_words(client, build):
    build.thread(author=UserFactory(username="zacwes"))
    assert "Threads submitted by zacwes</h1>" in client.get("/submitted?id=zacwes").content.decode()


def test_names_of_two_and_fifteen_characters_are_fine(client, db):
    assert signup(client, "ab").status_code == 302
    client.post("/logout")
    assert signup(client, "a" * 15).status_code == 302


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "This password is too short"),
        ("password123", "This password is too common"),
        ("83749283749283", "This password is entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_by_djangos_validators(client, db, password, message):
    response = signup(client, "someone", password)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_log_in_is_case_insensitive_and_log_out_is_a_post(client, db):
    UserFactory(username="Mixed")
    response = client.post("/login", {"username": "mixed", "password": PASSWORD})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<form class="logout" method="post" action="/logout">' in page
    assert client.get("/logout").status_code == 200
    assert client.post("/logout").status_code == 302
    assert 'href="/login' in client.get("/").content.decode()


def test_a_wrong_password_is_refused_with_a_message(client, db):
    UserFactory(username="carol")
    response = client.post("/login", {"username": "carol", "password": "wrong"})
    assert response.status_code == 400
    assert "That name and password do not match an account." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_in_does_not_redirect_to_another_site(client, db):
    UserFactory(username="dave")
    response = client.post(
        "/login", {"username": "dave", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_password_change(client, db):
    user = UserFactory(username="erin")
    client.force_login(user)
    response = client.post(
        "/password/change",
        {
            "old_password": PASSWORD,
            "new_password1": "a brand new passphrase",
            "new_password2": "a brand new passphrase",
        },
    )
    assert response["Location"] == "/password/change/done"
    user.refresh_from_db()
    assert user.check_password("a brand new passphrase")
    wrong = client.post(
        "/password/change",
        {"old_password": "nope", "new_password1": "x1y2z3w4v5", "new_password2": "x1y2z3w4v5"},
    )
    assert wrong.status_code == 400 and "Your old password was entered incorrectly" in (
        wrong.content.decode()
    )


def test_a_refused_password_reset_form_answers_400(client, db):
    response = client.post("/password/reset", {"email": "not an address"})
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


def test_password_reset_mails_only_a_confirmed_address(client, db):
    UserFactory(username="mallory", email="victim@example.com", email_confirmed=False)
    response = client.post("/password/reset", {"email": "victim@example.com"})
    assert response["Location"] == "/password/reset/sent"
    wait_for_senders()
    assert mail.outbox == []


def test_password_reset_by_email(client, db):
    UserFactory(username="frank", email="frank@example.com", email_confirmed=True)
    response = client.post("/password/reset", {"email": "frank@example.com"})
    assert response["Location"] == "/password/reset/sent"
    wait_for_senders()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["frank@example.com"]
    link = re.search(r"http://testserver(/password/reset/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a fresh passphrase", "new_password2": "a fresh passphrase"},
    )
    assert done["Location"] == "/password/reset/done"
    client.logout()
    assert (
        client.post("/login", {"username": "frank", "password": "a fresh passphrase"}).status_code
        == 302
    )
    assert "not valid" in client.get(link, follow=True).content.decode()


def test_password_reset_answers_alike_and_before_the_mail_goes(client, db, held_mail):
    UserFactory(username="frank", email="frank@example.com", email_confirmed=True)
    known = client.post("/password/reset", {"email": "frank@example.com"})
    unknown = client.post("/password/reset", {"email": "nobody@example.com"})
    # The held mail server has sent nothing yet: the answers did not wait for it.
    assert mail.outbox == []
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.content == unknown.content
    held_mail()
    assert [message.to for message in mail.outbox] == [["frank@example.com"]]


def set_email(client, username, email, capture):
    with capture(execute=True):
        response = client.post(f"/user?id={username}", {"about": "", "email": email})
    wait_for_senders()
    return response


def test_a_new_address_is_confirmed_by_the_link_mailed_to_it(
    client, db, django_capture_on_commit_callbacks
):
    gina = UserFactory(username="gina")
    client.force_login(gina)
    assert set_email(client, "gina", "gina@example.org", django_capture_on_commit_callbacks)[
        "Location"
    ] == ("/user?id=gina")
    assert [message.to for message in mail.outbox] == [["gina@example.org"]]
    page = client.get("/user?id=gina").content.decode()
    assert "gina@example.org is not confirmed yet" in page
    link = re.search(r"https?://[^/\s]+(/email/confirm\S+)", mail.outbox[0].body).group(1)
    client.logout()  # the link works from any browser: it proves the mailbox, not the session
    opened = client.get(link)
    assert opened.status_code == 200 and "Confirm your email address" in opened.content.decode()
    assert not User.objects.get(pk=gina.pk).email_confirmed
    token = re.search(r"token=(\S+)", link).group(1)
    done = client.post("/email/confirm", {"token": token})
    assert "Confirmed: replies to gina can be mailed to gina@example.org now." in (
        done.content.decode()
    )
    assert User.objects.get(pk=gina.pk).email_confirmed
    client.force_login(gina)
    set_email(client, "gina", "other@example.org", django_capture_on_commit_callbacks)
    assert not User.objects.get(pk=gina.pk).email_confirmed
    stale = client.post("/email/confirm", {"token": token})
    assert stale.status_code == 409 and "no longer has" in stale.content.decode()


def test_a_bad_or_old_confirmation_link_is_refused(client, db):
    answer = client.post("/email/confirm", {"token": "1:forged:token"})
    assert answer.status_code == 400
    assert "not valid or is more than three days old" in answer.content.decode()


def test_a_profile_cannot_mail_address_after_address(
    client, db, django_capture_on_commit_callbacks
):
    client.force_login(UserFactory(username="gina"))
    statuses = [
        set_email(client, "gina", f"v{n}@example.org", django_capture_on_commit_callbacks)
        for n in range(4)
    ]
    assert [answer.status_code for answer in statuses] == [302, 302, 302, 429]
    assert "Too many changes of email address" in statuses[-1].content.decode()
    assert len(mail.outbox) == 3 and User.objects.get(username="gina").email == "v2@example.org"


def test_user_page_shows_created_karma_and_about(client, db):
    user = UserFactory(username="gina", about="I like <b>bold</b> claims https://gina.example")
    User.objects.filter(pk=user.pk).update(karma=42)
    html = client.get("/user?id=gina").content.decode()
    assert f"{user.date_joined:%Y-%m-%d}</time>" in html
    assert "<dd>42</dd>" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert '<a href="https://gina.example" rel="nofollow ugc noopener">' in html
    assert 'name="about"' not in html
    text = client.get("/user?id=gina&format=txt").content.decode()
    assert "karma: 42" in text


def test_the_owner_edits_about_and_no_one_else_can(client, db):
    gina = UserFactory(username="gina")
    client.force_login(gina)
    assert 'name="about"' in client.get("/user?id=gina").content.decode()
    client.post("/user?id=gina", {"about": "Hello there.", "email": "g@example.com"})
    gina.refresh_from_db()
    assert gina.about == "Hello there."
    client.force_login(UserFactory(username="hank"))
    response = client.post("/user?id=gina", {"about": "Defaced", "email": ""})
    assert response.status_code == 403
    gina.refresh_from_db()
    assert gina.about == "Hello there."


@pytest.mark.parametrize("name", ["nobody", "%00", "x" * 200, ""])
def test_unknown_users_are_404(client, db, name):
    for page in ("user", "threads", "submitted"):
        response = client.get(f"/{page}?id={name}")
        assert response.status_code == 404
        assert "There is no user named" in response.content.decode()


def test_threads_lists_a_users_comments_and_submitted_their_threads(client, db):
    build = ThreadBuilder()
    ivy = UserFactory(username="ivy")
    thread = build.thread(title="Ivy's thread", author=ivy)
    other = build.thread(title="Someone else's")
    build.reply(build.op(other), text="Ivy was here", author=ivy)
    gone = build.reply(build.op(other), text="Ivy regrets", author=ivy)
    gone.state = "deleted"
    gone.save()
    comments = client.get("/threads?id=ivy").content.decode()
    assert "Ivy was here" in comments and "Ivy regrets" not in comments
    assert "on: <a href=" in comments and "Someone else&#x27;s" in comments
    submitted = client.get("/submitted?id=IVY").content.decode()
    assert "Ivy&#x27;s thread" in submitted and "Someone else" not in submitted
    assert thread.title in client.get("/submitted?id=ivy&format=txt").content.decode()
    assert "Ivy was here" in client.get("/threads?id=ivy&format=txt").content.decode()


def test_opening_logout_shows_the_button_and_posting_logs_out(client, user):
    client.force_login(user)
    page = client.get("/logout")
    assert page.status_code == 200 and 'action="/logout"' in page.content.decode()
    assert client.get("/").context["user"].is_authenticated
    assert client.post("/logout").status_code == 302
    assert not client.get("/").context["user"].is_authenticated


def test_a_failed_login_says_names_ignore_case(client, user):
    response = client.post("/login", {"username": user.username, "password": "wrong"})
    assert response.status_code == 400
    assert "the name is not" in response.content.decode()


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/email/confirm\S+)", message.body).group(1)


def test_sign_up_mails_the_confirmation_link_to_the_address_it_was_given(
    client, db, django_capture_on_commit_callbacks
):
    """Without it a new member's password reset said a link was on its way and sent none."""
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, "newbie", email="newbie@example.org")
    wait_for_senders()
    assert [message.to for message in mail.outbox] == [["newbie@example.org"]]
    token = re.search(r"token=(\S+)", confirmation_link(mail.outbox[0])).group(1)
    client.post("/email/confirm", {"token": token})
    assert User.objects.get(username="newbie").email_confirmed
    client.post("/logout")
    client.post("/password/reset", {"email": "newbie@example.org"})
    wait_for_senders()
    assert [message.to for message in mail.outbox][-1] == ["newbie@example.org"]


def test_sign_up_without_an_address_mails_nothing(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, "quiet")
    wait_for_senders()
    assert mail.outbox == []


def test_the_console_mail_of_make_run_prints_a_link_that_can_be_copied():
    """Quoted-printable broke the long link across lines with `=` at their ends."""
    link = "http://127.0.0.1:8000/email/confirm?token=" + "eyJpZCI6MX0:1vR" * 12
    code = (
        "from django.core.mail import send_mail; "
        f"send_mail('Confirm', 'Confirm it within three days:\\n{link}\\n', None, ['a@b.org'])"
    )
    names = {"EMAIL_URL", "EMAIL_BACKEND", "FORUM_ENV"}
    env = {k: v for k, v in os.environ.items() if k not in names}
    printed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert link in printed.splitlines()


def gina_in_the_admin(*, email: str, about: str = "") -> dict:
    """The admin's change form of the account gina, saved with this address and about text."""
    joined = {"date_joined_0": "2026-01-01", "date_joined_1": "00:00:00"}
    return {"username": "gina", "email": email, "is_active": "on", "about": about} | joined


def test_an_address_changed_in_the_admin_is_unconfirmed_until_its_owner_confirms_it(
    admin_client, db, django_capture_on_commit_callbacks
):
    gina = UserFactory(username="gina", email="gina@example.org", email_confirmed=True)
    form = gina_in_the_admin(email="someone@example.net")
    with django_capture_on_commit_callbacks(execute=True):
        saved = admin_client.post(f"/admin/accounts/user/{gina.pk}/change/", form)
    wait_for_senders()
    assert saved.status_code == 302
    gina.refresh_from_db()
    assert (gina.email, gina.email_confirmed) == ("someone@example.net", False)
    # No reset link goes there until the new address's owner confirms it from the mail.
    assert [message.to for message in mail.outbox] == [["someone@example.net"]]
    admin_client.post("/password/reset", {"email": "someone@example.net"})
    wait_for_senders()
    assert len(mail.outbox) == 1
    token = re.search(r"token=(\S+)", confirmation_link(mail.outbox[0])).group(1)
    admin_client.post("/email/confirm", {"token": token})
    gina.refresh_from_db()
    assert gina.email_confirmed


def test_an_admin_save_that_keeps_the_address_keeps_it_confirmed(admin_client, db):
    gina = UserFactory(username="gina", email="gina@example.org", email_confirmed=True)
    form = gina_in_the_admin(email="gina@example.org", about="Edited by the admin.")
    assert admin_client.post(f"/admin/accounts/user/{gina.pk}/change/", form).status_code == 302
    gina.refresh_from_db()
    assert gina.email_confirmed and gina.about == "Edited by the admin."


def test_a_password_reset_does_the_same_work_for_any_address(client, db, monkeypatch):
    """A known address took 4.9 ms and an unknown one 3.7 ms: a link was made and mailed for
    one only. Now each asks the same queries, makes a link and renders the mail after the
    answer; only the sending differs, in a thread of its own."""
    from django.contrib.auth.tokens import default_token_generator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from forum import mail as forum_mail

    UserFactory(username="frank", email="frank@example.com", email_confirmed=True)
    UserFactory(username="una", email="una@example.com", email_confirmed=False)
    work = []
    real_token, real_send = default_token_generator.make_token, forum_mail.send_in_background
    monkeypatch.setattr(
        default_token_generator, "make_token", lambda user: work.append("token") or real_token(user)
    )
    monkeypatch.setattr(
        forum_mail,
        "send_in_background",
        lambda send, what: work.append(what) or real_send(send, what=what),
    )

    def reset(address):
        work.clear()
        with CaptureQueriesContext(connection) as queries:
            answer = client.post("/password/reset", {"email": address})
        wait_for_senders()
        statements = [q["sql"].replace(address, "ADDRESS") for q in queries.captured_queries]
        return answer.status_code, answer["Location"], statements, list(work)

    known = reset("frank@example.com")
    assert known[3] == ["token", "a password reset link"]
    assert reset("nobody@example.com") == known
    assert reset("una@example.com") == known  # an account, but its address is not confirmed
    assert [message.to for message in mail.outbox] == [["frank@example.com"]]


@pytest.mark.parametrize("name", ["bell\x07", "nul\x00x", "non\uffff", "del\x7f", "line\nbreak"])
def test_a_name_with_a_control_or_non_character_is_refused_with_a_sentence(client, db, name):
    response = signup(client, name)
    assert response.status_code == 400
    page = response.content.decode()
    assert "A name is 2 to 15 characters" in page or "Null characters are not allowed" in page
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("about", "message"),
    [
        ("red \x1b[31m here", "The about text contains a control character (U+001B)"),
        ("a\uffff b", "The about text contains a Unicode non-character (U+FFFF)"),
        ("c1 \x85 here", "The about text contains a control character (U+0085)"),
    ],
)
def test_an_about_text_with_a_control_or_non_character_is_refused_with_a_sentence(
    client, admin_client, db, about, message
):
    gina = UserFactory(username="gina", about="As typed.")
    client.force_login(gina)
    response = client.post("/user?id=gina", {"about": about, "email": ""})
    assert response.status_code == 400
    assert message in response.content.decode()
    form = {
        "username": "gina",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
        "about": about,
    }
    response = admin_client.post(f"/admin/accounts/user/{gina.pk}/change/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    with pytest.raises(ForumError, match=re.escape(message)):
        user_profile_update(user=gina, about=about, email="")
    gina.refresh_from_db()
    assert gina.about == "As typed."
    # Right-to-left writing, tabs and line ends stay allowed.
    client.post("/user?id=gina", {"about": "שלום\u200f \u202eabc\u202c\tx\ny", "email": ""})
    gina.refresh_from_db()
    assert gina.about == "שלום\u200f \u202eabc\u202c\tx\ny"
