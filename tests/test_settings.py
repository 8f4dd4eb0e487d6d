"""Configuration from the environment: safe defaults, and a production mode that fails fast."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "FORUM_ENV": "production",
    "ALLOWED_HOSTS": "forum.example.org",
    "SECRET_KEY": "k" * 20 + "-a-real-secret-of-enough-length-" + "z" * 20,
}


# Read by the settings: the test's own values only, never the caller's.
SETTINGS_ENV = {
    "FORUM_ENV",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "REDIS_URL",
    "LIMITS_REDIS_URL",
    "FORUM_TREE_LOCK",
    "FORUM_PROXY_COUNT",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = run_manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "short"})
    assert result.returncode != 0
    assert "needs SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", env={**PRODUCTION_ENV, "ALLOWED_HOSTS": ""})
    assert result.returncode != 0
    assert "needs ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_its_settings():
    result = run_manage("check", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_the_site_name_comes_from_the_environment():
    code = "from django.conf import settings; print(settings.FORUM_SITE_NAME)"
    result = run_manage("shell", "-c", code, env={"FORUM_SITE_NAME": "my forum"})
    assert result.stdout.strip().endswith("my forum")


def test_database_url_selects_postgresql():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run_manage("shell", "-c", code, env={"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"})
    assert result.stdout.strip().endswith("django.db.backends.postgresql")


def test_production_starts_with_https_origins_and_both_redis_caches():
    env = {
        **PRODUCTION_ENV,
        "CSRF_TRUSTED_ORIGINS": "https://forum.example.org",
        "REDIS_URL": "redis://pages:6379/0",
        "LIMITS_REDIS_URL": "redis://limits:6379/0",
    }
    result = run_manage("check", env=env)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("env", "sentence"),
    [
        (
            {"FORUM_ENV": "prod"},
            "FORUM_ENV must be development or production, not 'prod'.",
        ),
        (
            {**PRODUCTION_ENV, "DEBUG": "true"},
            "FORUM_ENV=production refuses DEBUG=true",
        ),
        (
            {**PRODUCTION_ENV, "ALLOWED_HOSTS": "*"},
            "FORUM_ENV=production refuses ALLOWED_HOSTS=*",
        ),
        (
            {**PRODUCTION_ENV, "ALLOWED_HOSTS": "forum.example.org,*"},
            "FORUM_ENV=production refuses ALLOWED_HOSTS=*",
        ),
        (
            {**PRODUCTION_ENV, "SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"},
            "needs SECRET_KEY",
        ),
        ({**PRODUCTION_ENV, "SECRET_KEY": "a" * 60}, "needs SECRET_KEY"),
        ({**PRODUCTION_ENV, "SECRET_KEY": "django-insecure-" + "x1y2z3" * 10}, "needs SECRET_KEY"),
        (
            {**PRODUCTION_ENV, "CSRF_TRUSTED_ORIGINS": "http://forum.example.org"},
            "FORUM_ENV=production refuses CSRF_TRUSTED_ORIGINS that are not https://",
        ),
        (
            {"FORUM_TREE_LOCK": "flase"},
            "FORUM_TREE_LOCK must be one of 1, true, yes, on, 0, false, no, off; not 'flase'.",
        ),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"FORUM_PROXY_COUNT": "-1"}, "FORUM_PROXY_COUNT must be 0 or more"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_unsafe_settings_are_refused_with_a_sentence_naming_the_variable(env, sentence):
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert sentence in result.stderr


CACHES_CODE = (
    "from django.conf import settings; "
    "print([(c['BACKEND'].rsplit('.', 1)[1], c['LOCATION']) for c in settings.CACHES.values()])"
)


@pytest.mark.parametrize(
    ("env", "caches"),
    [
        ({}, [("LocMemCache", "pages"), ("LocMemCache", "limits")]),
        (
            {"REDIS_URL": "redis://r:6379/0"},
            [("RedisCache", "redis://r:6379/0"), ("RedisCache", "redis://r:6379/0")],
        ),
        (
            {"REDIS_URL": "redis://r:6379/0", "LIMITS_REDIS_URL": "redis://l:6379/0"},
            [("RedisCache", "redis://r:6379/0"), ("RedisCache", "redis://l:6379/0")],
        ),
    ],
    ids=["local memory, apart", "one redis", "a redis for the limits"],
)
def test_the_limits_cache_falls_back_from_limits_redis_url_to_redis_url(env, caches):
    result = run_manage("shell", "-c", CACHES_CODE, env=env)
    assert result.stdout.strip().splitlines()[-1] == str(caches)


@pytest.mark.parametrize(
    ("env", "sentence"),
    [
        ({"ALLOWED_HOSTS": ".com"}, "refuses ALLOWED_HOSTS entry '.com'"),
        ({"ALLOWED_HOSTS": "forum.example.org,.org"}, "refuses ALLOWED_HOSTS entry '.org'"),
        ({"ALLOWED_HOSTS": "."}, "refuses ALLOWED_HOSTS entry '.'"),
        ({"CSRF_TRUSTED_ORIGINS": "https://*.com"}, "refuses CSRF_TRUSTED_ORIGINS entry"),
        ({"CSRF_TRUSTED_ORIGINS": "https://*"}, "refuses CSRF_TRUSTED_ORIGINS entry"),
        ({"CSRF_TRUSTED_ORIGINS": "https://*.com:443"}, "refuses CSRF_TRUSTED_ORIGINS entry"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_production_refuses_host_and_origin_patterns_that_match_whole_top_level_domains(
    env, sentence
):
    """`.com` would let a Host header of attacker.com into password-reset links."""
    result = run_manage("check", env={**PRODUCTION_ENV, **env})
    assert result.returncode != 0
    assert sentence in result.stderr


def test_production_accepts_a_site_and_its_subdomains_as_patterns():
    env = {
        **PRODUCTION_ENV,
        "ALLOWED_HOSTS": ".forum.example.org,forum.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://*.forum.example.org,https://forum.example.org",
    }
    result = run_manage("check", env=env)
    assert result.returncode == 0, result.stderr
