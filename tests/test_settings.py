"""Configuration from the environment: safe defaults, and a production mode that fails fast."""

import os
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "FORUM_ENV": "production",
    "ALLOWED_HOSTS": "forum.example.org",
    "SECRET_KEY": "k" * 20 + "-a-real-secret-of-enough-length-" + "z" * 20,
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"FORUM_ENV", "SECRET_KEY"}}
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
