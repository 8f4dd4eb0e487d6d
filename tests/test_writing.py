"""Writing: submit, reply, edit and delete through the forms, as a logged-in reader does them."""

import re
import threading
import time
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from forum.exceptions import ForumError
from tests.documents import article
from tests.factories import ThreadBuilder, UserFactory
from tests.visitor import Visitor
from threads.core import selectors
from threads.models import Comment, Thread
from threads.services.posting import comment_delete, comment_reply, thread_create
from threads.text import zlacker


@pytest.fixture
def writer(client, user):
    client.force_login(user)
    return user


def op_of(thread: Thread) -> Comment:
    return Comment.objects.get(tree_id=thread.pk, level=0)


# Submitting


def test_submit_creates_a_thread_shown_on_newest_and_front(client, writer):
    response = client.post(
        "/submit", {"title": "Show: a forum", "url": "https://example.com/a", "text": ""}
    )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/item?id={op_of(thread).pk}"
    assert thread.author == writer and thread.url == "https://example.com/a"
    for page in ("/", "/newest"):
        assert "Show: a forum" in client.get(page).content.decode()
    assert "Show: a forum" in client.get(f"/submitted?id={writer.username}").content.decode()


def test_submit_with_text_renders_it_on_the_thread_page(client, writer):
    client.post("/submit", {"title": "Ask: anyone?", "url": "", "text": "Is *this* on?"})
    html = client.get(f"/item?id={op_of(Thread.objects.get()).pk}").content.decode()
    assert "<p>Is <i>this</i> on?</p>" in html


def test_a_url_submitted_within_30_days_leads_to_its_thread(client, writer, build):
    first = build.thread(title="Original", url="https://example.com/story")
    response = client.post(
        "/submit", {"title": "Again", "url": "https://example.com/story", "text": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/item?id={op_of(first).pk}"
    assert Thread.objects.count() == 1


def test_a_url_is_the_same_url_whatever_the_case_of_its_host(client, writer, build):
    first = build.thread(title="Original", url="https://example.com/Story")
    again = client.post(
        "/submit", {"title": "Again", "url": "HTTPS://EXAMPLE.com/Story", "text": ""}
    )
    assert again["Location"] == f"/item?id={op_of(first).pk}"
    other_path = {"title": "Other", "url": "https://example.com/story", "text": ""}
    assert client.post("/submit", other_path)["Location"] != again["Location"]  # paths keep case
    assert Thread.objects.count() == 2


@pytest.mark.parametrize(
    "again",
    [
        "http://EXAMPLE.com/article-one/",
        "https://example.com:443/article-one#comments",
        "http://example.com:80/article-one?utm_source=feed&utm_medium=rss",
        "https://example.com/article-one/?fbclid=abc&gclid=def",
    ],
)
def test_a_url_written_another_way_is_the_same_page(client, writer, build, again):
    first = build.thread(title="Original", url="https://example.com/article-one")
    response = client.post("/submit", {"title": "Again", "url": again, "text": ""})
    assert response["Location"] == f"/item?id={op_of(first).pk}"
    assert Thread.objects.count() == 1


@pytest.mark.parametrize(
    "other",
    [
        "https://example.com/article-two",
        "https://example.com/article-one?page=2",
        "https://example.com:8443/article-one",
        "https://other.example.com/article-one",
    ],
)
def test_another_page_is_not_a_duplicate(client, writer, build, other):
    build.thread(title="Original", url="https://example.com/article-one?")
    client.post("/submit", {"title": "Other", "url": other, "text": ""})
    assert Thread.objects.count() == 2


WEB_ONLY = "its url must start with http:// or https://"
NO_PORT = "ports are numbered from 1 to 65535"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://example.com/file", WEB_ONLY),
        ("ftps://example.com/file", WEB_ONLY),
        ("https://example.com:99999/a", NO_PORT),
        ("https://example.com:0/a", NO_PORT),
    ],
)
def test_a_url_no_web_server_answers_is_refused(client, writer, url, why):
    response = client.post("/submit", {"title": "A page", "url": url, "text": "Kept."})
    html = response.content.decode()
    assert response.status_code == 400
    assert why in html
    assert "Kept.</textarea>" in html
    with pytest.raises(ForumError, match=re.escape(why)):
        thread_create(author=writer, title="A page", url=url)
    assert Thread.objects.count() == 0


def test_a_port_that_is_no_number_is_refused_by_the_service_too(writer):
    # The submit form refuses it first ("Enter a valid URL"); an importer reaches the service.
    with pytest.raises(ForumError, match=NO_PORT):
        thread_create(author=writer, title="A page", url="http://example.com:8o/a")
    assert Thread.objects.count() == 0


def test_the_submit_page_says_what_a_url_and_a_text_do(client, writer):
    html = client.get("/submit").content.decode()
    assert "Leave url blank" not in html
    assert "A url shares a page elsewhere" in html
    assert "A text opens the thread" in html
    assert "Both: the title links to the page" in html


def test_a_long_title_is_refused_whole_with_its_length_and_the_form_kept(client, writer):
    title = ("A pasted headline that runs on " * 4)[:120]
    response = client.post("/submit", {"title": title, "url": "", "text": "My text."})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The title is 120 characters long; at most 80 are allowed." in html
    assert f'value="{title}"' in html
    assert "My text.</textarea>" in html
    assert "maxlength" not in html  # nothing cuts the title silently in the browser
    assert 'data-max-length="80"' in html


