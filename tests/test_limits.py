"""Rate limits: comments, threads, log-ins, sign-ups and resets, also across gunicorn workers."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from forum import limits
from forum.accounts.models import User
from tests.conftest import SlowCountingHasher
from tests.factories import PASSWORD, ThreadBuilder, UserFactory
from tests.servers import redis_server
from tests.visitor import Visitor
from threads.hn import item_api
from threads.models import Comment, Flag, Thread
from threads.services.bans import user_ban, user_unban
from threads.services.moderation import comment_remove


def veteran(username="vet"):
    user = UserFactory(username=username)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - timedelta(days=2))
    user.refresh_from_db()
    return user


def reply(client, parent, n):
    return client.post("/reply", {"parent": parent.pk, "text": f"Comment {n}."})


def test_five_comments_a_minute_then_429_with_a_clear_message(client, build):
    op = build.op(build.thread())
    author = veteran()
    client.force_login(author)
    assert [reply(client, op, n).status_code for n in range(5)] == [302] * 5
    refused = reply(client, op, 6)
    html = refused.content.decode()
    assert refused.status_code == 429
    assert "Too many comments: at most 5 in a minute. Try again in 1 minute." in html
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Comment 6.</textarea>" in html
    assert Comment.objects.filter(author=author).count() == 5


def test_accounts_younger_than_a_day_get_two_comments_a_minute(client, build, user):
    op = build.op(build.thread())
    client.force_login(user)
    assert [reply(client, op, n).status_code for n in range(3)] == [302, 302, 429]
    assert Comment.objects.filter(author=user).count() == 2


def test_refused_replies_do_not_use_up_the_limit(client, build, user):
    thread = build.thread()
    op = build.op(thread)
    gone = build.reply(op)
    comment_remove(comment_id=gone.pk, moderator=UserFactory(), reason="spam")
    client.force_login(user)
    refused = [
        client.post("/reply", {"parent": gone.pk, "text": "To a removed post."}).status_code,
        client.post("/reply", {"parent": 10**9, "text": "To no post at all."}).status_code,
    ]
    assert refused == [403, 404]
    assert [reply(client, op, n).status_code for n in range(3)] == [302, 302, 429]


def test_two_threads_an_hour_one_for_new_accounts(client, db):
    client.force_login(veteran())
    statuses = [
        client.post("/submit", {"title": f"T{n}", "url": "", "text": ""}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    client.force_login(UserFactory(username="newbie"))
    first = client.post("/submit", {"title": "N1", "url": "", "text": ""})
    second = client.post("/submit", {"title": "N2", "url": "", "text": ""})
    assert first.status_code == 302 and second.status_code == 429
    assert "Too many threads: at most 1 in an hour." in second.content.decode()
    assert Thread.objects.count() == 3


def test_refused_threads_do_not_use_up_the_limit_and_keep_their_text(client, db):
    writer, moderator = veteran(), UserFactory(username="mod")
    ban = user_ban(user=writer, moderator=moderator, reason="cooling off")
    client.force_login(writer)
    refused = client.post("/submit", {"title": "Banned", "url": "", "text": "Kept text."})
    assert refused.status_code == 403 and "Kept text." in refused.content.decode()
    user_unban(ban_id=ban.pk, moderator=moderator)
    statuses = [
        client.post("/submit", {"title": f"T{n}", "url": "", "text": ""}).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_flags_are_limited_a_day_and_a_refused_or_repeated_flag_does_not_use_up_the_limit(
    client, build, settings
):
    settings.FORUM_FLAGS_PER_DAY = 3
    op = build.op(build.thread())
    posts = [build.reply(op, text=f"Post {n}.") for n in range(5)]
    flagger = veteran()
    mine = build.reply(op, author=flagger)
    client.force_login(flagger)

    def flag(post):
        return client.post(f"/flag?id={post.pk}", {"reason": "spam"})

    assert flag(mine).status_code == 403
    assert [flag(post).status_code for post in (posts[0], posts[0], posts[1], posts[2])] == [
        302
    ] * 4
    refused = flag(posts[3])
    assert refused.status_code == 429
    assert "Too many flags: at most 3 in a day. Try again in 24 hours." in refused.content.decode()
    assert Flag.objects.filter(user=flagger).count() == 3
    # Past the limit, a flag posted again (Back, reload) still lands on its post, and what
    # refuses a flag outright says so before the limit does.
    assert flag(posts[0]).status_code == 302
    own = flag(mine)
    assert own.status_code == 403 and "You cannot flag your own post." in own.content.decode()
    client.force_login(UserFactory(username="newbie"))  # under a day old: half, at least 1
    assert [flag(post).status_code for post in posts[:2]] == [302, 429]


@pytest.mark.concurrency
def test_one_flag_posted_eight_times_at_once_is_one_flag_counted_once(transactional_db, settings):
    from django.test import Client

    settings.FORUM_FLAGS_PER_DAY = 3
    build = ThreadBuilder()
    op = build.op(build.thread())
    posts = [build.reply(op, text=f"Post {n}.") for n in range(4)]
    flagger = veteran()

    def flag(post):
        client = Client()
        client.force_login(flagger)
        try:
            return client.post(f"/flag?id={post.pk}", {"reason": "spam"}).status_code
        finally:
            connections.close_all()  # each thread's own connection to the test database

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(flag, [posts[0]] * 8))
    # 409 "You have flagged this already." after the first one commits; 429 past the limit.
    assert set(statuses) <= {302, 409, 429} and 302 in statuses
    assert Flag.objects.filter(user=flagger).count() == 1
    assert [flag(post) for post in posts[1:]] == [302, 302, 429]


def test_the_writing_limits_are_settings_and_staff_are_not_held(client, build, settings):
    settings.FORUM_COMMENTS_PER_MINUTE = 8
    op = build.op(build.thread())
    client.force_login(veteran())
    assert [reply(client, op, n).status_code for n in range(9)] == [302] * 8 + [429]
    settings.FORUM_THREADS_PER_HOUR = 1
    staff = UserFactory(username="staffer", is_staff=True)
    client.force_login(staff)
    statuses = [
        client.post("/submit", {"title": f"S{n}", "url": "", "text": ""}).status_code
        for n in range(3)
    ]
    assert statuses == [302] * 3
    assert [reply(client, op, 100 + n).status_code for n in range(10)] == [302] * 10


def test_sign_ups_per_address_are_a_setting(client, db, settings):
    settings.FORUM_SIGNUPS_PER_HOUR = 1
    form = {"password": PASSWORD}
    assert client.post("/signup", {"username": "first", **form}).status_code == 302
    client.logout()
    refused = client.post("/signup", {"username": "second", **form})
    assert refused.status_code == 429
    assert "at most 1 in an hour" in refused.content.decode()


def login(client, username, password, address="10.0.0.1"):
    return client.post("/login", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_a_guesser_is_locked_out_but_the_owner_elsewhere_is_not(client, db):
    UserFactory(username="owner")
    for _ in range(5):
        assert login(client, "owner", "guess", address="6.6.6.6").status_code == 400
    locked = login(client, "owner", PASSWORD, address="6.6.6.6")
    assert locked.status_code == 429
    assert "Too many failed log-ins: at most 5 in 15 minutes. Try again in" in (
        locked.content.decode()
    )
    assert locked["Retry-After"]
    assert login(client, "owner", PASSWORD, address="192.0.2.7").status_code == 302


def test_a_locked_out_guess_is_not_told_whether_the_password_was_right(client, db):
    UserFactory(username="owner")
    for _ in range(5):
        login(client, "owner", "guess", address="6.6.6.6")
    wrong = login(client, "owner", "another guess", address="6.6.6.6").content.decode()
    right = login(client, "owner", PASSWORD, address="6.6.6.6").content.decode()
    for page in (wrong, right):
        assert "Too many failed log-ins" in page
        assert "do not match" not in page


def change_password(client, old_password):
    new = "a brand new passphrase"
    form = {"old_password": old_password, "new_password1": new, "new_password2": new}
    return client.post("/password/change", form)


def test_wrong_old_passwords_on_password_change_are_limited_per_account(client, db):
    owner = UserFactory(username="owner")
    client.force_login(owner)
    statuses = [change_password(client, f"guess {n}").status_code for n in range(5)]
    assert statuses == [400] * 5
    # Locked: the right password changes nothing, and the page says neither right nor wrong.
    locked = change_password(client, PASSWORD)
    page = locked.content.decode()
    assert locked.status_code == 429 and locked["Retry-After"]
    assert "Too many wrong old passwords: at most 5 in 15 minutes. Try again in" in page
    assert "entered incorrectly" not in page
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    # Another account, another count.
    client.force_login(UserFactory(username="other"))
    assert change_password(client, PASSWORD).status_code == 302


@pytest.mark.parametrize("path", ["/login", "/admin/login/"])
def test_the_sixth_wrong_password_shows_the_lock_out_alone(client, db, path):
    UserFactory(username="owner", is_staff=True)
    guess = {"username": "owner", "password": "guess"}
    fifth = [client.post(path, guess) for _ in range(5)][-1].content.decode()
    assert "do not match" in fifth
    sixth = client.post(path, guess)
    html = sixth.content.decode()
    assert sixth.status_code == 429
    assert html.count('class="error"') == 1 and "Too many failed log-ins" in html
    assert "do not match" not in html and "errorlist" not in html
    assert 'value="owner"' in html


def test_an_address_that_sprays_usernames_locks_itself(client, db):
    UserFactory(username="victim")
    for n in range(20):
        login(client, f"name{n}", "guess", address="6.6.6.6")
    refused = login(client, "victim", PASSWORD, address="6.6.6.6")
    assert refused.status_code == 429
    assert "Too many failed log-ins from your address" in refused.content.decode()
    assert login(client, "victim", PASSWORD, address="192.0.2.7").status_code == 302


def test_a_username_under_attack_from_everywhere_still_admits_its_known_browser(client, db):
    famous = UserFactory(username="famous")
    assert login(client, "famous", PASSWORD, address="192.0.2.7").status_code == 302
    client.post("/logout")
    # Guesses from many addresses reach the username's own threshold.
    for n in range(limits.LOGIN_FAILURES_PER_USERNAME.limit):
        key = f"user:{famous.pk}"
        limits.count(limits.LOGIN_FAILURES_PER_USERNAME, f"login-user:{key}")
        limits.count(limits.LOGIN_FAILURES_PER_PAIR, f"login:{key}:10.1.{n // 250}.{n % 250}")
    stranger = client.__class__()
    refused = login(stranger, "famous", PASSWORD, address="203.0.113.9")
    assert refused.status_code == 429
    assert "Too many failed log-ins for this account" in refused.content.decode()
    # The browser that logged in before carries a signed cookie that the lock does not apply to.
    assert login(client, "famous", PASSWORD, address="198.51.100.3").status_code == 302


def test_sign_ups_are_limited_per_address(client, db):
    statuses = []
    for n in range(4):
        client.logout()
        response = client.post(
            "/signup",
            {"username": f"fresh{n}", "password": "a long unusual passphrase"},
            REMOTE_ADDR="10.9.9.9",
        )
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429]
    assert User.objects.count() == 3
    client.logout()
    other = client.post(
        "/signup",
        {"username": "elsewhere", "password": "a long unusual passphrase"},
        REMOTE_ADDR="10.9.9.10",
    )
    assert other.status_code == 302


def test_a_sign_up_refused_for_a_taken_name_does_not_use_up_the_limit(client, db):
    UserFactory(username="taken")
    form = {"password": "a long unusual passphrase"}
    refused = client.post("/signup", {"username": "Taken", **form}, REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 400 and "is taken" in refused.content.decode()
    statuses = []
    for n in range(4):
        client.logout()
        response = client.post("/signup", {"username": f"new{n}", **form}, REMOTE_ADDR="10.9.9.9")
        statuses.append(response.status_code)
    assert statuses == [302, 302, 302, 429]


def test_password_reset_requests_are_limited_per_address(client, db):
    statuses = [
        client.post("/password/reset", {"email": "x@example.com"}).status_code for _ in range(6)
    ]
    assert statuses == [302] * 5 + [429]


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(rf, settings):
    settings.FORUM_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    assert limits.client_address(request) == "5.6.7.8"
    settings.FORUM_PROXY_COUNT = 0
    assert limits.client_address(request) == "10.0.0.1"


@pytest.mark.slow
def test_comment_limit_holds_across_two_gunicorn_workers_with_redis(gunicorn):
    """Ten replies at once to a server with two workers: Redis counts them all, so five pass.

    With the local-memory cache each worker process would keep its own count, and up to five
    per worker (ten in all) would pass: only a shared cache can hold a limit across processes.
    """
    server = gunicorn(workers=2, redis=True)
    setup = Visitor(server.url)
    setup.get("/signup")
    setup.post("/signup", {"username": "poster", "password": "a long unusual passphrase"})
    User.objects.filter(username="poster").update(date_joined=timezone.now() - timedelta(days=2))
    setup.get("/submit")
    thread = setup.post("/submit", {"title": "Busy", "url": "", "text": ""})
    op_id = thread.location.split("=")[1]
    setup.get(f"/item?id={op_id}")

    def post(n):
        return setup.post("/reply", {"parent": op_id, "text": f"Reply {n}"}).status

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(pool.map(post, range(10)))
    assert statuses == [302] * 5 + [429] * 5
    assert Comment.objects.filter(author__username="poster", level=1).count() == 5
    assert len(server.worker_pids("POST", "/reply")) == 2


def test_the_admin_log_in_counts_against_the_same_limits(client, db):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    for _ in range(5):
        client.post("/admin/login/", {"username": "root", "password": "guess"})
    refused = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert refused.status_code == 429
    assert "Too many failed log-ins" in refused.content.decode()
    elsewhere = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.44",
    )
    assert elsewhere["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:fffe", True),
        ("2001:db8:1:2::1", "2001:db8:1:3::1", False),
        ("192.0.2.1", "192.0.2.2", False),
        ("::ffff:192.0.2.1", "192.0.2.1", True),
    ],
)
def test_ipv6_clients_are_counted_per_64_and_ipv4_clients_per_address(rf, one, other, same):
    """One customer's /64 holds 2^64 addresses: counted apart, each would get its own limit."""
    first, second = (limits.client_address(rf.get("/", REMOTE_ADDR=a)) for a in (one, other))
    assert (first == second) is same


