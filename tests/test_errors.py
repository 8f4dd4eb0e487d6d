"""Error pages: every refusal in HTML, text or JSON with its status; a bug is a logged 500;
page numbers past the end of a list are a readable 404."""

import json

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import include, path

from forum.exceptions import ForumError
from forum.limits import RateLimited
from tests.factories import UserFactory
from threads.drawing import page_posts
from threads.services.moderation import thread_lock


def _raises(exception):
    def view(request):
        raise exception

    return view


REFUSALS = {
    "not-found": (Http404("There is no such thing."), 404),
    "forbidden": (PermissionDenied("You may not look."), 403),
    "bad-request": (BadRequest("That makes no sense."), 400),
    "conflict": (ForumError("Already done.", status=409), 409),
    "too-many": (RateLimited("Too many tries. Try again in 2 minutes.", 120), 429),
}
# The site's own URLs too: every page's header links to them.
urlpatterns = [
    *(path(name, _raises(error)) for name, (error, _status) in REFUSALS.items()),
    path("", include("forum.urls")),
]


@pytest.fixture
def refusing_site(settings):
    settings.ROOT_URLCONF = __name__


@pytest.mark.parametrize("name", REFUSALS)
def test_every_refusal_is_a_page_with_its_message_and_status(client, refusing_site, name):
    error, status = REFUSALS[name]
    response = client.get(f"/{name}")
    assert response.status_code == status
    html = response.content.decode()
    assert f"<p>{error}</p>" in html and "<h1>" in html


@pytest.mark.parametrize("name", REFUSALS)
def test_every_refusal_has_a_text_form(client, refusing_site, name):
    error, status = REFUSALS[name]
    response = client.get(f"/{name}?format=txt")
    assert response.status_code == status
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"{error}\n"


@pytest.mark.parametrize("name", REFUSALS)
def test_every_refusal_is_json_when_json_is_asked_for(client, refusing_site, name):
    error, status = REFUSALS[name]
    response = client.get(f"/{name}", headers={"Accept": "application/json"})
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"error": str(error)}


def test_a_rate_limit_says_when_to_try_again(client, refusing_site):
    assert client.get("/too-many")["Retry-After"] == "120"


def test_an_address_with_no_page_is_a_readable_404(client, db):
    response = client.get("/no-such-page?format=txt")
    assert response.status_code == 404
    assert response.content.decode() == "There is nothing at this address.\n"


def test_refusals_of_real_pages_keep_their_message_in_every_form(client, build):
    op = build.op(build.thread(author=UserFactory(username="alice")))
    client.force_login(UserFactory(username="bob"))
    edit = client.get(f"/edit?id={op.pk}&format=txt")
    assert (edit.status_code, edit.content.decode()) == (
        403,
        "Only its author can edit this post.\n",
    )
    profile = client.post("/user?id=alice", headers={"Accept": "application/json"})
    assert profile.status_code == 403
    assert json.loads(profile.content) == {"error": "Only its owner can change this profile."}
    vote = client.post("/vote?id=999999999&how=up", headers={"Accept": "application/json"})
    assert vote.status_code == 404
    assert json.loads(vote.content) == {"error": "There is no post with id 999999999."}


def test_a_bug_in_a_page_is_a_logged_500_not_a_404(build, monkeypatch, caplog):
    op = build.op(build.thread(title="Broken"))
    build.reply(op)

    def broken(*args, **kwargs):
        return {}["bug"]

    monkeypatch.setattr(page_posts, "post_html", broken)
    client = Client(raise_request_exception=False)
    with caplog.at_level("ERROR", logger="django.request"):
        response = client.get(f"/item?id={op.pk}")
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.levelname == "ERROR" and record.exc_info[0] is KeyError


HUGE_PAGE = 307445734561825862
LISTS = ["/", "/newest", "/best", "/modlog", "/threads?id=alice", "/submitted?id=alice"]


def _page(url: str, number: int) -> str:
    return f"{url}{'&' if '?' in url else '?'}p={number}"


@pytest.fixture
def reader(client, db):
    client.force_login(UserFactory(username="alice"))
    return client


@pytest.mark.parametrize("url", [*LISTS, "/replies"])
def test_page_one_of_an_empty_list_is_a_normal_page(reader, url):
    assert reader.get(_page(url, 1)).status_code == 200


@pytest.mark.parametrize("url", [*LISTS, "/replies"])
@pytest.mark.parametrize("number", [2, HUGE_PAGE, 10**18 - 1])
def test_a_page_past_the_end_of_a_list_is_a_readable_404(reader, url, number):
    response = reader.get(_page(url, number) + "&format=txt")
    assert response.status_code == 404
    assert response.content.decode() == f"There is no page {number}: the list ends before it.\n"


@pytest.mark.parametrize("url", LISTS)
def test_the_last_page_of_a_list_is_found_and_the_next_is_not(reader, build, url):
    alice = UserFactory(username="alice")
    op = build.op(build.thread(author=alice))
    build.reply(op, author=alice)
    thread_lock(thread_id=op.thread_id, moderator=UserFactory(username="mod"))
    assert reader.get(_page(url, 1)).status_code == 200
    assert reader.get(_page(url, 2)).status_code == 404


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_a_method_no_page_takes_answers_405_in_words(client, build, method):
    op = build.op(build.thread())
    for address in (f"/item?id={op.pk}", f"/reply?id={op.pk}"):
        response = getattr(client, method)(address)
        assert response.status_code == 405, address
        assert "requests only" in response.content.decode()
        assert "GET" in response["Allow"]


def test_a_post_to_a_reading_page_is_405_not_an_expired_form(build):
    op = build.op(build.thread())
    client = Client(enforce_csrf_checks=True)
    for address in (f"/item?id={op.pk}", "/rss", f"/v0/item/{op.pk}.json"):
        response = client.post(address)
        assert response.status_code == 405, address
        assert response["Allow"] == "GET, HEAD"


def test_a_body_larger_than_any_form_is_413(client, build, settings):
    op = build.op(build.thread())
    body = {"parent": op.pk, "text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    response = client.post("/reply", body)
    assert response.status_code == 413
    assert "larger than any form" in response.content.decode()


NAMES_NO_ACCOUNT_CAN_HAVE = ["%00", "a%00b", "x" * 200, "%C0%80"]


@pytest.mark.parametrize("name", NAMES_NO_ACCOUNT_CAN_HAVE)
@pytest.mark.parametrize(
    "url",
    [
        "/v0/user/{}.json",
        "/api/v1/users/{}",
        "/threads/atom?id={}",
        "/threads/rss?id={}",
        "/submitted/atom?id={}",
        "/user?id={}",
        "/favorites?id={}",
    ],
)
def test_a_name_no_account_can_have_is_not_found_never_a_500(client, db, url, name):
    """PostgreSQL refuses a NUL in a query: each page asked it for such a name and answered 500."""
    UserFactory(username="someone")
    response = client.get(url.format(name))
    assert response.status_code in (200, 400, 404), response.content[:200]
    if url.startswith("/v0/"):
        assert (response.status_code, response.content) == (200, b"null")
    else:
        assert response.status_code == 404
