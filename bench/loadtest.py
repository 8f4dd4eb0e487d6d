"""`make loadtest`: gunicorn over PostgreSQL and Redis, driven by wrk on loopback.

Fills its own database (LOADTEST_DATABASE_URL), starts gunicorn with workers for the machine's
cores, and runs wrk against each page for a fixed time. First the limit: a trivial view
(bench.load_urls) through the same middleware, touching no database or cache; /healthz, which
probes the caches, is measured beside it but is no baseline. Then the front page and a
200-comment thread, anonymous and logged in (a member's session cookie). Replies are measured by
processes calling comment_reply in a loop, the write behind /reply: the form itself
takes 5 replies a minute from one user, which would measure the rate limit. Prints the tables
(each page's rate as a share of the trivial view's, the logged-in pages against the anonymous
ones) and writes bench/results/loadtest.json.
"""

import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench import database, server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/forum_bench_load"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "15"))
CONNECTIONS = int(os.environ.get("LOADTEST_CONNECTIONS", "8"))
REPLY_PROCESSES = 2
THREAD_SIZE = 200
FRONT_THREADS = 40


def main() -> None:
    url = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_URL)
    redis_url = os.environ.get("LOADTEST_REDIS_URL", DEFAULT_REDIS)
    env = os.environ | {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    database.recreate(url)
    try:
        setup = server.set_up(env, "bench.loadtest")
        results = _run(env, setup)
    finally:
        database.drop(url)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "loadtest.json").write_text(json.dumps(results, indent=2) + "\n")
    print(_table(results))
    print(f"\nWritten: {RESULTS / 'loadtest.json'}")


TRIVIAL = "trivial view (the limit)"
FRONT = "front page, anonymous"
FRONT_MEMBER = "front page, logged in"
THREAD = f"{THREAD_SIZE}-comment thread, anonymous (cached)"
THREAD_MEMBER = f"{THREAD_SIZE}-comment thread, logged in"


def _run(env: dict, setup: dict) -> dict:
    workers = 2 * (os.cpu_count() or 1) + 1
    ports = os.environ.get("LOADTEST_PORTS", "18600-18649")
    member = [f"Cookie: sessionid={setup['session']}"]
    scenarios = [
        (TRIVIAL, "/bench/trivial", []),
        ("/healthz (probes the caches)", "/healthz", []),
        (FRONT, "/", []),
        (FRONT_MEMBER, "/", member),
        (THREAD, setup["thread"], []),
        (THREAD_MEMBER, setup["thread"], member),
    ]
    rows = []
    with server.gunicorn(env, workers=workers, ports=ports) as base:
        for label, path, headers in scenarios:
            for _ in range(3):  # warm the workers and the cache
                _get(base + path, headers)
            row = _wrk(base + path, headers) | {"scenario": label, "path": path}
            print(f"  {label}: {row['rps']:.0f} req/s", file=sys.stderr)
            rows.append(row)
        rows.append(_replies(env, setup["reply_thread"]))
    by = {row["scenario"]: row for row in rows}
    ratios = [
        _ratio(by[FRONT_MEMBER], by[FRONT], "front page logged in ÷ front page anonymous"),
        _ratio(by[THREAD_MEMBER], by[THREAD], f"{THREAD_SIZE}-comment thread logged in ÷ "
               "anonymous cached"),
        _ratio(by[FRONT], by[TRIVIAL], "front page anonymous ÷ trivial view"),
        _ratio(by[THREAD], by[TRIVIAL], f"{THREAD_SIZE}-comment thread anonymous cached ÷ "
               "trivial view"),
    ]  # fmt: skip
    return {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "gunicorn_workers": workers,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "rows": rows,
        "ratios": ratios,
        "targets": [
            *(_share(by[page], by[TRIVIAL], "the trivial view's") for page in (FRONT, THREAD)),
            *(_tail(by[page]) for page in (FRONT, THREAD)),
            _share(by[FRONT_MEMBER], by[FRONT], "the anonymous front page's"),
            _share(by[THREAD_MEMBER], by[THREAD], "the anonymous cached thread's"),
        ],
    }


def _ratio(row: dict, base: dict, label: str) -> dict:
    return {
        "ratio": label,
        "rps": round(row["rps"] / base["rps"], 3),
        "p50_ms": [row["p50_ms"], base["p50_ms"]],
        "p99_ms": [row["p99_ms"], base["p99_ms"]],
    }


def _share(row: dict, base: dict, whose: str) -> dict:
    share = row["rps"] / base["rps"]
    return {
        "target": f"{row['scenario']} ≥ 30% of {whose} req/s",
        "measured": f"{share:.1%} ({row['rps']:,.0f} vs {base['rps']:,.0f} req/s)",
        "met": share >= 0.3,
    }