def test_a_url_submitted_already_leads_to_its_thread_before_any_limit(client, writer, build):
    first = build.thread(title="Original", url="https://example.com/story")
    mine = client.post("/submit", {"title": "Mine", "url": "https://example.com/mine", "text": ""})
    assert mine.status_code == 302  # a new account's one thread of the hour
    for again in ("https://www.example.com/story", "www.example.com/story", "example.com/story"):
        answer = client.post("/submit", {"title": "Again", "url": again, "text": ""}, follow=True)
        assert answer.redirect_chain == [(f"/item?id={op_of(first).pk}", 302)], again
        assert "That url was submitted recently: here is its thread." in answer.content.decode()
    over = client.post("/submit", {"title": "New", "url": "https://example.com/new", "text": ""})
    assert over.status_code == 429 and "Too many threads" in over.content.decode()
    assert Thread.objects.count() == 2


@pytest.mark.parametrize(
    ("stored", "again"),
    [
        ("https://www.example.com/a", "https://example.com/a"),
        ("https://example.com/a", "http://WWW.example.com/a/"),
    ],
)
def test_www_and_the_bare_host_are_one_site(client, writer, build, stored, again):
    first = build.thread(title="Original", url=stored)
    response = client.post("/submit", {"title": "Again", "url": again, "text": ""})
    assert response["Location"] == f"/item?id={op_of(first).pk}"
    assert Thread.objects.count() == 1


def test_a_url_typed_without_its_scheme_is_asked_about_before_it_is_saved(client, writer):
    asked = client.post("/submit", {"title": "Bare", "url": "example.com/bare", "text": "Kept."})
    html = asked.content.decode()
    assert asked.status_code == 200 and not Thread.objects.exists()
    assert (
        "The url has no http:// or https:// at its start: it will be saved as"
        " https://example.com/bare. Submit again to confirm, or correct it."
    ) in html
    assert 'value="https://example.com/bare"' in html and "Kept.</textarea>" in html
    form_key = re.search(r'name="form_key" value="([^"]+)"', html).group(1)
    confirmed = {"title": "Bare", "url": "https://example.com/bare", "text": "Kept."}
    done = client.post("/submit", confirmed | {"form_key": form_key})
    assert done.status_code == 302
    assert Thread.objects.get().url == "https://example.com/bare"


def test_a_url_submitted_longer_ago_makes_a_new_thread(client, writer, build):
    old = build.thread(title="Original", url="https://example.com/story")
    Thread.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    client.post("/submit", {"title": "Again", "url": "https://example.com/story", "text": ""})
    assert Thread.objects.count() == 2


@pytest.mark.parametrize(
    ("title", "url", "text", "message"),
    [
        ("x" * 81, "", "", "The title is 81 characters long; at most 80 are allowed."),
        ("   ", "", "", "Please give a title."),
        ("A\x00title", "", "", "The title contains a NUL character"),
        ("Fine", "javascript:alert(1)", "", "Enter a valid URL."),
        ("Fine", "", "x" * 10_001, "The text is 10,001 characters long; at most 10,000"),
        ("Fine", "", "nul\x00here", "The text contains a NUL character"),
    ],
)
def test_bad_submissions_show_the_form_again_and_store_nothing(
    client, writer, title, url, text, message
):
    response = client.post("/submit", {"title": title, "url": url, "text": text})
    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert '<form class="stack" method="post" action="/submit"' in html
    assert Thread.objects.count() == 0


def test_titles_lose_bidi_controls_and_text_keeps_its_code_indent(client, writer):
    client.post("/submit", {"title": "Safe\u202e title ", "url": "", "text": "\n\n  code\n"})
    thread = Thread.objects.get()
    assert thread.title == "Safe title"
    assert op_of(thread).text == "  code"
    assert (
        "<pre><code>code</code></pre>"
        in client.get(f"/item?id={op_of(thread).pk}").content.decode()
    )


def test_submit_needs_a_login(client, db):
    response = client.get("/submit")
    assert response.status_code == 302
    assert response["Location"] == "/login?next=/submit"


# Replying


def test_reply_from_the_comment_page_lands_on_the_new_post_in_the_thread(client, writer, build):
    thread = build.thread()
    op = build.op(thread)
    first = build.reply(op)
    second = build.reply(first)
    page = client.get(f"/item?id={second.pk}").content.decode()
    assert '<form class="stack" method="post" action="/reply' in page
    assert f'name="parent" value="{second.pk}"' in page

    response = client.post(
        "/reply", {"parent": second.pk, "thread": thread.pk, "text": "Agreed, see >>" + first.name}
    )
    new = Comment.objects.get(author=writer)
    assert response.status_code == 302
    assert response["Location"] == f"/item?id={op.pk}#{new.pk}"
    assert new.ref > max(first.ref, second.ref)

    html = client.get(f"/item?id={op.pk}").content.decode()
    post = article(html, new.pk)
    assert f' 3. <a class="name" href="item?id={new.pk}">' in post
    assert f">{zlacker.post_name(writer.username, new.ref)}</a>" in post
    assert f'data-g="{zlacker.glyphs(3)}"' in post
    assert f'<a class="ref parent" href="#{second.pk}">&gt;&gt;{second.name}</a>' in post
    assert f'<a class="ref" href="/item?id={first.pk}" data-id="{first.pk}">' in post
    backlinks = article(html, second.pk)
    assert f'replies(1): <a class="ref" href="#{new.pk}"' in backlinks


