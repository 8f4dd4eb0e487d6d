"""The browser bench's measurements: thread pages loaded in Chromium with scripts on and off,
timed by Navigation Timing, with the renderer's main-thread tasks read from a Chrome trace."""

import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

# The renderer's own top-level task events (what DevTools and Lighthouse call tasks), and the
# navigation marks that say which renderer process shows the page: few events a task, so that
# even a page that keeps the main thread busy for minutes fits in the trace buffer.
TRACE_CATEGORIES = ["toplevel", "blink.user_timing"]
TASK_NAMES = {"ThreadControllerImpl::RunTask", "RunTask"}
LONG_TASK_MS = 50
LOAD_TIMEOUT_MS = 300_000
SETTLE_MS = 1000  # tasks just after the load event (the scripts' late work) count too
COUNT_ELEMENTS = """() => ({
    elements: document.getElementsByTagName('*').length,
    posts: document.querySelectorAll('main article.post').length,
    in_posts: document.querySelectorAll('main article.post, main article.post *').length,
    timing: performance.getEntriesByType('navigation')[0].toJSON(),
})"""


def measure(
    base: str, paths: dict[int, str], *, runs: int, seconds: float, chromium: str
) -> list[dict]:
    """A row per thread size: medians of up to `runs` loads with scripts on and off, in turns
    (on first, then off first), after one load not counted that fills the server's cache; a
    size whose loads have taken `seconds` gets no more (a slow page is loaded fewer times)."""
    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        for size, path in paths.items():
            _load(browser, base + path, scripts=False)
            loads = {True: [], False: []}
            started = time.monotonic()
            while len(loads[True]) < runs and (
                not loads[True] or time.monotonic() - started < seconds
            ):
                order = (True, False) if len(loads[True]) % 2 == 0 else (False, True)
                for scripts in order:
                    loads[scripts].append(_load(browser, base + path, scripts=scripts))
            row = {"size": size, "path": path, "loads": len(loads[True])} | _bytes(base + path)
            for scripts, key in ((True, "on"), (False, "off")):
                row[key] = _summary(loads[scripts])
            print(
                f"  {size} comments: load {row['on']['load_ms']:.0f} ms with scripts, "
                f"{row['off']['load_ms']:.0f} ms without; long tasks "
                f"{row['on']['long_tasks_ms']:.0f} and {row['off']['long_tasks_ms']:.0f} ms",
                file=sys.stderr,
            )
            rows.append(row)
        browser.close()
    return rows


def _load(browser, url: str, *, scripts: bool) -> dict:
    """One load in a fresh context (an empty cache), traced from before the request."""
    context = browser.new_context(java_script_enabled=scripts)
    try:
        page = context.new_page()
        # The Performance domain's counters: the main thread's time in scripts, whole.
        devtools = context.new_cdp_session(page)
        devtools.send("Performance.enable")
        browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
        page.goto(url, wait_until="load", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_timeout(SETTLE_MS)
        trace = browser.stop_tracing()
        counters = devtools.send("Performance.getMetrics")["metrics"]
        # Runs in Playwright's own world, which the page's disabled scripts do not affect.
        found = page.evaluate(COUNT_ELEMENTS)
    finally:
        context.close()
    timing = found.pop("timing")
    tasks = main_thread_tasks(json.loads(trace)["traceEvents"], url)
    long_tasks = [ms for ms in tasks if ms > LONG_TASK_MS]
    return found | {
        "load_ms": timing["loadEventEnd"],
        "dcl_ms": timing["domContentLoadedEventEnd"],
        "long_tasks_ms": sum(long_tasks),
        "long_tasks": len(long_tasks),
        "longest_task_ms": max(tasks, default=0),
        "script_ms": next(c["value"] for c in counters if c["name"] == "ScriptDuration") * 1000,
    }


def main_thread_tasks(events: list[dict], url: str) -> list[float]:
    """The durations (ms) of the top-level tasks on the main thread of the renderer that
    loaded `url` (other renderers, such as the browser's own WebUI, are left out)."""
    renderers = {
        (event["pid"], event["tid"])
        for event in events
        if event.get("ph") == "M"
        and event.get("name") == "thread_name"
        and event["args"]["name"] == "CrRendererMain"
    }
    spans_of = {pid: [] for pid, _ in renderers}
    for event in events:
        thread = (event.get("pid"), event.get("tid"))
        if event.get("ph") == "X" and event["name"] in TASK_NAMES and thread in renderers:
            start = event["ts"]
            spans_of[event["pid"]].append((start, start + event.get("dur", 0)))
    loaders = [
        event["pid"]
        for event in events
        if event.get("name") == "navigationStart"
        and event.get("args", {}).get("data", {}).get("documentLoaderURL") == url
    ]
    # The navigation's mark is now and then missing from a trace: the page's renderer is then
    # the busiest one (the browser's own WebUI renderer does next to nothing).
    busiest = max(spans_of, key=lambda pid: sum(b - a for a, b in spans_of[pid]), default=None)
    pid = loaders[-1] if loaders else busiest
    if pid is None:
        raise RuntimeError(f"The trace shows no renderer loading {url}")
    spans = sorted(spans_of[pid])
    tasks, end = [], -1
    for start, stop in spans:
        if start >= end:  # a task nested in one already counted is part of it
            tasks.append((stop - start) / 1000)
            end = stop
    return tasks


def _summary(loads: list[dict]) -> dict:
    return {key: statistics.median(load[key] for load in loads) for key in loads[0]} | {
        "load_ms_each": [round(load["load_ms"]) for load in loads]
    }


def _bytes(url: str) -> dict:
    def size(headers: dict) -> int:
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            return len(response.read())

    return {"html_bytes": size({}), "gzip_bytes": size({"Accept-Encoding": "gzip"})}


def plot(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = results["rows"]
    sizes = [row["size"] for row in rows]
    figure, axes = plt.subplots(figsize=(8, 5))
    lines = [
        ("on", "load_ms", "load event, scripts on", "tab:blue", "-"),
        ("off", "load_ms", "load event, scripts off", "tab:gray", "-"),
        ("on", "long_tasks_ms", "long tasks, scripts on", "tab:red", "--"),
        ("off", "long_tasks_ms", "long tasks, scripts off", "tab:orange", "--"),
    ]
    for mode, key, label, colour, style in lines:
        values = [max(row[mode][key], 1) for row in rows]
        axes.plot(sizes, values, style, marker="o", color=colour, label=label)
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("comments in the thread")
    axes.set_ylabel(f"ms (median of up to {results['runs']} loads)")
    axes.set_title("Thread page in Chromium: load time and main-thread long tasks (> 50 ms)")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