def _tail(row: dict) -> dict:
    return {
        "target": f"{row['scenario']}: p99 < 4 × p50",
        "measured": f"{row['p99_ms'] / row['p50_ms']:.1f}× ({row['p99_ms']:.1f} vs "
        f"{row['p50_ms']:.1f} ms)",
        "met": row["p99_ms"] < 4 * row["p50_ms"],
    }


def _wrk(url: str, headers: list[str]) -> dict:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    command += ["-H", "Accept-Encoding: gzip"]
    for header in headers:
        command += ["-H", header]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        sys.exit(f"{url} answered errors under load:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
        "driver": "wrk",
    }


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def _replies(env: dict, thread_id: int) -> dict:
    """Replies written concurrently by separate processes through comment_reply."""
    command = [sys.executable, "-m", "bench.loadtest", "replies", str(thread_id), str(SECONDS)]
    workers = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(REPLY_PROCESSES)
    ]
    times = [t for worker in workers for t in json.loads(worker.communicate()[0])]
    times.sort()
    return {
        "scenario": f"replies into a {THREAD_SIZE}-comment thread ({REPLY_PROCESSES} processes)",
        "path": "comment_reply",
        "rps": len(times) / SECONDS,
        "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        "driver": "processes calling the service behind /reply (rate-limited per user)",
    }


def _setup() -> dict:
    """The data: threads for the front page, two 200-comment threads, a logged-in session."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection

    from bench import generate
    from forum.accounts.models import User
    from threads.models import Comment

    call_command("migrate", verbosity=0)
    for seed in range(FRONT_THREADS):
        generate.thread(20, generate.BUSHY, seed=seed)
    thread = generate.thread(THREAD_SIZE, generate.BUSHY)
    reply_thread = generate.thread(THREAD_SIZE, generate.BUSHY, seed=1)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    user = User.objects.create_user(username="loadtester", password="loadtest password 1")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    op = Comment.objects.get(tree_id=thread.pk, level=0)
    return {"thread": f"/item?id={op.pk}", "reply_thread": reply_thread.pk,
            "session": session.session_key}  # fmt: skip


def _reply_loop(thread_id: int, seconds: float) -> list[float]:
    import random

    from forum.accounts.models import User
    from threads.models import Comment
    from threads.services.posting import comment_reply

    rng = random.Random(os.getpid())
    author = User.objects.get(username="loadtester")
    times = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ids = Comment.objects.filter(tree_id=thread_id).values_list("pk", flat=True)
        parent_id = rng.choice(list(ids))
        started = time.perf_counter()
        comment_reply(parent_id=parent_id, author=author, text="A reply under load.")
        times.append((time.perf_counter() - started) * 1000)
    return times


def _table(results: dict) -> str:
    lines = [
        f"gunicorn, {results['gunicorn_workers']} workers on {results['cpus']} cores; "
        f"wrk, {results['connections']} connections, {results['seconds']} s each",
        "",
        "| scenario | req/s | p50 ms | p99 ms | ÷ trivial view |",
        "|---|---|---|---|---|",
    ]
    limit = results["rows"][0]["rps"]
    for row in results["rows"]:
        lines.append(
            f"| {row['scenario']} | {row['rps']:.0f} | {row['p50_ms']:.2f} | {row['p99_ms']:.2f} "
            f"| {row['rps'] / limit:.0%} |"
        )
    lines += ["", "| ratio | req/s | p50 ms | p99 ms |", "|---|---|---|---|"]
    for ratio in results["ratios"]:
        p50, p99 = ratio["p50_ms"], ratio["p99_ms"]
        lines.append(
            f"| {ratio['ratio']} | {ratio['rps']:.0%} | {p50[0]:.2f} vs {p50[1]:.2f} "
            f"| {p99[0]:.2f} vs {p99[1]:.2f} |"
        )
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target in results["targets"]:
        lines.append(
            f"| {target['target']} | {target['measured']} | {'yes' if target['met'] else 'NO'} |"
        )
    return "\n".join(lines)


def _get(url: str, headers: list[str]) -> None:
    request = urllib.request.Request(url, headers=dict(h.split(": ", 1) for h in headers))
    urllib.request.urlopen(request, timeout=10).read()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        import django

        django.setup()
        if sys.argv[1] == "setup":
            print(json.dumps(_setup()))
        else:
            print(json.dumps(_reply_loop(int(sys.argv[2]), float(sys.argv[3]))))
    else:
        main()