def test_sign_ups_from_one_ipv6_64_share_one_limit(client, db):
    statuses = []
    for n in range(4):
        client.logout()
        form = {"username": f"six{n}", "password": "a long unusual passphrase"}
        statuses.append(
            client.post("/signup", form, REMOTE_ADDR=f"2001:db8:7:7::{n + 1}").status_code
        )
    assert statuses == [302, 302, 302, 429]


def test_a_flood_of_addresses_fills_only_its_own_kinds_budget_and_is_refused_429(
    client, db, settings
):
    """Each kind of counter may hold so many keys: a flood of distinct addresses then meets
    429 for that kind only, and the limits store never fills up for everyone (503)."""
    settings.FORUM_LIMIT_KEYS_PER_KIND = 5
    statuses = [
        client.get("/v0/maxitem.json", REMOTE_ADDR=f"198.51.100.{n}").status_code
        for n in range(1, 8)
    ]
    assert statuses == [200] * 5 + [429] * 2
    refused = client.get("/v0/maxitem.json", REMOTE_ADDR="198.51.100.99")
    assert refused["Retry-After"]
    assert "API requests from your address" in refused.content.decode()
    # An address counted already goes on being counted, and other kinds are untouched.
    assert client.get("/v0/maxitem.json", REMOTE_ADDR="198.51.100.1").status_code == 200
    UserFactory(username="owner")
    assert login(client, "owner", PASSWORD, address="198.51.100.99").status_code == 302