def test_reply_page_shows_the_post_and_a_form(client, writer, build):
    op = build.op(build.thread())
    reply = build.reply(op, text="What do you think?")
    html = client.get(f"/reply?id={reply.pk}").content.decode()
    assert "What do you think?" in html
    assert f'name="parent" value="{reply.pk}"' in html
    client.post("/reply", {"parent": reply.pk, "text": "I think so."})
    assert Comment.objects.get(author=writer).parent == reply


def test_the_reply_page_names_the_opening_post_without_a_number(client, writer, build):
    op = build.op(build.thread(text="Tell me."))
    shown = article(client.get(f"/reply?id={op.pk}").content.decode(), op.pk)
    assert f'</a> <a class="name" href="item?id={op.pk}">{op.name}</a>' in shown
    reply = build.reply(op)
    shown = article(client.get(f"/reply?id={reply.pk}").content.decode(), reply.pk)
    assert f'</a> 1. <a class="name" href="item?id={reply.pk}">' in shown


def test_a_reader_who_is_not_logged_in_is_sent_to_log_in_and_back(client, build):
    op = build.op(build.thread())
    page = client.get(f"/item?id={op.pk}").content.decode()
    assert f'<a class="reply" href="/reply?id={op.pk}">[reply]</a>' in page
    response = client.get(f"/reply?id={op.pk}")
    assert response.status_code == 302
    assert response["Location"] == f"/login?next=/reply%3Fid%3D{op.pk}"
    UserFactory(username="back")
    login = client.post(
        "/login",
        {
            "username": "back",
            "password": "correct horse battery staple",
            "next": f"/reply?id={op.pk}",
        },
    )
    assert login["Location"] == f"/reply?id={op.pk}"


def test_cannot_reply_when_logged_out(client, build):
    op = build.op(build.thread())
    response = client.post("/reply", {"parent": op.pk, "text": "Sneaky."})
    assert response.status_code == 302 and response["Location"].startswith("/login")
    assert Comment.objects.count() == 1


def log_in(client, username: str, next_url: str):
    return client.post(
        "/login",
        {"username": username, "password": "correct horse battery staple", "next": next_url},
    )


def test_a_reply_posted_after_the_session_ended_is_kept_through_the_log_in(client, build):
    op = build.op(build.thread())
    writer = UserFactory(username="slowwriter")
    client.force_login(writer)
    client.get(f"/reply?id={op.pk}")
    client.logout()  # the session ends while they write
    form = {"parent": op.pk, "text": "Thirty minutes of careful words."}
    posted = client.post(f"/reply?id={op.pk}", form)  # where the reply form posts
    assert posted.status_code == 302
    assert posted["Location"] == f"/login?next=/reply%3Fid%3D{op.pk}"
    assert Comment.objects.count() == 1
    login_page = client.get(posted["Location"]).content.decode()
    assert "nothing was posted" in login_page
    assert log_in(client, "slowwriter", f"/reply?id={op.pk}")["Location"] == f"/reply?id={op.pk}"
    form = client.get(f"/reply?id={op.pk}").content.decode()
    assert "Thirty minutes of careful words." in form
    # Taken once: the next reply starts empty.
    assert "Thirty minutes" not in client.get(f"/reply?id={op.pk}").content.decode()


def test_a_submission_and_an_edit_after_the_session_ended_are_kept_too(client, build):
    writer = UserFactory(username="submitter")
    mine = build.reply(build.op(build.thread()), author=writer, text="First version.")
    submitted = client.post("/submit", {"title": "Late title", "url": "", "text": "Late text"})
    assert submitted["Location"] == "/login?next=/submit"
    log_in(client, "submitter", "/submit")
    form = client.get("/submit").content.decode()
    assert 'value="Late title"' in form and "Late text" in form
    client.logout()
    edited = client.post(f"/edit?id={mine.pk}", {"text": "Second version."})
    assert edited["Location"] == f"/login?next=/edit%3Fid%3D{mine.pk}"
    log_in(client, "submitter", f"/edit?id={mine.pk}")
    assert "Second version." in client.get(f"/edit?id={mine.pk}").content.decode()
    assert Comment.objects.get(pk=mine.pk).text == "First version."


def test_a_reply_form_keeps_its_post_in_the_address_and_a_missing_post_is_named(
    client, writer, build
):
    op = build.op(build.thread())
    refused = client.post(f"/reply?id={op.pk}", {"parent": op.pk, "text": ""})
    assert f'action="/reply?id={op.pk}"' in refused.content.decode()  # a reload shows the form
    assert client.post(f"/reply?id={op.pk}", {"text": "By the address."}).status_code == 302
    assert Comment.objects.filter(parent=op, text="By the address.").exists()
    lost = client.post("/reply", {"text": "Where does this go?"})
    html = lost.content.decode()
    assert lost.status_code == 400
    assert "Which post is this a reply to?" in html and "Hidden field" not in html
    assert "Where does this go?</textarea>" in html


def _reply_refused(client, data: dict, status: int, message: str):
    before = Comment.objects.count()
    response = client.post("/reply", data)
    html = response.content.decode()
    assert response.status_code == status, html
    assert message in html
    assert '<form class="stack" method="post" action="/reply' in html
    assert Comment.objects.count() == before
    return html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Please write something: the text is empty."),
        ("   \n\t  \n", "Please write something: the text is empty."),
        ("x" * 10_001, "The text is 10,001 characters long; at most 10,000 are allowed."),
        ("a\x00b", "The text contains a NUL character, which cannot be stored."),
    ],
)
def test_bad_text_shows_the_form_again_with_a_message(client, writer, build, text, message):
    op = build.op(build.thread())
    _reply_refused(client, {"parent": op.pk, "text": text}, 400, message)


