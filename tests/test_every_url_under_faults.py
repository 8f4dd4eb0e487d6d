"""Every URL pattern, anonymous and logged in, with the page cache down, the limits store down,
and each of them hanging: no answer is a 500, none waits more than a second beyond the cache's
own timeout, and every read answers as it does with both caches up (writes may answer 503)."""

import contextlib
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLResolver, get_resolver

from tests.factories import UserFactory
from tests.faulty_caches import SLOWEST, RedisServer, hung_redis, redis_cache
from threads.models import Ban, Comment, ModerationAction
from threads.services.bans import user_ban

FAULTS = [
    ("default", "down"),
    ("limits", "down"),
    ("default", "hangs"),
    ("limits", "hangs"),
]


def patterns(resolver=None, prefix: str = ""):
    """Every URL pattern the site answers, as its route string."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from patterns(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def concrete_urls(op, reply, member, other) -> dict[str, list[str]]:
    """A URL with valid parameters for each pattern (more than one where the page differs)."""
    name = member.username
    thread_paths = ["item", "discussion", "source", "links", "reply", "flag", "fave", "hide"]
    urls = {path: [f"/{path}?id={op.pk}", f"/{path}?id={reply.pk}"] for path in thread_paths}
    urls |= {path: [f"/{path}?id={reply.pk}"] for path in ("edit", "delete", "unflag")}
    urls |= {path: [f"/{path}?id={name}"] for path in ("user", "threads", "submitted")}
    urls |= {
        "": ["/", "/?p=2", "/?format=txt"],
        "newest": ["/newest", "/newest?format=txt"],
        "best": ["/best"],
        "newcomments": ["/newcomments"],
        "from": ["/from?site=example.com"],
        "favorites": [f"/favorites?id={name}", f"/favorites?id={name}&comments=t"],
        "hidden": ["/hidden"],
        "submit": ["/submit"],
        "modlog": ["/modlog"],
        "vote": [f"/vote?id={op.pk}&how=up"],
        "replies": ["/replies"],
        "healthz": ["/healthz"],
        "search": ["/search?q=reply", "/search?q=reply&format=txt"],
        "v0/item/<str:item_id>.json": [f"/v0/item/{op.pk}.json", f"/v0/item/{reply.pk}.json"],
        "v0/user/<str:username>.json": [f"/v0/user/{name}.json"],
        "api/v1/search": ["/api/v1/search?query=reply"],
        "api/v1/search_by_date": ["/api/v1/search_by_date?query=reply"],
        "api/v1/items/<str:item_id>": [f"/api/v1/items/{op.pk}"],
        "api/v1/users/<str:username>": [f"/api/v1/users/{name}"],
        "signup": ["/signup"],
        "login": ["/login"],
        "logout": ["/logout"],
        "email/confirm": ["/email/confirm?token=not-a-token"],
        "password/change": ["/password/change"],
        "password/change/done": ["/password/change/done"],
        "password/reset": ["/password/reset"],
        "password/reset/sent": ["/password/reset/sent"],
        "password/reset/<uidb64>/<token>": ["/password/reset/MQ/set-password"],
        "password/reset/done": ["/password/reset/done"],
    }
    for page in ("rss", "atom", "newest/rss", "newest/atom"):
        urls[page] = [f"/{page}"]
    for kind in ("rss", "atom"):
        urls[f"item/{kind}"] = [f"/item/{kind}?id={op.pk}"]
        urls[f"threads/{kind}"] = [f"/threads/{kind}?id={name}"]
        urls[f"submitted/{kind}"] = [f"/submitted/{kind}?id={name}"]
    for listed in ("max", "top", "new", "best", "ask", "show", "job"):
        path = "v0/maxitem.json" if listed == "max" else f"v0/{listed}stories.json"
        urls[path] = [f"/{path}"]
    urls["v0/updates.json"] = ["/v0/updates.json"]
    return urls | admin_urls(op, member, other)


def admin_urls(op, member, other) -> dict[str, list[str]]:
    objects = {
        "auth/group": other["group"].pk,
        "accounts/user": member.pk,
        "threads/ban": other["ban"].pk,
        "threads/thread": op.thread_id,
        "threads/comment": op.pk,
        "threads/moderationaction": other["action"].pk,
    }
    urls = {
        "admin/login/": ["/admin/login/"],
        "admin/": ["/admin/"],
        "admin/logout/": ["/admin/logout/"],
        "admin/password_change/": ["/admin/password_change/"],
        "admin/password_change/done/": ["/admin/password_change/done/"],
        "admin/autocomplete/": ["/admin/autocomplete/"],
        "admin/jsi18n/": ["/admin/jsi18n/"],
        "admin/r/<path:content_type_id>/<path:object_id>/": [
            f"/admin/r/{ContentType.objects.get_for_model(Comment).pk}/{op.pk}/"
        ],
        "admin/accounts/user/<id>/password/": [f"/admin/accounts/user/{member.pk}/password/"],
        "admin/threads/flaggedcomment/": ["/admin/threads/flaggedcomment/"],
        "admin/^(?P<app_label>auth|accounts|threads)/$": ["/admin/threads/"],
        "admin/(?P<url>.*)$": ["/admin/nothing-here/"],
    }
    for model, pk in objects.items():
        urls[f"admin/{model}/"] = [f"/admin/{model}/"]
        urls[f"admin/{model}/add/"] = [f"/admin/{model}/add/"]
        for action in ("history/", "delete/", "change/", ""):
            urls[f"admin/{model}/<path:object_id>/{action}"] = [f"/admin/{model}/{pk}/{action}"]
    return urls


# Writes, posted as the member: each answers as it does with the caches up, or 503 while the
# limits cannot be counted, never 500.
def writes(op, reply) -> list[tuple[str, dict]]:
    return [
        ("/login", {"username": "nobody", "password": "wrong password"}),
        ("/signup", {"username": "", "password": ""}),
        ("/reply", {"parent": op.pk, "text": "Written while a cache is in trouble."}),
        ("/submit", {"title": "A thread while a cache is in trouble", "url": "", "text": ""}),
        (f"/vote?id={op.pk}&how=up", {}),
        (f"/fave?id={reply.pk}", {}),
        (f"/hide?id={op.pk}", {}),
        ("/password/reset", {"email": "nobody@example.com"}),
    ]


@pytest.fixture
def site(build, moderator, admin_user):
    from django.contrib.auth.models import Group

    member = UserFactory(username="member")
    thread = build.thread(title="A thread in trouble", text="The opening post.")
    op = build.op(thread)
    reply = build.reply(op, text="A member's reply.", author=member)
    build.reply(reply, text="Another reply.")
    for n in range(31):
        build.thread(title=f"Filler {n}", text="For a second page.")
    troll = UserFactory(username="troll")
    ban = user_ban(user=troll, moderator=moderator, reason="trolling")
    other = {
        "group": Group.objects.get(name="Moderators"),
        "ban": Ban.objects.get(pk=ban.pk),
        "action": ModerationAction.objects.first(),
    }
    return op, reply, member, other


def readers(member, admin_user) -> dict[str, Client]:
    clients = {"anonymous": Client(raise_request_exception=False)}
    for who, user in (("member", member), ("staff", admin_user)):
        clients[who] = Client(raise_request_exception=False)
        clients[who].force_login(user)
    return clients


def answers(clients, urls) -> dict[tuple[str, str], int]:
    """Each reader's status for each URL, every request within SLOWEST seconds."""
    statuses = {}
    for who, client in clients.items():
        for url in urls:
            started = time.monotonic()
            response = client.get(url)
            took = time.monotonic() - started
            assert response.status_code != 500, (who, url)
            assert took < SLOWEST, (who, url, took)
            statuses[who, url] = response.status_code
    return statuses


