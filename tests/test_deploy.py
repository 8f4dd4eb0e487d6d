"""docker-compose.yml and the lock files: the topology and the installs the tests run natively."""

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements" / "lock.txt"


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def redis_options(service: dict) -> dict[str, str]:
    command = service["command"]
    pairs = zip(command, command[1:], strict=False)
    return {flag: value for flag, value in pairs if flag.startswith("--")}


def test_only_nginx_is_published_and_it_runs_the_repos_config(services):
    assert [name for name, service in services.items() if "ports" in service] == ["nginx"]
    nginx = services["nginx"]
    assert any(volume.startswith("./deploy/nginx.conf:") for volume in nginx["volumes"])
    assert nginx["environment"]["FORUM_UPSTREAM"] == "${FORUM_UPSTREAM:-web:8000}"
    assert "--bind 0.0.0.0:8000" in services["web"]["command"]
    assert services["web2"]["command"] == services["web"]["command"]


def test_nginx_fills_in_every_value_the_config_leaves_open(services):
    placeholders = set(re.findall(r"\$\{(\w+)\}", (ROOT / "deploy" / "nginx.conf").read_text()))
    script = (ROOT / "deploy" / "render-nginx-conf").read_text()
    assert all(f"${name}" in script for name in placeholders)
    # The script makes the upstream's server lines from FORUM_UPSTREAM.
    nginx = services["nginx"]
    assert placeholders - {"FORUM_UPSTREAM_SERVERS"} | {"FORUM_UPSTREAM"} == set(
        nginx["environment"]
    )
    assert "render-nginx-conf" in nginx["command"]


def test_the_scale_profile_adds_an_app_server_and_a_streaming_replica(services):
    assert services["web2"]["profiles"] == services["db-replica"]["profiles"] == ["scale"]
    assert "pg_basebackup -h db" in services["db-replica"]["command"]
    assert " -R " in services["db-replica"]["command"]
    environment = services["web"]["environment"]
    assert environment["DATABASE_REPLICA_URLS"] == "${DATABASE_REPLICA_URLS:-}"
    # Migrations run once, before the app servers start, never by two at once.
    assert "migrate" in services["setup"]["command"]
    assert "migrate" not in services["web"]["command"]


def test_each_redis_has_a_memory_cap_and_its_own_eviction_policy(services):
    pages, limits = redis_options(services["redis"]), redis_options(services["redis-limits"])
    assert pages["--maxmemory"] and pages["--maxmemory-policy"] == "allkeys-lru"
    assert limits["--maxmemory"] and limits["--maxmemory-policy"] == "noeviction"
    environment = services["web"]["environment"]
    assert environment["REDIS_URL"].startswith("redis://redis:")
    assert environment["LIMITS_REDIS_URL"].startswith("redis://redis-limits:")
    assert environment["FORUM_PROXY_COUNT"] == "1"  # nginx is the one proxy


def test_app_servers_install_only_from_the_lock_file(services):
    for name in ("setup", "web", "web2"):
        installs = re.findall(r"pip install [^&]*", services[name]["command"])
        assert [install.strip() for install in installs] == [
            "pip install --quiet --require-hashes -r requirements/lock.txt"
        ]


def test_the_lock_pins_every_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + sum(project["optional-dependencies"].values(), [])
    pins = re.findall(
        r"^([A-Za-z0-9._-]+)==\S+ \\\n((?:\s+--hash=sha256:\w+.*\n)+)", LOCK.read_text(), re.M
    )
    pinned = {normalized(name) for name, _ in pins}
    assert {normalized(re.match(r"[A-Za-z0-9._-]+", item)[0]) for item in wanted} <= pinned
    requirement_lines = [line for line in LOCK.read_text().splitlines() if re.match(r"\w", line)]
    assert len(requirement_lines) == len(pins)  # none without hashes


def test_the_npm_lock_has_an_integrity_hash_for_every_package():
    lock = json.loads((ROOT / "tests" / "js" / "package-lock.json").read_text())
    packages = {name: entry for name, entry in lock["packages"].items() if name}
    assert packages and all(entry["integrity"].startswith("sha512-") for entry in packages.values())


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_make_run_gives_the_forum_its_address_from_the_port():
    shown = subprocess.run(
        ["make", "-n", "run", "PORT=9123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert 'FORUM_SITE_URL="${FORUM_SITE_URL:-http://127.0.0.1:9123}"' in shown


def test_nginx_and_django_refuse_bodies_past_the_same_size():
    """Bodies between the two limits were refused by Django with 413 where the docs said 400;
    now nginx refuses whatever Django would, and both answer 413."""
    from django.conf import settings

    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    size = re.search(r"client_max_body_size (\d+)k;", conf)
    assert size and int(size.group(1)) * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE
