"""Names: lookalikes refused at sign-up and in the admin, one log-in limit key per account."""

import pytest
from django.core.management import CommandError, call_command

from forum.accounts.models import User
from forum.accounts.names import skeleton
from forum.accounts.views import KNOWN_DEVICE_COOKIE
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


def signup(client, username):
    return client.post("/signup", {"username": username, "password": "a long unusual passphrase"})


def login(client, username, password, address="10.0.0.1"):
    return client.post("/login", {"username": username, "password": password}, REMOTE_ADDR=address)


# Sign-up refuses a name that could pass for another


@pytest.mark.parametrize(
    ("existing", "lookalike"),
    [
        ("alice", "aIice"),
        ("victim", "vict1m"),
        ("mary", "rnary"),
        ("bob", "B0B"),
        ("w_x", "vv_x"),
        ("dr_dsh", "dr-dsh"),
        ("salgat", "5algat"),
        ("derang", "d3rang"),
        ("zacwes", "zacwe5"),
        ("bozo", "8o2o"),
        ("tata", "7a74"),
    ],
)
def test_a_name_that_looks_like_anothers_is_refused_with_a_clear_sentence(
    client, db, existing, lookalike
):
    UserFactory(username=existing)
    response = signup(client, lookalike)
    assert response.status_code == 400
    assert (
        f"The name {lookalike} looks too much like {existing}, who is already here; "
        "please choose another." in response.content.decode()
    )
    assert User.objects.count() == 1


def test_names_that_only_share_letters_are_fine(client, db):
    UserFactory(username="alice")
    assert signup(client, "alicia").status_code == 302
    assert User.objects.get(username="alicia").name_skeleton == "allcla"


def test_the_skeleton_sees_through_case_compatibility_forms_and_lookalike_letters():
    assert skeleton("aIice") == skeleton("ALICE") == skeleton("ａｌｉｃｅ") == skeleton("аlicе")
    assert skeleton("rnary") == skeleton("mary") and skeleton("vvendy") == skeleton("wendy")
    assert skeleton("O0o") == "ooo" and skeleton("Kate") == skeleton("kate")
    assert skeleton("d3-r4ng") == skeleton("de_rang") == "de_rang"
    assert skeleton("2345_78") == skeleton("zeas-tb") == "zeas_tb"
    # 6, 9 and the rest stay: each stand-in added refuses more names chosen in good faith.
    assert skeleton("x69") == "x69"


def added_in_the_admin(client, username: str):
    """The admin's answer when the superuser boss adds an account of this name."""
    admin = User.objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")
    client.force_login(admin)
    form = {"username": username, "password1": "a-long-pass-phrase"}
    return client.post("/admin/accounts/user/add/", form | {"password2": form["password1"]})


def test_the_admin_and_createsuperuser_apply_the_same_rule(client, db, monkeypatch):
    UserFactory(username="victim")
    answer = added_in_the_admin(client, "vict1m")
    assert answer.status_code == 200
    assert "looks too much like victim" in answer.content.decode()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-password")
    with pytest.raises(CommandError, match="looks too much like boss"):
        call_command("createsuperuser", "--no-input", username="b0ss", email="r@x.org")
    assert set(User.objects.values_list("username", flat=True)) == {"victim", "boss"}


def test_users_made_in_bulk_get_their_skeleton_too(client, db):
    User.objects.bulk_create(User(username=name, password="!") for name in ("Vict1m", "zed"))
    assert dict(User.objects.values_list("username", "name_skeleton")) == {
        "Vict1m": "vlctlm",
        "zed": "zed",
    }
    assert "looks too much like Vict1m" in signup(client, "victim").content.decode()


def test_existing_lookalikes_stay_and_can_still_be_edited(client, db):
    # Names from before the rule (or imported) may share a skeleton; the rule binds new ones.
    alice = UserFactory(username="alice")
    legacy = User.objects.create(username="aIice", password="!")
    assert legacy.name_skeleton == alice.name_skeleton
    legacy.full_clean()
    admin = User.objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")
    client.force_login(admin)
    page = client.get(f"/admin/accounts/user/{legacy.pk}/change/")
    assert page.status_code == 200


