"""In Chromium, against gunicorn: what people do, clicking and typing as they would."""

import importlib
import re

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browsing import article, log_in, post, reach, seed_thread_url
from tests.factories import UserFactory
from threads.models import Ban, Comment, Flag, Thread
from threads.services.posting import comment_reply
from threads.text import zlacker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unguessable pass phrase"


@pytest.fixture(autouse=True)
def seeded(transactional_db):
    call_command("seed")


def user_with_password(**fields):
    """A user the server can check the password of (few hash rounds: the test stays fast)."""
    user = UserFactory(**fields)
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "saltsaltsalt", iterations=1000)
    user.save(update_fields=["password"])
    return user


def moderator():
    migration = importlib.import_module("threads.migrations.0003_moderators_group")
    # The test database is emptied between tests; the group its migration made goes too.
    group, _ = Group.objects.get_or_create(name="Moderators")
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="threads",
            codename__in=migration.MODERATOR_PERMISSIONS["threads"],
        )
    )
    user = user_with_password(username="themod", is_staff=True)
    user.groups.add(group)
    return user


def reply_in_form(page, text: str, button: str) -> None:
    page.get_by_label("Text").fill(text)
    page.get_by_role("button", name=button, exact=True).click()


def test_a_visitor_signs_up_and_submits_a_thread(page):
    page.goto(page.base + "/")
    page.get_by_role("link", name="login").click()
    page.get_by_role("link", name="Create one.").click()
    page.get_by_label("Username").fill("newcomer")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="create account").click()
    expect(page.locator("header.site")).to_contain_text("newcomer")

    page.get_by_role("navigation", name="Site").get_by_role("link", name="submit").click()
    page.get_by_label("Title").fill("Gardens on rooftops")
    page.get_by_label("Text").fill("Who has *tried* one?")
    page.get_by_role("button", name="submit").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Gardens on rooftops")
    expect(page.locator(".op .meta")).to_contain_text("submitted by newcom+(OP)")
    expect(page.locator(".op .text i")).to_have_text("tried")
    assert Thread.objects.get(title="Gardens on rooftops").author.username == "newcomer"


def test_replies_to_the_thread_and_to_a_comment_are_numbered_named_and_linked(page):
    writer = UserFactory(username="wanderer")
    log_in(page, writer)
    # Tree order, where a reply to the opening post has no glyph (time order draws ◧).
    page.goto(seed_thread_url(page) + "&order=tree")
    count_before = page.locator("article.post").count()
    reply_in_form(page, "A first word from me.", "add comment")

    mine = Comment.objects.get(author=writer)
    first = article(page, mine)
    expect(first).to_contain_text("A first word from me.")
    name = zlacker.post_name("wanderer", mine.ref)
    expect(first).to_contain_text(f"{count_before + 1}. {name}")
    expect(first).not_to_have_attribute("data-g", re.compile("."))
    op = Comment.objects.get(level=0)
    expect(first.locator("a.ref.parent")).to_have_text(
        f">>{zlacker.post_name(op.author.username, 0)}"
    )

    target = post("D3")
    page.goto(f"{page.base}/item?id={target.pk}")
    reply_in_form(page, "And an answer to you.", "reply")
    answer = Comment.objects.get(author=writer, parent=target)
    shown = article(page, answer)
    expect(shown).to_contain_text("And an answer to you.")
    expect(shown.locator(":scope > a.name")).to_have_text(zlacker.post_name("wanderer", answer.ref))
    expect(shown).to_have_attribute("data-g", zlacker.glyphs(target.level + 1))
    parent_link = shown.locator("a.ref.parent")
    expect(parent_link).to_have_text(f">>{zlacker.post_name(target.author.username, target.ref)}")
    parent_link.click()
    expect(page).to_have_url(re.compile(f"#{target.pk}$"))
    expect(article(page, target).locator(".replies")).to_contain_text(
        f">>{zlacker.post_name('wanderer', answer.ref)}"
    )


def test_a_reply_posted_again_after_going_back_is_one_post(page):
    writer = UserFactory()
    log_in(page, writer)
    page.goto(seed_thread_url(page))
    reply_in_form(page, "Only once, please.", "add comment")
    mine = Comment.objects.get(author=writer)
    expect(article(page, mine)).to_contain_text("Only once, please.")
    page.go_back()
    text = page.get_by_label("Text")
    if not text.input_value():  # not every browser puts the text back; the key comes with it
        text.fill("Only once, please.")
    page.get_by_role("button", name="add comment", exact=True).click()
    expect(article(page, mine)).to_contain_text("Only once, please.")
    assert Comment.objects.filter(author=writer).count() == 1