def test_text_of_exactly_10000_characters_is_accepted(client, writer, build):
    op = build.op(build.thread())
    client.post("/reply", {"parent": op.pk, "text": "y" * 10_000})
    assert Comment.objects.get(author=writer).text == "y" * 10_000


def test_a_parent_that_does_not_exist_is_refused(client, writer, build):
    build.thread()
    html = _reply_refused(
        client, {"parent": 999999, "text": "Hello?"}, 404, "There is no post with id 999999"
    )
    assert "Hello?</textarea>" in html


def test_a_parent_from_another_thread_is_refused(client, writer, build):
    here = build.thread(title="Here")
    elsewhere = build.op(build.thread(title="Elsewhere"))
    html = _reply_refused(
        client,
        {"parent": elsewhere.pk, "thread": here.pk, "text": "Hi"},
        400,
        "The post you are replying to is not in this thread.",
    )
    assert "Hi</textarea>" in html


def test_a_removed_parent_accepts_no_replies(client, writer, build):
    reply = build.reply(build.op(build.thread()))
    Comment.objects.filter(pk=reply.pk).update(state=Comment.State.REMOVED)
    message = "That post was removed by a moderator: it accepts no replies."
    _reply_refused(client, {"parent": reply.pk, "text": "Hi"}, 403, message)
    assert message in client.get(f"/reply?id={reply.pk}").content.decode()


def test_a_locked_thread_accepts_no_replies_and_says_so(client, writer, build):
    thread = build.thread()
    op = build.op(thread)
    Thread.objects.filter(pk=thread.pk).update(is_locked=True)
    message = "This thread is locked: it accepts no new replies."
    html = _reply_refused(client, {"parent": op.pk, "text": "Hi"}, 403, message)
    assert "Hi</textarea>" in html
    page = client.get(f"/item?id={op.pk}").content.decode()
    assert message in page and 'action="/reply' not in page


# Editing and deleting


def test_the_author_edits_within_two_hours_and_the_page_says_edited(client, writer, build):
    op = build.op(build.thread())
    mine = build.reply(op, text="Frist", author=writer)
    form = client.get(f"/edit?id={mine.pk}").content.decode()
    assert "Frist</textarea>" in form
    response = client.post(f"/edit?id={mine.pk}", {"text": "First, *really*."})
    assert response["Location"] == f"/item?id={op.pk}#{mine.pk}"
    post = article(client.get(f"/item?id={op.pk}").content.decode(), mine.pk)
    assert "<p>First, <i>really</i>.</p>" in post
    assert '<span class="edited">(edited)</span>' in post
    assert client.get(f"/source?id={mine.pk}").content.decode() == "First, *really*."


def test_editing_after_two_hours_is_refused(client, writer, build):
    mine = build.reply(build.op(build.thread()), text="Old", author=writer)
    Comment.objects.filter(pk=mine.pk).update(
        created_at=timezone.now() - timedelta(hours=2, seconds=1)
    )
    response = client.post(f"/edit?id={mine.pk}", {"text": "New"})
    assert response.status_code == 403
    assert "Posts can be edited for 2 hours after posting" in response.content.decode()
    assert Comment.objects.get(pk=mine.pk).text == "Old"


def test_bad_edits_are_refused_with_the_form(client, writer, build):
    mine = build.reply(build.op(build.thread()), text="Old", author=writer)
    response = client.post(f"/edit?id={mine.pk}", {"text": "  "})
    assert response.status_code == 400
    assert "Please write something" in response.content.decode()
    assert f'action="/edit?id={mine.pk}"' in response.content.decode()
    assert Comment.objects.get(pk=mine.pk).text == "Old"


def test_others_cannot_edit_or_delete_a_post(client, writer, build):
    theirs = build.reply(build.op(build.thread()), text="Theirs")
    for path in (f"/edit?id={theirs.pk}", f"/delete?id={theirs.pk}"):
        assert client.get(path).status_code == 403
    edit = client.post(f"/edit?id={theirs.pk}", {"text": "Mine now"})
    delete = client.post(f"/delete?id={theirs.pk}")
    assert (
        edit.status_code == 403 and "Only its author can edit this post." in edit.content.decode()
    )
    assert delete.status_code == 403
    theirs.refresh_from_db()
    assert theirs.text == "Theirs" and theirs.state == Comment.State.VISIBLE


def test_a_deleted_post_with_replies_stays_as_a_placeholder(client, writer, build):
    op = build.op(build.thread())
    mine = build.reply(op, text="Regrettable", author=writer)
    answer = build.reply(mine, text="Indeed")
    response = client.post(f"/delete?id={mine.pk}")
    assert response["Location"] == f"/item?id={op.pk}#{mine.pk}"
    html = client.get(f"/item?id={op.pk}").content.decode()
    assert "Regrettable" not in html
    assert "<p>[deleted]</p>" in article(html, mine.pk)
    assert "Indeed" in article(html, answer.pk)
    assert client.get(f"/source?id={mine.pk}").content.decode() == "[deleted]"


