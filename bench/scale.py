"""`make bench-scale`: one app server against two, through nginx, on the same machine.

Two gunicorns (the same workers each) run side by side over one PostgreSQL database of the
bench's own (SCALE_DATABASE_URL) and Redis (SCALE_REDIS_URL, under a key prefix of this run's,
deleted at the end), each held to the same CPU share: a cgroup (v1 cpu controller) with a CFS
quota of SCALE_CPU_SHARE of one core, or, where cgroups cannot be written, pinned to a core of
its own with taskset. Two Debian nginx with deploy/nginx.conf (as deploy/render-nginx-conf
writes it) front them: one with only the first server upstream, one with both. wrk drives the
cached anonymous mix and the logged-in mix against each nginx in turn, several short rounds
alternately, so both are measured under the same neighbours; the ratio two ÷ one is the median
of each round's. nginx, wrk, PostgreSQL and Redis share the machine's cores with the servers,
and their CPU time per request is read from /proc for each configuration: where it goes.
Prints the tables and writes bench/results/scale.json.
"""

import contextlib
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bench import cpu_time, database, server
from harness.nginx import render_config, running_nginx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/forum_bench_scale"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
CPU_SHARE = float(os.environ.get("SCALE_CPU_SHARE", "0.3"))
WORKERS = int(os.environ.get("SCALE_WORKERS", "3"))
ROUNDS = int(os.environ.get("SCALE_ROUNDS", "7"))
SECONDS = int(os.environ.get("SCALE_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("SCALE_CONNECTIONS", "12"))
MEMBERS = 7
CGROUP = Path("/sys/fs/cgroup/cpu")
PERIOD_US = 10_000  # a short CFS period: a throttled server waits milliseconds, not 100 ms


def main() -> None:
    url = os.environ.get("SCALE_DATABASE_URL", DEFAULT_URL)
    prefix = f"forum_bench_scale_{os.getpid()}"
    env = os.environ | {
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("SCALE_REDIS_URL", DEFAULT_REDIS),
        "CACHE_KEY_PREFIX": prefix,
        "DJANGO_SETTINGS_MODULE": "forum.settings",
        "DEBUG": "0",
        "PYTHONPATH": str(ROOT),
    }
    started = time.monotonic()
    database.recreate(url)
    try:
        setup = server.set_up(env, "bench.scale")
        results = _run(env | {"FORUM_PROXY_COUNT": "1"}, setup)
    finally:
        database.drop(url)
        _forget(env["REDIS_URL"], prefix)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(_tables(results))
    print(f"\nWritten: {RESULTS / 'scale.json'}")


def _run(env: dict, setup: dict) -> dict:
    mixes = {
        "cached anonymous mix": _script(setup["mix"], []),
        "logged-in mix": _script(setup["mix"], setup["sessions"]),
    }
    rounds = {mix: {"one": [], "two": []} for mix in mixes}
    served = {}
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="forum-scale-")))
        (work / "static").mkdir()
        held = [stack.enter_context(_held_server(env, name)) for name in ("a", "b")]
        fronts = {
            "one": stack.enter_context(_nginx(work / "one", [held[0]["address"]], work)),
            "two": stack.enter_context(_nginx(work / "two", [h["address"] for h in held], work)),
        }
        for mix, script in mixes.items():
            for front in fronts.values():
                _wrk(front["url"], script, seconds=2)  # warm workers, connections and caches
            counted = _counts(held)
            for number in range(ROUNDS):
                # Alternate which goes first, so a drift in the neighbours' load evens out.
                order = ("one", "two") if number % 2 == 0 else ("two", "one")
                for config in order:
                    before = _cpu(held, fronts[config]["pid"], setup["redis_pid"], env)
                    row = _wrk(fronts[config]["url"], script, seconds=SECONDS)
                    after = _cpu(held, fronts[config]["pid"], setup["redis_pid"], env)
                    row["cpu_seconds"] = _spent(before, after)
                    rounds[mix][config].append(row)
                    print(f"  {mix}, {config}: {row['rps']:.0f} req/s", file=sys.stderr)
            served[mix] = {k: v - counted[k] for k, v in _counts(held).items()}
    return {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "cpu_share": held[0]["share"],
        "workers_per_server": WORKERS,
        "rounds": ROUNDS,
        "seconds": SECONDS,
        "connections": CONNECTIONS,
        "mix": setup["mix"],
        "results": {mix: _summary(by) | _served(served[mix]) for mix, by in rounds.items()},
        "raw": rounds,
        "page_costs": setup["costs"],
    }