# One log-in limit key per account, whatever variant of the name is typed


def test_variants_of_a_name_share_its_lockout(client, db):
    UserFactory(username="owner")
    for variant in ("owner", "OWNER", " Owner", "ｏｗｎｅｒ", "owneｒ"):
        assert login(client, variant, "guess", address="6.6.6.6").status_code == 400
    assert login(client, "oWnEr", PASSWORD, address="6.6.6.6").status_code == 429
    assert login(client, "owner", PASSWORD, address="192.0.2.7").status_code == 302


@pytest.mark.parametrize("variant", ["ross", "roſſ", "ROSS"])
def test_long_s_names_one_account_and_one_key(client, db, variant):
    UserFactory(username="ross")
    for _ in range(5):
        login(client, "roſſ", "guess", address="6.6.6.6")
    assert login(client, variant, PASSWORD, address="6.6.6.6").status_code == 429
    assert login(client, variant, PASSWORD, address="192.0.2.7").status_code == 302


@pytest.mark.parametrize("variant", ["kate", "\u212aate", "KATE"])
def test_the_kelvin_sign_names_one_account_and_one_key(client, db, variant):
    UserFactory(username="kate")
    for _ in range(5):
        login(client, "\u212aATE", "guess", address="6.6.6.6")
    assert login(client, variant, PASSWORD, address="6.6.6.6").status_code == 429
    assert login(client, variant, PASSWORD, address="192.0.2.7").status_code == 302


def test_variants_of_a_name_with_no_account_share_one_key(client, db):
    for variant in ("Ghoſt", "GHOST", "ghoﬆ", "ｇｈｏｓｔ", "ghost "):
        login(client, variant, "guess", address="6.6.6.6")
    assert login(client, "ghost", "guess", address="6.6.6.6").status_code == 429


@pytest.mark.postgresql
@pytest.mark.parametrize(
    ("account", "variant"), [("alice", "alıce"), ("ross", "roſſ"), ("kate", "\u212aate")]
)
def test_on_postgresql_a_variant_that_logs_in_counts_as_its_account(client, db, account, variant):
    # PostgreSQL's UPPER() makes the dotless ı an I, so "alıce" logs in as alice: it must not
    # have a lockout of its own, nor answer a correct password with a 500.
    user = UserFactory(username=account)
    for _ in range(5):
        assert login(client, variant, "guess", address="6.6.6.6").status_code == 400
    assert login(client, account, PASSWORD, address="6.6.6.6").status_code == 429
    answer = login(client, variant, PASSWORD, address="192.0.2.7")
    assert answer.status_code == 302
    assert answer.cookies[KNOWN_DEVICE_COOKIE].value.split(":")[0] == str(user.pk)


def test_the_known_device_cookie_names_the_account_not_the_typed_name(client, db):
    user = UserFactory(username="owner")
    answer = login(client, "OWNER", PASSWORD)
    value = answer.cookies[KNOWN_DEVICE_COOKIE].value
    assert value.split(":")[0] == str(user.pk) and "owner" not in value.lower()
    value.encode("ascii")


@pytest.mark.parametrize(
    "name",
    [
        "a\r\nSet-Cookie: x=y",
        "\x00alice",
        "bell\x07",
        "x" * 10_000,
        "名前",
        "\u202eecila",
        "",
        " ",
        "alice\t",
        "😀" * 200,
    ],
)
def test_no_name_answers_500(client, db, name):
    UserFactory(username="alice")
    answer = login(client, name, PASSWORD)
    assert answer.status_code == (302 if name == "alice\t" else 400)
    for header, value in answer.items():
        f"{header}: {value}".encode("latin-1")
    assert login(client, "alice", PASSWORD).status_code == 302


# One name, one person: the 6 characters a post's name shows