def test_a_deleted_post_without_replies_disappears(client, writer, build):
    op = build.op(build.thread())
    mine = build.reply(op, text="Oops", author=writer)
    response = client.post(f"/delete?id={mine.pk}")
    assert response["Location"] == f"/item?id={op.pk}"
    html = client.get(f"/item?id={op.pk}").content.decode()
    assert "Oops" not in html and f'id="{mine.pk}"' not in html
    assert "0 comments" in html


def test_a_deleted_post_whose_replies_were_all_deleted_disappears_with_them(client, build):
    op = build.op(build.thread())
    asker, answerer = UserFactory(), UserFactory()
    question = build.reply(op, text="A question", author=asker)
    answer = build.reply(question, text="An answer", author=answerer)
    kept = build.reply(op, text="Still here")
    comment_delete(comment_id=question.pk, user=asker)
    html = client.get(f"/item?id={op.pk}").content.decode()
    assert f'id="{question.pk}"' in html and "[deleted]" in html  # its answer needs its place
    comment_delete(comment_id=answer.pk, user=answerer)
    html = client.get(f"/item?id={op.pk}").content.decode()
    assert f'id="{question.pk}"' not in html and "[deleted]" not in html
    assert re.search(rf' 1\. <a class="name" href="item\?id={kept.pk}"', html)


def test_deleting_an_opening_post_without_replies_takes_the_thread_away(client, writer, build):
    thread = build.thread(title="Never mind", author=writer)
    response = client.post(f"/delete?id={op_of(thread).pk}")
    assert response["Location"] == "/"
    assert "Never mind" not in client.get("/").content.decode()
    assert client.get(f"/item?id={op_of(thread).pk}").status_code == 410


def test_a_reply_sent_after_its_thread_was_deleted_by_its_author_says_so(client, writer, build):
    op = op_of(build.thread(title="Never mind", author=writer))
    comment_delete(comment_id=op.pk, user=writer)
    client.force_login(UserFactory())
    refused = client.post(f"/reply?id={op.pk}", {"parent": op.pk, "text": "My careful reply."})
    html = refused.content.decode()
    assert refused.status_code == 410
    assert "This thread was deleted by its author." in html and "moderator" not in html
    assert "My careful reply.</textarea>" in html
    assert Comment.objects.count() == 1


# The whole flow through gunicorn


@pytest.mark.slow
def test_sign_up_submit_reply_edit_delete_through_gunicorn(gunicorn):
    server = gunicorn(workers=2)
    alice = Visitor(server.url)
    alice.get("/signup")
    signed_up = alice.post(
        "/signup", {"username": "alice", "password": "a long unusual passphrase", "next": "/"}
    )
    assert signed_up.status == 302, signed_up.text
    assert 'href="/user?id=alice">alice</a>' in alice.get("/").text

    alice.get("/submit")
    submitted = alice.post(
        "/submit", {"title": "Over the wire", "url": "", "text": "Opening *words*."}
    )
    assert submitted.status == 302
    thread_page = alice.get(submitted.location)
    assert "Opening <i>words</i>." in thread_page.text
    assert "Over the wire" in alice.get("/newest").text

    op_id = submitted.location.split("=")[1]
    replied = alice.post("/reply", {"parent": op_id, "text": "First reply."})
    assert replied.status == 302
    assert replied.location.startswith(f"/item?id={op_id}#")
    reply_id = replied.location.split("#")[1]
    assert f'id="{reply_id}"' in alice.get(f"/item?id={op_id}").text

    alice.get(f"/edit?id={reply_id}")
    edited = alice.post(f"/edit?id={reply_id}", {"text": "First reply, edited."})
    assert edited.status == 302
    page = alice.get(f"/item?id={op_id}").text
    assert "First reply, edited." in page and "(edited)" in page

    bob = Visitor(server.url)
    bob.get("/signup")
    bob.post("/signup", {"username": "bob", "password": "another long passphrase"})
    bob.get(f"/item?id={reply_id}")
    refused = bob.post(f"/delete?id={reply_id}", {})
    assert refused.status == 403 and "Only its author can delete this post." in refused.text

    alice.get(f"/delete?id={reply_id}")
    deleted = alice.post(f"/delete?id={reply_id}", {})
    assert deleted.status == 302
    page = alice.get(f"/item?id={op_id}").text
    assert "First reply" not in page and f'id="{reply_id}"' not in page

    alice.get("/")
    assert alice.post("/logout", {}).status == 302
    assert 'href="/login' in alice.get("/").text


def test_a_deleted_opening_post_with_replies_leaves_no_trace_of_its_text(client, writer, build):
    thread = build.thread(title="Kept", text="Secret opening words", author=writer)
    op = op_of(thread)
    build.reply(op, text="An answer")
    client.post(f"/delete?id={op.pk}")
    for path in (f"/item?id={op.pk}", f"/item?id={op.pk}&format=txt", f"/source?id={op.pk}"):
        page = client.get(path).content.decode()
        assert "Secret opening words" not in page and "[deleted]" in page, path
    assert "An answer" in client.get(f"/item?id={op.pk}").content.decode()


def test_a_post_deleted_by_its_author_accepts_no_replies(client, writer, build):
    op = build.op(build.thread())
    gone = build.reply(op)
    build.reply(gone)
    Comment.objects.filter(pk=gone.pk).update(state=Comment.State.DELETED)
    message = "That post was deleted by its author: it accepts no replies."
    _reply_refused(client, {"parent": gone.pk, "text": "Hello?"}, 403, message)