def test_an_author_edits_then_deletes_their_post(page):
    writer = UserFactory()
    mine = comment_reply(parent_id=post("D3").pk, author=writer, text="Frist.")
    log_in(page, writer)
    page.goto(f"{page.base}/item?id={mine.pk}")
    # Its own page offers edit and delete once, in the post's bar.
    expect(page.get_by_role("link", name="edit", exact=True)).to_have_count(1)
    expect(page.get_by_role("link", name="delete", exact=True)).to_have_count(1)
    page.get_by_role("navigation", name="Post").get_by_role("link", name="edit").click()
    # Edited in place: the post's own form, not the reply box under it.
    article(page, mine).get_by_label("Text").fill("First, I meant.")
    page.get_by_role("button", name="update").click()
    shown = article(page, mine)
    expect(shown.locator(":scope > p")).to_have_text("First, I meant.")
    expect(shown.locator(".edited")).to_have_text("(edited)")

    page.goto(f"{page.base}/item?id={mine.pk}")
    page.get_by_role("navigation", name="Post").get_by_role("link", name="delete").click()
    page.get_by_role("button", name="yes, delete").click()
    expect(page.locator("main")).not_to_contain_text("First, I meant.")
    expect(article(page, mine)).to_have_count(0)


def test_a_reader_flags_a_post(page):
    reader = UserFactory()
    target = post("D3")
    log_in(page, reader)
    page.goto(seed_thread_url(page))
    reach(page, target).get_by_role("link", name="flag").click()
    page.get_by_label("spam").check()
    page.get_by_role("button", name="flag").click()
    expect(page).to_have_url(re.compile(rf"/item\?id={target.pk}$"))
    assert Flag.objects.get(user=reader).reason == "spam"


def test_a_moderator_removes_a_post_in_the_admin_and_readers_see_the_placeholder(
    page, browser_context
):
    target = post("D3")
    mod = moderator()
    page.goto(page.base + "/admin/login/")
    page.get_by_label("Username").fill(mod.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="login").click()
    expect(page.locator("header.site")).to_contain_text("themod")
    page.goto(page.base + "/admin/threads/comment/")
    page.locator(f'input[name="_selected_action"][value="{target.pk}"]').check()
    page.locator('select[name="action"]').select_option(label="Remove (placeholder stays)")
    page.get_by_role("button", name="Run").click()
    page.get_by_label("Reason").fill("Personal attack")
    page.locator('input[type="submit"]').click()
    expect(page.locator(".messagelist")).to_be_visible()

    reader = browser_context()
    reader.goto(seed_thread_url(page))
    shown = article(reader, target)
    expect(shown.locator(":scope > p")).to_have_text("[removed by moderator]")
    expect(shown).not_to_contain_text("Stable Diffusion contains unauthorized copies")


def test_staff_follow_a_posts_moderate_link_to_its_admin_page(page, browser_context):
    target = post("D3")
    log_in(page, moderator())
    page.goto(seed_thread_url(page))
    reach(page, target).get_by_role("link", name="moderate").click()
    expect(page).to_have_url(re.compile(rf"/admin/threads/comment/{target.pk}/change/$"))
    reader = browser_context()
    reader.goto(seed_thread_url(page))
    expect(reach(reader, target).locator(".acts a.fave")).to_have_count(1)
    expect(reader.locator("article.post a.moderate")).to_have_count(0)


def test_a_banned_user_is_refused_with_the_reason(page):
    banned = UserFactory()
    Ban.objects.create(user=banned, moderator=UserFactory(), reason="Trolling the thread")
    log_in(page, banned)
    page.goto(seed_thread_url(page))
    # The page offers no form the ban would refuse: it says why in its place.
    notice = page.locator(".reply-form")
    expect(notice).to_contain_text("You are banned from posting for good.")
    expect(notice).to_contain_text("Reason: Trolling the thread")
    expect(notice.get_by_label("Text")).to_have_count(0)
    assert not Comment.objects.filter(author=banned).exists()


def test_a_logged_out_reply_goes_through_the_login_and_back(page):
    user = user_with_password(username="returner")
    target = post("D3")
    page.goto(f"{page.base}/item?id={target.pk}")
    page.locator(".reply-form").get_by_role("link", name="[reply]").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))
    page.get_by_label("Username").fill("returner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="login").click()
    expect(page).to_have_url(re.compile(rf"/reply\?id={target.pk}$"))
    reply_in_form(page, "Back and replying.", "reply")
    answer = Comment.objects.get(author=user)
    assert answer.parent_id == target.pk
    expect(article(page, answer)).to_contain_text("Back and replying.")


def test_own_posts_offer_edit_and_delete_on_the_thread_page(page):
    writer = user_with_password(username="editor")
    target = post("D3")
    mine = comment_reply(parent_id=target.pk, author=writer, text="Frist words.")
    log_in(page, writer)
    page.goto(seed_thread_url(page))
    expect(reach(page, target).locator(":scope > .acts")).not_to_contain_text("[edit]")
    head = reach(page, mine).locator(":scope > .acts")
    expect(head.get_by_role("link", name="delete", exact=True)).to_be_visible()
    head.get_by_role("link", name="edit", exact=True).click()
    article(page, mine).get_by_label("Text").fill("First words.")
    page.get_by_role("button", name="update").click()
    expect(article(page, mine).locator(":scope > p")).to_have_text("First words.")
    expect(article(page, mine).locator(":scope > .edited")).to_have_text("(edited)")


def test_logging_in_from_an_upvote_asks_to_confirm_it_and_lands_on_the_post(page):
    user_with_password(username="voter")
    target = post("D3")
    page.goto(seed_thread_url(page))
    article(page, target).get_by_role("link", name="vote up").click()
    expect(page.locator("main")).to_contain_text("Log in to vote.")
    page.get_by_label("Username").fill("voter")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="login").click()
    page.get_by_role("button", name=re.compile("^vote up")).click()
    expect(page).to_have_url(re.compile(f"#{target.pk}$"))
    expect(reach(page, target).locator(".votes")).to_contain_text("unvote")