def _summary(by: dict) -> dict:
    ratios = [two["rps"] / one["rps"] for one, two in zip(by["one"], by["two"], strict=True)]
    summary = {"ratio_two_over_one": round(statistics.median(ratios), 2),
               "ratios": [round(r, 2) for r in ratios]}  # fmt: skip
    for config, rows in by.items():
        requests = sum(row["requests"] for row in rows)
        cpu = {k: sum(row["cpu_seconds"][k] for row in rows) for k in rows[0]["cpu_seconds"]}
        summary[config] = {
            "rps": round(statistics.median(row["rps"] for row in rows)),
            "p50_ms": round(statistics.median(row["p50_ms"] for row in rows), 1),
            "p99_ms": round(statistics.median(row["p99_ms"] for row in rows), 1),
            # CPU ms a request, by who spent it; "others" is the rest of the machine's busy time.
            "cpu_ms_per_request": {k: round(1000 * v / requests, 3) for k, v in cpu.items()},
            "throttled_share": round(
                sum(row["cpu_seconds"]["throttled_periods"] for row in rows)
                / max(1, sum(row["cpu_seconds"]["periods"] for row in rows)), 2),
        }  # fmt: skip
        summary[config]["cpu_ms_per_request"].pop("periods")
        summary[config]["cpu_ms_per_request"].pop("throttled_periods")
    return summary


def _served(counted: dict) -> dict:
    """The mix as the servers counted it: statements a request and the cache's hit ratio."""
    return {
        "queries_per_request": round(counted["queries"] / counted["requests"], 2),
        "cache_hit_ratio": round(counted["hit"] / max(1, counted["hit"] + counted["miss"]), 3),
    }


