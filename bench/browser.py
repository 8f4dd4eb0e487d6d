"""`make bench-browser`: thread pages of 200, 2,000 and 20,000 comments in Chromium with the
page's scripts on and off, and Lighthouse's mobile audit of the 2,000-comment thread.

Fills its own PostgreSQL database (BROWSER_BENCH_DATABASE_URL), serves it with gunicorn as
production does (FORUM_ENV=production, DEBUG off, collected static files served by WhiteNoise,
HTML gzipped), drives Debian's Chromium through Playwright, prints the table against the
targets, and writes bench/results/browser.json and browser.png.
"""

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from bench import browser_pages, database, server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LIGHTHOUSE = ROOT / "bench" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/forum_bench_browser"
SIZES = (200, 2000, 20000)
RUNS = int(os.environ.get("BROWSER_BENCH_RUNS", "3"))
# A size whose loads have taken this long is loaded no more (at least once with, once without).
SIZE_SECONDS = float(os.environ.get("BROWSER_BENCH_SIZE_SECONDS", "60"))
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")


def main() -> None:
    started = time.monotonic()
    url = os.environ.get("BROWSER_BENCH_DATABASE_URL", DEFAULT_URL)
    env = _server_env(url)
    database.recreate(url)
    try:
        paths = {int(size): path for size, path in server.set_up(env, "bench.browser").items()}
        with server.gunicorn(env, workers=2, ports="18650-18699") as base:
            rows = browser_pages.measure(
                base, paths, runs=RUNS, seconds=SIZE_SECONDS, chromium=CHROMIUM
            )
            audit = _lighthouse(base, paths)
    finally:
        database.drop(url)
    results = {
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "chromium": _chromium_version(),
        "runs": RUNS,
        "rows": rows,
        "lighthouse": audit,
        "targets": _targets(rows, audit),
        "seconds": round(time.monotonic() - started),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "browser.json").write_text(json.dumps(results, indent=2) + "\n")
    browser_pages.plot(results, RESULTS / "browser.png")
    print(_table(results))
    print(f"\nWritten: {RESULTS / 'browser.json'}, {RESULTS / 'browser.png'}")


def _server_env(url: str) -> dict:
    """The production settings, on plain HTTP from loopback, with in-process caches."""
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "LIMITS_REDIS_URL"}}
    return env | {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "forum.settings",
        "FORUM_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "PYTHONPATH": str(ROOT),
    }


def _setup() -> dict:
    """The tables, the collected static files, and one bushy thread of each size."""
    from django.core.management import call_command
    from django.db import connection

    from bench import generate
    from threads.models import Comment

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    paths = {}
    for size in SIZES:
        thread = generate.thread(size, generate.BUSHY)
        paths[size] = f"/item?id={Comment.objects.get(tree_id=thread.pk, level=0).pk}"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return paths


def _lighthouse(base: str, paths: dict[int, str]) -> dict:
    """Lighthouse's default (mobile) audit of the 2,000-comment thread. Lighthouse gives axe 60 s
    and no way to give it more: when the accessibility audit runs out of it on that page, it is
    taken on the 200-comment thread, the same markup, and the report says so."""
    report = _lighthouse_run(base + paths[2000], "performance,accessibility")
    scores = {name: category["score"] for name, category in report["categories"].items()}
    audits = report["audits"]
    result = {
        "page": paths[2000],
        "performance": _score(scores["performance"]),
        "accessibility": _score(scores["accessibility"]),
        "accessibility_page": paths[2000],
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "elements": round(audits["dom-size"]["numericValue"]),
        "lighthouse": report["lighthouseVersion"],
        "runtime_error": (report.get("runtimeError") or {}).get("message"),
    }
    if result["accessibility"] is None:
        fallback = _lighthouse_run(base + paths[200], "accessibility")
        result["accessibility"] = _score(fallback["categories"]["accessibility"]["score"])
        result["accessibility_page"] = paths[200]
    return result


def _lighthouse_run(url: str, categories: str) -> dict:
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: `make bench-browser` installs it (npm ci).")
    output = RESULTS / "lighthouse.report.json"
    RESULTS.mkdir(exist_ok=True)
    command = [str(LIGHTHOUSE), url, f"--only-categories={categories}", "--output=json",
               f"--output-path={output}", "--quiet",
               "--chrome-flags=--headless=new --no-sandbox --disable-dev-shm-usage"]  # fmt: skip
    # A runtime error (a gatherer out of time) still writes the report, with the error in it.
    subprocess.run(command, env=os.environ | {"CHROME_PATH": CHROMIUM}, timeout=600)
    try:
        return json.loads(output.read_text())
    finally:
        output.unlink(missing_ok=True)