def test_search_pages_are_limited_per_address_like_the_search_api(client, db):
    from threads.search.views import SEARCHES

    for _ in range(SEARCHES.limit):
        limits.count(SEARCHES, limits.counted_address("10.0.0.5"))
    refused = client.get("/search?q=anything", REMOTE_ADDR="10.0.0.5")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Too many searches from your address" in refused.content.decode()
    assert client.get("/search?q=anything", REMOTE_ADDR="10.0.0.6").status_code == 200


@pytest.mark.concurrency
def test_sixteen_wrong_passwords_at_once_check_at_most_five(transactional_db, settings):
    """Each attempt is counted before its password is checked, so concurrent guesses cannot
    all pass the limit first: five passwords are checked, the other eleven get 429."""
    from django.test import Client

    settings.PASSWORD_HASHERS = ["tests.conftest.SlowCountingHasher"]
    UserFactory(username="target")
    SlowCountingHasher.checked = 0

    def guess(n):
        try:
            return login(Client(), "target", f"guess {n}", address="203.0.113.16").status_code
        finally:
            connections.close_all()  # each thread's own connection to the test database

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = sorted(pool.map(guess, range(16)))
    assert SlowCountingHasher.checked == limits.LOGIN_FAILURES_PER_PAIR.limit
    assert statuses == [400] * 5 + [429] * 11