@contextlib.contextmanager
def _held_server(env: dict, name: str):
    """A gunicorn held to its CPU share: its own cgroup's quota, or a core of its own."""
    group = CGROUP / f"forum-bench-scale-{os.getpid()}-{name}"
    try:
        group.mkdir()
        (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
        (group / "cpu.cfs_quota_us").write_text(str(int(PERIOD_US * CPU_SHARE)))
        # A group competes with the machine's other tasks as one task would: weighted as its
        # workers would be outside it, it gets what an ungrouped server would, up to the quota.
        (group / "cpu.shares").write_text(str(1024 * WORKERS))
        prefix, share = (), f"a cgroup CFS quota of {CPU_SHARE:g} core ({WORKERS} workers)"
    except OSError:  # no cgroup v1 cpu controller, or not ours to write
        with contextlib.suppress(OSError):
            group.rmdir()
        group, core = None, "0" if name == "a" else str(min(1, (os.cpu_count() or 1) - 1))
        prefix, share = ("taskset", "-c", core), f"pinned to one core each ({WORKERS} workers)"

    def join_group():  # in the child before exec: the master and its workers are inside
        (group / "cgroup.procs").write_text(str(os.getpid()))

    started = server.gunicorn_process(env, workers=WORKERS, ports="18650-18699", prefix=prefix,
                                      preexec=join_group if group else None)  # fmt: skip
    try:
        with started as (base, pid):
            yield {"address": base.removeprefix("http://"), "group": group, "share": share,
                   "pid": pid}  # fmt: skip
    finally:
        if group:
            with contextlib.suppress(OSError):
                group.rmdir()


@contextlib.contextmanager
def _nginx(work: Path, upstream: list[str], root: Path):
    work.mkdir()
    port = server.free_port("18700-18749")
    conf = render_config(work, NGINX_LISTEN=f"127.0.0.1:{port}", FORUM_UPSTREAM=" ".join(upstream),
                         FORUM_STATIC_ROOT=str(root / "static"))  # fmt: skip
    with running_nginx(work, conf, port) as process:
        yield {"url": f"http://127.0.0.1:{port}", "pid": process.pid}


def _script(paths: list[str], sessions: list[str]) -> str:
    """wrk's Lua: the mix's paths in turn, each request with the next member's cookie."""
    quoted = ", ".join(json.dumps(path) for path in paths)
    cookies = ", ".join(json.dumps(f"sessionid={key}") for key in sessions)
    return f"""
local paths = {{{quoted}}}
local cookies = {{{cookies}}}
local n = 0
request = function()
  n = n + 1
  local headers = {{["Accept-Encoding"] = "gzip"}}
  if #cookies > 0 then headers["Cookie"] = cookies[n % #cookies + 1] end
  return wrk.format("GET", paths[n % #paths + 1], headers)
end
"""


def _wrk(url: str, script: str, *, seconds: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", lua.name]
        output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        sys.exit(f"{url} answered errors under load:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
    }


def _latency(output: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)\b", output).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def _cpu(held: list[dict], nginx_pid: int, redis_pid: int, env: dict) -> dict:
    """CPU seconds so far: each server, nginx, wrk (waited children), each of this database's
    PostgreSQL backends, Redis (shared with other users), and the whole machine."""
    children = os.times()
    found = {
        "server a": cpu_time.process_tree(held[0]["pid"]),
        "server b": cpu_time.process_tree(held[1]["pid"]),
        "nginx": cpu_time.process_tree(nginx_pid),
        "wrk": children.children_user + children.children_system,
        "redis": cpu_time.process(redis_pid),
        "backends": {pid: cpu_time.process(pid) for pid in _backends(env["DATABASE_URL"])},
        "machine": cpu_time.machine_busy(),
        "periods": 0,
        "throttled_periods": 0,
    }
    for one in held:
        if one["group"]:
            lines = (one["group"] / "cpu.stat").read_text().splitlines()
            stat = dict(line.split() for line in lines if line)
            found["periods"] += int(stat["nr_periods"])
            found["throttled_periods"] += int(stat["nr_throttled"])
    return found


def _spent(before: dict, after: dict) -> dict:
    """What each spent between two _cpu(); a backend that started between them counts from
    nothing (one that ended is lost: connections live a minute, so little is)."""
    ours = ("server a", "server b", "nginx", "wrk", "redis")
    spent = {k: after[k] - before[k] for k in (*ours, "periods", "throttled_periods")}
    spent["postgresql"] = sum(
        max(0.0, t - before["backends"].get(pid, 0.0)) for pid, t in after["backends"].items()
    )
    busy = after["machine"] - before["machine"]
    spent["others"] = busy - sum(spent[k] for k in (*ours, "postgresql"))
    return {k: round(v, 3) for k, v in spent.items()}


def _counts(held: list[dict]) -> dict:
    """What the servers' /metrics have counted so far: requests, SQL statements, cache gets."""
    totals = {"requests": 0.0, "queries": 0.0, "hit": 0.0, "miss": 0.0}
    for one in held:
        with urllib.request.urlopen(f"http://{one['address']}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "forum_requests_total" and sample.labels["view"] != "metrics":
                    totals["requests"] += sample.value
                elif sample.name == "forum_database_queries_total":
                    totals["queries"] += sample.value
                elif sample.name == "forum_cache_gets_total":
                    totals[sample.labels["result"]] += sample.value
    return totals


def _backends(url: str) -> list[int]:
    import psycopg

    name = database.name(url)
    with psycopg.connect(database.psycopg_url(url, database="postgres"), autocommit=True) as conn:
        rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name])
        return [pid for (pid,) in rows]


def _forget(redis_url: str, prefix: str) -> None:
    """Deletes this run's keys (and only those) from the shared Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for batch in itertools.batched(client.scan_iter(match=f"{prefix}:*", count=1000), 500):
        client.delete(*batch)


def _tables(results: dict) -> str:
    lines = [
        f"nginx → 1 or 2 gunicorns, each held to {results['cpu_share']}, on "
        f"{results['cpus']} cores shared with nginx, wrk, PostgreSQL and Redis; wrk "
        f"{results['connections']} connections, {results['rounds']} rounds of "
        f"{results['seconds']} s a configuration, alternated; load average after "
        f"{results['load_average_after'][0]}",
        "",
        "| mix | servers | req/s | p50 ms | p99 ms | CPU ms a request: servers / nginx / wrk / "
        "PostgreSQL / Redis / rest of the machine | quota throttled |",
        "|---|---|---|---|---|---|---|",
    ]
    for mix, summary in results["results"].items():
        for config in ("one", "two"):
            row = summary[config]
            cpu = row["cpu_ms_per_request"]
            spent = " / ".join(f"{cpu[k]:.2f}" for k in ("nginx", "wrk", "postgresql", "redis"))
            lines.append(
                f"| {mix} | {config} | {row['rps']:,} | {row['p50_ms']} | {row['p99_ms']} | "
                f"{cpu['server a'] + cpu['server b']:.2f} / {spent} / {cpu['others']:.2f} | "
                f"{row['throttled_share']:.0%} |"
            )
    lines += ["", "| mix | SQL statements a request | cache keys read that hit |", "|---|---|---|"]
    for mix, summary in results["results"].items():
        lines.append(
            f"| {mix} | {summary['queries_per_request']} | {summary['cache_hit_ratio']:.1%} |"
        )
    lines += ["", "| target | measured (median of rounds) | met |", "|---|---|---|"]
    for mix, summary in results["results"].items():
        ratio = summary["ratio_two_over_one"]
        lines.append(f"| {mix}: two servers ≥ 1.8× one | {ratio}× (rounds: "
                     f"{', '.join(f'{r}' for r in summary['ratios'])}) | "
                     f"{'yes' if ratio >= 1.8 else 'NO'} |")  # fmt: skip
    return "\n".join(lines)


def _setup() -> dict:
    """The data (as make loadtest's), members' sessions, the mix, and each page's costs."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.cache import caches
    from django.core.management import call_command
    from django.db import connection

    from bench import generate, page_costs
    from threads.models import Comment

    call_command("migrate", verbosity=0)
    small = [generate.thread(20, generate.BUSHY, seed=seed) for seed in range(40)]
    big = generate.thread(200, generate.BUSHY)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    sessions = []
    for user in generate.users()[:MEMBERS]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    op = {t.pk: Comment.objects.get(tree_id=t.pk, level=0).pk for t in [big, *small[:3]]}
    reply = Comment.objects.filter(tree_id=big.pk, level=1).order_by("pk").first()
    pages = {
        "front page": "/",
        "newest": "/newest",
        "thread, 200 comments": f"/item?id={op[big.pk]}",
        "thread, 20 comments": f"/item?id={op[small[0].pk]}",
        "comment page": f"/item?id={reply.pk}",
    }
    # The mix: what readers of a forum open most, the front page and threads.
    mix = ["/", "/", "/", "/newest", pages["thread, 200 comments"], pages["thread, 200 comments"],
           pages["comment page"], *(f"/item?id={op[t.pk]}" for t in small[:3])]  # fmt: skip
    costs = page_costs.measure(pages, sessions[0])
    redis_pid = caches["default"]._cache.get_client().info("server")["process_id"]
    return {"mix": mix, "sessions": sessions, "costs": costs, "redis_pid": redis_pid}


if __name__ == "__main__":
    if len(sys.argv) > 1:
        import django

        django.setup()
        print(json.dumps(_setup()))
    else:
        main()