def test_an_edited_opening_post_says_edited(client, writer, build):
    thread = build.thread(title="Link", url="https://example.com/", text="", author=writer)
    op = op_of(thread)
    assert client.post(f"/edit?id={op.pk}", {"text": ""}).status_code == 302
    client.post(f"/edit?id={op.pk}", {"text": "Some context."})
    html = client.get(f"/item?id={op.pk}").content.decode()
    assert "<p>Some context.</p>" in html and '<span class="edited">(edited)</span>' in html


def test_edit_and_delete_links_show_for_the_author_only_and_edit_for_two_hours(
    client, writer, build
):
    op = build.op(build.thread())
    mine = build.reply(op, author=writer)
    theirs = build.reply(op)
    page = client.get(f"/item?id={mine.pk}").content.decode()
    assert f'href="/edit?id={mine.pk}"' in page and f'href="/delete?id={mine.pk}"' in page
    page = client.get(f"/item?id={theirs.pk}").content.decode()
    assert 'href="/edit?id=' not in page and 'href="/delete?id=' not in page
    Comment.objects.filter(pk=mine.pk).update(created_at=timezone.now() - timedelta(hours=3))
    page = client.get(f"/item?id={mine.pk}").content.decode()
    assert 'href="/edit?id=' not in page and f'href="/delete?id={mine.pk}"' in page


# A form posted twice (Back, reload, a retry after an error) writes once


def form_key_in(html: str) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', html)
    assert match, "the form carries no one-time key"
    return match.group(1)


def test_a_reply_posted_twice_with_its_key_is_one_post_and_both_land_on_it(client, writer, build):
    op = build.op(build.thread())
    key = form_key_in(client.get(f"/item?id={op.pk}").content.decode())
    version = Thread.objects.get().version
    form = {"parent": op.pk, "text": "Said once.", "form_key": key}
    first = client.post(f"/reply?id={op.pk}", form)
    again = client.post(f"/reply?id={op.pk}", form)
    reply = Comment.objects.get(author=writer)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == f"/item?id={op.pk}#{reply.pk}"
    assert Thread.objects.get().version == version + 1  # the repeat changed no page
    # A new form has a new key, and makes a new post.
    other = form_key_in(client.get(f"/item?id={op.pk}").content.decode())
    assert other != key
    client.post(f"/reply?id={op.pk}", {**form, "text": "Said twice.", "form_key": other})
    assert Comment.objects.filter(author=writer).count() == 2


def test_the_same_reply_from_a_form_shown_afresh_is_one_post(client, writer, build):
    """Back in a browser shows the form again with a new key and the text put back."""
    op = build.op(build.thread())
    form = {"parent": op.pk, "text": "Only once, please."}
    first = client.post(f"/reply?id={op.pk}", {**form, "form_key": "first-showing"})
    again = client.post(f"/reply?id={op.pk}", {**form, "form_key": "second-showing"})
    assert first["Location"] == again["Location"]
    reply = Comment.objects.get(author=writer)
    # Said again later, the same words are a new post.
    later = timezone.now() - selectors.REPEAT_WINDOW - timedelta(minutes=1)
    Comment.objects.filter(pk=reply.pk).update(created_at=later)
    client.post(f"/reply?id={op.pk}", {**form, "form_key": "much-later"})
    assert Comment.objects.filter(author=writer).count() == 2


def test_a_submission_posted_twice_is_one_thread(client, writer):
    key = form_key_in(client.get("/submit").content.decode())
    form = {"title": "Once only", "url": "", "text": "Hello.", "form_key": key}
    first, again = client.post("/submit", form), client.post("/submit", form)
    thread = Thread.objects.get()
    assert first["Location"] == again["Location"] == f"/item?id={op_of(thread).pk}"


def test_a_repeated_key_does_not_use_up_the_rate_limit(client, writer, build):
    op = build.op(build.thread())
    form = {"parent": op.pk, "text": "Again and again.", "form_key": "k" * 22}
    responses = [client.post("/reply", form) for _ in range(8)]  # at most 2 a minute when new
    assert {r.status_code for r in responses} == {302}
    assert Comment.objects.filter(author=writer).count() == 1
    fresh = client.post("/reply", {**form, "text": "Something new.", "form_key": "fresh"})
    assert fresh.status_code == 302 and Comment.objects.filter(author=writer).count() == 2


def test_another_users_key_is_their_own(client, writer, build):
    op = build.op(build.thread())
    theirs = build.reply(op, author=UserFactory())
    comment_reply(parent_id=op.pk, author=theirs.author, text="x", form_key="shared")
    client.post("/reply", {"parent": op.pk, "text": "Mine.", "form_key": "shared"})
    assert Comment.objects.get(author=writer).text == "Mine."


@pytest.mark.parametrize("key", ["k" * 65, "clé", "a\x00b", "with space"])
def test_a_malformed_key_is_refused_with_a_sentence(client, writer, build, key):
    op = build.op(build.thread())
    response = client.post("/reply", {"parent": op.pk, "text": "Hi.", "form_key": key})
    assert response.status_code == 400
    assert "one-time key is malformed" in response.content.decode()
    assert Comment.objects.count() == 1


def test_an_empty_key_is_no_key(client, writer, build):
    op = build.op(build.thread())
    form = {"parent": op.pk, "text": "One.", "form_key": ""}
    client.post("/reply", form), client.post("/reply", {**form, "text": "Two."})
    assert Comment.objects.filter(author=writer).count() == 2