def test_a_log_in_that_succeeds_gives_back_what_it_reserved(client, db):
    owner = UserFactory(username="owner")
    for _ in range(4):
        assert login(client, "owner", "guess", address="6.6.6.6").status_code == 400
    for _ in range(3):
        assert login(client, "owner", PASSWORD, address="6.6.6.6").status_code == 302
        client.post("/logout")
    # Successes neither used up the pair's limit nor the address's.
    for _ in range(5):
        assert login(client, "owner", "guess", address="6.6.6.6").status_code == 400
    assert login(client, "owner", "guess", address="6.6.6.6").status_code == 429
    assert owner.pk


@pytest.mark.slow
def test_a_flood_of_addresses_cannot_fill_a_limits_redis_for_everyone(client, db, settings):
    """The fault as found: distinct addresses filled a small noeviction Redis, and from then on
    log-ins, sign-ups and posts answered 503 for everyone."""
    import redis

    from forum.environment import cache_config

    settings.FORUM_LIMIT_KEYS_PER_KIND = 500
    with redis_server() as url:
        store = redis.Redis.from_url(url)
        # Room for about 1,600 counters beyond what Redis itself takes.
        store.config_set("maxmemory", store.info("memory")["used_memory"] + 600_000)
        settings.CACHES = {
            **settings.CACHES,
            "limits": cache_config(
                url, location="limits", max_entries=0, prefix=settings.CACHE_KEY_PREFIX
            ),
        }
        refused, windows = 0, set()  # a budget per minute of the clock: the loop may cross one
        for n in range(3_000):
            windows.add(int(time.time() // item_api.API_REQUESTS.window))
            try:
                limits.hit(item_api.API_REQUESTS, f"198.{n // 65536}.{n // 256 % 256}.{n % 256}")
            except limits.RateLimited:
                refused += 1
            windows.add(int(time.time() // item_api.API_REQUESTS.window))
        assert refused == 3_000 - 500 * len(windows)
        UserFactory(username="owner")
        assert login(client, "owner", PASSWORD, address="192.0.2.200").status_code == 302
        assert client.get("/healthz").status_code == 200


@pytest.mark.concurrency
def test_sixteen_wrong_old_passwords_at_once_check_at_most_five(transactional_db, settings):
    """/password/change counted its wrong old passwords after checking them, as log-in did."""
    from django.test import Client

    settings.PASSWORD_HASHERS = ["tests.conftest.SlowCountingHasher"]
    owner = UserFactory(username="owner")
    SlowCountingHasher.checked = 0

    def guess(n):
        client = Client()
        try:
            client.force_login(owner)
            return change_password(client, f"guess {n}").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = sorted(pool.map(guess, range(16)))
    assert SlowCountingHasher.checked == limits.PASSWORD_CHANGE_FAILURES.limit
    assert statuses == [400] * 5 + [429] * 11