def _targets(rows: list[dict], audit: dict) -> list[dict]:
    """The issue's targets; sizes in bytes are decimal (1 MB = 1,000,000 bytes)."""
    by_size = {row["size"]: row for row in rows}
    mid, big = by_size[2000], by_size[20000]
    added = big["on"]["long_tasks_ms"] - big["off"]["long_tasks_ms"]
    quiet_load = big["off"]["load_ms"]
    growth = big["on"]["long_tasks_ms"] / max(mid["on"]["long_tasks_ms"], 1)
    targets = [
        _target(
            f"load event, scripts on ÷ off, {row['size']:,} comments ≤ 1.1×",
            f"{_ratio(row):.2f}× ({row['on']['load_ms']:,.0f} vs {row['off']['load_ms']:,.0f} ms)",
            _ratio(row) <= 1.1,
        )
        for row in (mid, big)
    ]
    targets += [
        _target(
            "long tasks the scripts add at 20,000 (on − off) ≤ 10% of the no-script load",
            f"{added / quiet_load:.0%} ({added:,.0f} of {quiet_load:,.0f} ms)",
            added <= 0.1 * quiet_load,
        ),
        _target(
            "long tasks with scripts, 20,000 ÷ 2,000 comments ≤ 12×",
            f"{growth:.1f}× ({big['on']['long_tasks_ms']:,.0f} vs "
            f"{mid['on']['long_tasks_ms']:,.0f} ms)",
            growth <= 12,
        ),
        _target(
            "2,000 comments: HTML ≤ 1.4 MB",
            f"{mid['html_bytes'] / 1e6:.2f} MB",
            mid["html_bytes"] <= 1.4e6,
        ),
        _target(
            "2,000 comments: gzipped ≤ 250 KB",
            f"{mid['gzip_bytes'] / 1e3:.0f} KB",
            mid["gzip_bytes"] <= 250e3,
        ),
        _target(
            "DOM elements a post ≤ 12 (all elements ÷ posts, scripts on)",
            " and ".join(f"{_per_post(row):.1f} at {row['size']:,}" for row in (mid, big)),
            all(_per_post(row) <= 12 for row in (mid, big)),
        ),
        _target(
            "Lighthouse mobile performance ≥ 90 (2,000 comments)",
            f"{audit['performance']} (TBT {audit['tbt_ms']:,} ms, LCP {audit['lcp_ms']:,} ms)",
            (audit["performance"] or 0) >= 90,
        ),
        _target(
            "Lighthouse accessibility 100",
            f"{audit['accessibility']} ({audit['accessibility_page']})",
            audit["accessibility"] == 100,
        ),
    ]
    return targets


def _target(target: str, measured: str, met: bool) -> dict:
    return {"target": target, "measured": measured, "met": met}


def _ratio(row: dict) -> float:
    return row["on"]["load_ms"] / row["off"]["load_ms"]


def _per_post(row: dict, key: str = "elements", mode: str = "on") -> float:
    return row[mode][key] / row[mode]["posts"]


def _table(results: dict) -> str:
    audit = results["lighthouse"]
    lines = [
        f"{results['chromium']}, {results['cpus']} cores (load average after: "
        f"{results['load_average_after'][0]}); medians of up to {results['runs']} loads a size, "
        "scripts on and off in turns",
        "",
        "| comments | loads | load ms, on / off | on ÷ off | DOMContentLoaded ms, on / off "
        "| long tasks ms, on / off | script ms | elements a post, page / in posts "
        "| HTML KB | gzip KB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        on, off = row["on"], row["off"]
        lines.append(
            f"| {row['size']:,} | {row['loads']} | {on['load_ms']:,.0f} / {off['load_ms']:,.0f} "
            f"| {_ratio(row):.2f}× | {on['dcl_ms']:,.0f} / {off['dcl_ms']:,.0f} "
            f"| {on['long_tasks_ms']:,.0f} / {off['long_tasks_ms']:,.0f} | {on['script_ms']:,.0f} "
            f"| {_per_post(row):.1f} / {_per_post(row, 'in_posts'):.1f} "
            f"| {row['html_bytes'] / 1e3:,.0f} | {row['gzip_bytes'] / 1e3:,.0f} |"
        )
    lines += [
        "",
        f"Lighthouse {audit['lighthouse']} (mobile), {audit['page']}: performance "
        f"{audit['performance']}, accessibility {audit['accessibility']} "
        f"({audit['accessibility_page']}), TBT {audit['tbt_ms']:,} ms, LCP {audit['lcp_ms']:,} "
        f"ms, {audit['elements']:,} elements",
    ]
    if audit["runtime_error"]:
        lines.append(f"Lighthouse's error on {audit['page']}: {audit['runtime_error']}")
    lines += ["", "| target | measured | met |", "|---|---|---|"]
    for target in results["targets"]:
        lines.append(
            f"| {target['target']} | {target['measured']} | {'yes' if target['met'] else 'NO'} |"
        )
    lines.append(f"\nWhole run: {results['seconds']} s")
    return "\n".join(lines)


def _score(score: float | None) -> int | None:
    return None if score is None else round(score * 100)


def _chromium_version() -> str:
    command = [CHROMIUM, "--version"]
    return subprocess.run(command, capture_output=True, text=True).stdout.strip()


if __name__ == "__main__":
    if sys.argv[1:] == ["setup"]:
        import django

        django.setup()
        print(json.dumps(_setup()))
    else:
        main()