def test_a_repeated_edit_and_delete_land_where_the_first_did(client, writer, build):
    op = build.op(build.thread())
    mine = build.reply(op, author=writer, text="Before.")
    edits = [client.post(f"/edit?id={mine.pk}", {"text": "After."}) for _ in range(2)]
    assert [r["Location"] for r in edits] == [f"/item?id={op.pk}#{mine.pk}"] * 2
    deletes = [client.post(f"/delete?id={mine.pk}") for _ in range(2)]
    assert [r["Location"] for r in deletes] == [f"/item?id={op.pk}"] * 2
    lone = build.op(build.thread(author=writer))
    deletes = [client.post(f"/delete?id={lone.pk}") for _ in range(2)]
    assert [r["Location"] for r in deletes] == ["/"] * 2


@pytest.mark.postgresql
def test_one_key_posted_twice_at_once_makes_one_post(transactional_db):
    """Both posts pass the first look for the key while the thread is locked; the unique
    constraint decides, and the second returns the first's post."""
    op = ThreadBuilder().op(ThreadBuilder().thread())
    writer = UserFactory()
    results, errors = [], []

    def post():
        try:
            results.append(
                comment_reply(parent_id=op.pk, author=writer, text="Once.", form_key="same").pk
            )
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        Thread.objects.select_for_update().get(pk=op.thread_id)  # both wait behind this
        workers = [threading.Thread(target=post) for _ in range(2)]
        for worker in workers:
            worker.start()
        time.sleep(0.5)
    for worker in workers:
        worker.join()
    assert errors == [] and len(results) == 2 and results[0] == results[1]
    assert Comment.objects.filter(author=writer).count() == 1


# Drafts kept for readers logged out are bounded


def test_anonymous_posts_from_one_address_keep_a_bounded_number_of_drafts(build):
    from django.contrib.sessions.models import Session
    from django.test import Client

    op = build.op(build.thread())
    kept = []
    for _ in range(100):
        client = Client(REMOTE_ADDR="203.0.113.7")  # a new client each time: no session
        response = client.post(f"/reply?id={op.pk}", {"parent": op.pk, "text": "x" * 60_000})
        assert response.status_code == 302 and response["Location"].startswith("/login")
        kept.append("nothing was posted" in client.get(response["Location"]).content.decode())
    assert Session.objects.count() == 5 and kept.count(True) == 5
    refused = Client(REMOTE_ADDR="203.0.113.7")
    page = refused.get(refused.post("/submit", {"title": "t", "text": "y"})["Location"])
    assert page.status_code == 200 and "could not be kept" in page.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.1").post("/submit", {"text": "z"}).status_code == 302
    assert Session.objects.count() == 6


def test_a_draft_is_cut_to_what_the_form_accepts_and_its_session_lives_an_hour(client, build):
    from django.contrib.sessions.models import Session

    op = build.op(build.thread())
    client.post(f"/reply?id={op.pk}", {"parent": op.pk, "text": "é" * 50_000})
    session = Session.objects.get()
    draft = session.get_decoded()["writing_draft"]["fields"]
    assert len(draft["text"].encode()) <= 24_000 and draft["text"] == "é" * len(draft["text"])
    lifetime = session.expire_date - timezone.now()
    assert timedelta(minutes=59) < lifetime <= timedelta(hours=1)


def test_a_log_in_ends_the_hour_a_draft_session_had(client, build):
    from django.contrib.sessions.models import Session

    op = build.op(build.thread())
    UserFactory(username="drafter")
    client.post(f"/reply?id={op.pk}", {"parent": op.pk, "text": "Kept."})
    log_in(client, "drafter", f"/reply?id={op.pk}")
    assert "Kept." in client.get(f"/reply?id={op.pk}").content.decode()
    assert Session.objects.get().expire_date - timezone.now() > timedelta(days=1)


@pytest.mark.parametrize(
    "blank", ["\u202e\u202d\u2066", "\u200b\u200b", "\x07\x08\x1b", "\ufeff", " \n\u00a0"]
)
def test_a_text_or_title_that_shows_nothing_is_refused(build, blank):
    op = build.op(build.thread())
    with pytest.raises(ForumError, match="the text is empty"):
        comment_reply(parent_id=op.pk, author=UserFactory(), text=blank)
    with pytest.raises(ForumError, match="Please give a title"):
        thread_create(author=UserFactory(), title=blank + "\u200b", text="Hello.")
    assert Comment.objects.count() == 1


# Formatting help and preview


def test_every_text_box_has_formatting_help(client, writer, build):
    op = build.op(build.thread(author=writer))
    for url in ("/submit", f"/reply?id={op.pk}", f"/edit?id={op.pk}", f"/item?id={op.pk}"):
        html = client.get(url).content.decode()
        assert "<code>*word*</code> for <i>italics</i>" in html, url
        assert "lines indented by two spaces are code" in html, url
        assert "<code>&gt;&gt;name+ref</code> links a post of this thread" in html, url