@contextlib.contextmanager
def cache_in_trouble(settings, alias: str, trouble: str):
    if trouble == "down":
        server = RedisServer()
        server.start()
        server.stop()
        url = server.url
        hung = contextlib.nullcontext()
    else:
        hung = hung_redis()
        url = None
    with hung as hanging:
        url = url or hanging[0]
        settings.CACHES = {**settings.CACHES, alias: redis_cache(url, location=alias)}
        yield


@pytest.mark.slow  # starts redis-servers, and measures how long answers take
@pytest.mark.parametrize("alias, trouble", FAULTS)
def test_every_url_answers_while_a_cache_is_down_or_hangs(
    site, settings, admin_user, alias, trouble
):
    op, reply, member, other = site
    urls = concrete_urls(op, reply, member, other)
    assert set(patterns()) == set(urls), set(patterns()) ^ set(urls)
    every_url = [url for listed in urls.values() for url in listed]
    clients = readers(member, admin_user)
    healthy = answers(clients, every_url)
    with cache_in_trouble(settings, alias, trouble):
        troubled = answers(clients, every_url)
        for path, data in writes(op, reply):
            started = time.monotonic()
            response = clients["member"].post(path, data)
            assert response.status_code != 500, (alias, trouble, path)
            assert time.monotonic() - started < SLOWEST, (alias, trouble, path)
    changed = {
        key: (healthy[key], status)
        for key, status in troubled.items()
        if status != healthy[key] and key[1] != "/healthz"
    }
    assert changed == {}, (alias, trouble, changed)