@pytest.mark.parametrize("name", ["pgtest_x", "pgtest", "PGTEST99", "pgt3st_imposter", "pgtes7"])
def test_a_name_that_begins_like_anothers_is_refused_at_sign_up(client, db, name):
    UserFactory(username="pgtester")
    answer = signup(client, name)
    assert answer.status_code == 400
    assert (
        f"The name {name} begins like pgtester, who is already here: posts show the first 6"
        " characters of a name, so please choose one that begins differently."
    ) in answer.content.decode().replace("&#x27;", "'")
    assert User.objects.count() == 1


def test_names_that_differ_in_their_first_6_characters_are_fine(client, db):
    UserFactory(username="pgtester")
    assert signup(client, "pgtes").status_code == 302
    client.post("/logout")
    assert signup(client, "pg_test").status_code == 302


def test_the_admin_refuses_a_name_that_begins_like_anothers(client, db):
    UserFactory(username="pgtester")
    answer = added_in_the_admin(client, "pgtest_x")
    assert answer.status_code == 200
    assert "begins like pgtester, who is already here" in answer.content.decode()
    assert not User.objects.filter(username="pgtest_x").exists()


@pytest.fixture
def namesakes(build):
    """Two accounts whose posts share a 6-letter name (made before the rule, or imported)."""
    tester, imposter = UserFactory(username="pgtester"), UserFactory(username="pgtest_x")
    thread = build.thread(title="Namesakes", author=tester)
    op = build.op(thread)
    first = build.reply(op, text="The real one speaks.", author=tester)
    second = build.reply(op, text="The imposter speaks.", author=imposter)
    return op, first, second


@pytest.mark.django_db
def test_outside_its_thread_a_post_shows_its_authors_full_name(client, namesakes):
    op, first, second = namesakes
    assert first.name.split("+")[0] == second.name.split("+")[0] == "pgtest"
    pages = ["/newcomments", "/threads?id=pgtest_x", "/search?q=speaks"]
    for path in pages:
        html = client.get(path).content.decode()
        assert (
            f'>{second.name}</a> by <a class="author" href="/user?id=pgtest_x">pgtest_x</a>' in html
        ), path
        text = client.get(path + "&format=txt" if "?" in path else path + "?format=txt")
        assert f"{second.name} by pgtest_x " in text.content.decode(), path
    client.force_login(namesakes[1].author)
    html = client.get("/replies").content.decode()
    assert f'>{second.name}</a> by <a class="author" href="/user?id=pgtest_x">pgtest_x</a>' in html
    for path in (f"/item/rss?id={op.pk}", "/threads/atom?id=pgtest_x"):
        feed = client.get(path).content.decode()
        assert f"{second.name} by pgtest_x on Namesakes" in feed, path


@pytest.mark.django_db
def test_inside_its_thread_a_post_keeps_zlackers_bytes(client, namesakes):
    op, first, second = namesakes
    text = client.get(f"/item?id={op.pk}&format=txt").content.decode()
    assert f"\n2. {second.name}[view] [source] " in text and "pgtest_x" not in text


# The name deleted items are imported under belongs to no member


@pytest.mark.parametrize("name", ["deleted", "Deleted", "DELETED", "de1eted", "deleter"])
def test_no_member_may_take_the_name_of_deleted_authors(client, db, name):
    response = signup(client, name)
    assert response.status_code == 400
    assert "is kept for the authors of deleted items" in response.content.decode()
    assert not User.objects.exists()


def test_the_admin_refuses_the_name_of_deleted_authors(client, db):
    admin = User.objects.create_superuser("boss", "boss@example.org", "a-long-admin-password")
    client.force_login(admin)
    form = {"password1": "a-long-pass-phrase", "password2": "a-long-pass-phrase"}
    answer = client.post("/admin/accounts/user/add/", form | {"username": "deleted"})
    assert answer.status_code == 200
    assert "The name deleted is kept for the authors of deleted items" in answer.content.decode()
    assert not User.objects.filter(username="deleted").exists()