def test_preview_shows_the_rendered_text_and_keeps_the_form_posting_nothing(client, writer, build):
    op = build.op(build.thread())
    typed = {"parent": op.pk, "text": "Is *this* right?\n\n  code", "preview": "1"}
    shown = client.post(f"/reply?id={op.pk}", {**typed, "form_key": "k1"})
    html = shown.content.decode()
    assert shown.status_code == 200
    assert "Preview (not posted yet)" in html
    assert "<p>Is <i>this</i> right?</p><pre><code>code</code></pre>" in html
    assert "Is *this* right?\n\n  code</textarea>" in html
    assert 'value="k1"' in html  # the same form: posting it later makes one post
    assert Comment.objects.filter(parent=op).count() == 0
    submitted = {"title": "Kept title", "url": "", "text": "*new*", "preview": "1"}
    html = client.post("/submit", submitted).content.decode()
    assert "<p><i>new</i></p>" in html and 'value="Kept title"' in html
    assert Thread.objects.count() == 1


# Text that cannot break a document (controls and non-characters in urls and titles)


@pytest.mark.parametrize(
    ("field", "encoded", "message"),
    [
        (
            "url",
            "https%3A%2F%2Fexample.com%2Fa%00b",
            "The url contains a control character (U+0000)",
        ),
        ("url", "https%3A%2F%2Fexample.com%2Fa%01b", "The url contains a control character"),
        ("url", "https%3A%2F%2Fexample.com%2F%EF%BF%BF", "The url contains a Unicode non-char"),
        ("title", "Bad%01title", "The title contains a control character (U+0001)"),
        ("title", "Bad%EF%BF%BFtitle", "The title contains a Unicode non-character (U+FFFF)"),
        ("title", "Bad%EF%B7%90title", "The title contains a Unicode non-character (U+FDD0)"),
        ("title", "Bad%C2%85title", "The title contains a control character (U+0085)"),
    ],
)
def test_a_control_or_non_character_in_a_url_or_title_is_refused_at_submit(
    client, writer, field, encoded, message
):
    fields = {"title": "Fine", "url": "", "text": ""} | {field: "{}"}
    body = "&".join(f"{name}={value}" for name, value in fields.items()).replace("{}", encoded)
    response = client.post("/submit", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Thread.objects.count() == 0


def test_a_tab_or_newline_in_a_title_is_white_space_as_before(client, writer):
    client.post("/submit", {"title": "Two\twords\nhere", "url": "", "text": ""})
    assert Thread.objects.get().title == "Two words here"


# Editing in place (static/inplace.js): the same /edit answers JSON

JSON = {"accept": "application/json"}


def test_edit_answers_scripts_in_json_and_refuses_as_the_page_does(client, writer, build):
    op = build.op(build.thread())
    target = build.reply(op, text="Named here.")
    mine = build.reply(op, text="Before.", author=writer)
    asked = client.get(f"/edit?id={mine.pk}", headers=JSON).json()
    assert asked["text"] == "Before." and asked["left"].startswith("1 hour 59 minutes left")
    saved = client.post(
        f"/edit?id={mine.pk}", {"text": f"*After* >>{target.name}"}, headers=JSON
    ).json()
    assert saved["html"].startswith('<p><i>After</i> <a class="ref"')
    assert Comment.objects.get(pk=mine.pk).text == f"*After* >>{target.name}"
    empty = client.post(f"/edit?id={mine.pk}", {"text": "  "}, headers=JSON)
    assert empty.status_code == 400 and empty.json()["error"]
    others = client.post(f"/edit?id={target.pk}", {"text": "Mine now."}, headers=JSON)
    assert others.status_code == 403 and "error" in others.json()
    Comment.objects.filter(pk=mine.pk).update(created_at=timezone.now() - timedelta(hours=3))
    late = client.get(f"/edit?id={mine.pk}", headers=JSON)
    assert late.status_code == 403 and "2 hours" in late.json()["error"]
    assert Comment.objects.get(pk=target.pk).text == "Named here."


# Text that cannot reach a terminal raw (controls and non-characters in a post's text)

HOSTILE_TEXT = "a\uffff\u202e b \x1b[31m"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HOSTILE_TEXT, "The text contains a Unicode non-character (U+FFFF)"),
        ("red \x1b[31m here", "The text contains a control character (U+001B)"),
        ("bell \x07 here", "The text contains a control character (U+0007)"),
        ("del \x7f here", "The text contains a control character (U+007F)"),
        ("c1 \x9b31m here", "The text contains a control character (U+009B)"),
        ("non \ufdd0 here", "The text contains a Unicode non-character (U+FDD0)"),
    ],
)
def test_a_control_or_non_character_in_text_is_refused_at_reply_edit_and_submit(
    client, writer, build, text, message
):
    op = build.op(build.thread())
    _reply_refused(client, {"parent": op.pk, "text": text}, 400, message)
    mine = build.reply(op, text="As typed.", author=writer)
    edited = client.post(f"/edit?id={mine.pk}", {"text": text})
    assert edited.status_code == 400
    assert message in edited.content.decode()
    mine.refresh_from_db()
    assert mine.text == "As typed."
    submitted = client.post("/submit", {"title": "Fine", "url": "", "text": text})
    assert submitted.status_code == 400
    assert message in submitted.content.decode()
    assert Thread.objects.count() == 1


def test_right_to_left_formatting_tabs_and_line_ends_stay_allowed_in_text(client, writer, build):
    op = build.op(build.thread())
    text = "שלום \u202bעולם\u202c \u200fמימין\u200e \u202eevil\u202c\tcode\r\nnext \u2066x\u2069"
    client.post("/reply", {"parent": op.pk, "text": text})
    assert Comment.objects.get(author=writer).text == text.replace("\r\n", "\n")