def test_a_preview_shows_the_text_rendered_and_posting_it_then_makes_one_post(page):
    writer = user_with_password(username="previewer")
    log_in(page, writer)
    page.goto(seed_thread_url(page))
    page.get_by_label("Text").fill("Is *this* how it looks?")
    page.get_by_role("button", name="preview", exact=True).click()
    expect(page.locator(".preview i")).to_have_text("this")
    expect(page.get_by_label("Text")).to_have_value("Is *this* how it looks?")
    assert not Comment.objects.filter(author=writer).exists()
    page.get_by_role("button", name="reply", exact=True).click()
    mine = Comment.objects.get(author=writer)
    expect(article(page, mine).locator(":scope > p i")).to_have_text("this")


def moderate_post(page, target, action: str, reason: str, **fields) -> None:
    """Fills an action's form on the post's moderation page with its reason and sends it."""
    form = page.locator(f"form#do-{action}")
    form.get_by_label("Reason").fill(reason)
    for label, value in fields.items():
        field = form.get_by_label(label)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.locator('input[type="submit"]').click()


def test_a_moderator_acts_on_a_post_from_its_moderate_link_with_reasons_on_the_modlog(page):
    chain = list(Comment.objects.filter(tree_id=post("D3").tree_id).order_by("lft"))
    target, new_parent = chain[-1], chain[-3]
    log_in(page, moderator())
    page.goto(seed_thread_url(page))
    reach(page, target).get_by_role("link", name="moderate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Moderate {target.name}")
    expect(page.locator("#content-main")).not_to_contain_text("Tree id")

    moderate_post(page, target, "remove", "Personal attack")
    expect(page.locator(".messagelist")).to_contain_text(f"Removed {target.name}.")
    expect(page.locator("table.subject")).to_contain_text("removed by a moderator")
    moderate_post(page, target, "restore", "Apology received")
    expect(page.locator(".messagelist")).to_contain_text(f"Restored {target.name}.")
    moderate_post(
        page, target, "move", "Answers the earlier point", **{"The post to attach": new_parent.name}
    )
    expect(page.locator("form#do-move .confirmation")).to_contain_text(
        f"Move {target.name} under {new_parent.name} (id {new_parent.pk})"
    )
    page.locator("form#do-move").get_by_role("button", name="Yes: Move under another post").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Moved {target.name}.")
    moderate_post(page, target, "ban", "Repeated attacks", Duration="one week")
    expect(page.locator(".messagelist")).to_contain_text(f"Banned the author of {target.name}.")
    expect(page.locator("table.subject")).to_contain_text("banned until")

    assert Comment.objects.get(pk=target.pk).parent_id == new_parent.pk
    assert Ban.objects.get(user=target.author).expires_at is not None
    page.get_by_role("link", name="View site").click()
    page.get_by_role("link", name="moderation log").click()
    log = page.locator("main")
    for reason in ("Personal attack", "Apology received", "Answers the earlier point"):
        expect(log).to_contain_text(reason)
    expect(log).to_contain_text("Repeated attacks")


@pytest.mark.parametrize("javascript", [True, False])
def test_a_banned_member_is_shown_no_arrow_and_no_reply_link(
    browser_context, forum_server, javascript
):
    banned = UserFactory()
    Ban.objects.create(user=banned, moderator=UserFactory(), reason="Cooling off")
    page = browser_context(javascript=javascript)
    page.base = forum_server
    log_in(page, banned)
    page.goto(seed_thread_url(page))
    target = post("D3")
    if javascript:
        reach(page, target)
    expect(page.locator("a.vote:visible")).to_have_count(0)
    expect(page.locator("a.reply:visible")).to_have_count(0)
    page.goto(f"{page.base}/item?id={target.pk}")
    expect(page.locator("a.vote:visible")).to_have_count(0)
    expect(page.get_by_role("link", name="reply", exact=True)).to_have_count(0)
