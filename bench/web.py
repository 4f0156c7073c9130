"""`python -m bench.web [--events N] [--loads N] [--steps N]`: the web timeline in headless Chromium (SPEC §9).

Writes a synthetic log with N visible events (default 10,000) into a SQLite
file, serves it with `ceasefire serve`, and drives Debian's Chromium
(`/usr/bin/chromium`) with Playwright: the first render of `/timeline` (and of
a one-year window), as the browser's navigation timing reports it up to the
load event, and a knowledge-slider step from the key press to the updated
page. Metric lines on stdout as `python -m bench` writes them.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
import tempfile
import time
from pathlib import Path

from api.app import open_store
from api.settings import Settings
from bench.measures import percentile
from bench.report import Metric, emit, markdown, metric
from bench.server import Server
from bench.synth import Synth
from domain import clock
from domain.application import Timeline
from domain.commands import ReportEvent

BACKEND = "sqlite"
NAVIGATION_MS = ("(() => { const n = performance.getEntriesByType('navigation')[0];"
                 " return n.loadEventEnd - n.startTime; })()")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__.split("\n\n")[1])
    parser.add_argument("--events", type=int, default=10_000, help="visible events in the store (default 10000)")
    parser.add_argument("--loads", type=int, default=20, help="page loads measured per page (default 20)")
    parser.add_argument("--steps", type=int, default=60, help="slider steps measured (default 60)")
    parser.add_argument("--markdown", type=Path, help="also write the figures as a Markdown table")
    parser.add_argument("--workdir", type=Path, help="keep the store here and reuse it (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ceasefire-web-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        workdir.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{workdir.resolve()}/store.sqlite3"
        visible = fill(url, args.events)
        results = [emit(metric("web_visible_events", BACKEND, visible, "events"))]
        with Server(url, workdir) as server:
            results += measure(f"http://127.0.0.1:{server.port}", args.loads, args.steps)
    if args.markdown:
        markdown(results, args.markdown, f"`python -m bench.web --events {args.events}` · "
                                         f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")


def fill(url: str, events: int) -> int:
    """Append synthetic events until `events` are visible and not retracted now; returns how many are."""
    store = open_store(Settings(database_url=url))
    timeline, ops, reported = Timeline(store), Synth(seed=11).ops(), 0
    try:
        while (visible := _visible(store)) < events:
            chunk = list(itertools.islice(ops, max(500, min(5000, (events - visible) * 4))))
            reported += sum(isinstance(op.command, ReportEvent) for op in chunk)
            timeline.execute(chunk, "bench", batch=True)
            print(f"web bench: {reported} events reported", file=sys.stderr)
        return visible
    finally:
        store.close()


def _visible(store) -> int:
    with store.read() as tx:
        return tx.one(f"SELECT count(*) AS n FROM {{s}}event_states WHERE recorded_to = {clock.FOREVER} "
                      f"AND known_to = {clock.FOREVER} AND visible = 1 AND retracted = 0")["n"]


def measure(base: str, loads: int, steps: int) -> list[Metric]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import launch

    results = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_context(base_url=base).new_page()
        for name, path in (("web_first_render", "/timeline"), ("web_first_render_year", "/timeline?from=2020&to=2020")):
            timings = []
            for _ in range(loads):
                page.goto(path, wait_until="load")
                timings.append(page.evaluate(NAVIGATION_MS))
            results.append(emit(metric(f"{name}_p50", BACKEND, percentile(timings, 0.5), "ms", target="< 1000")))
            results.append(emit(metric(f"{name}_max", BACKEND, max(timings), "ms")))
        results += slider_steps(page, steps)
        browser.close()
    return results


def slider_steps(page, steps: int) -> list[Metric]:
    """Each step: a key press on the slider until #as-of shows the new knowledge time."""
    page.goto("/timeline", wait_until="load")
    page.focus("#known-at")
    rng, timings = random.Random(5), []
    for _ in range(steps):
        before = page.get_attribute("#as-of", "data-known-at")
        key = rng.choice(["ArrowLeft", "ArrowLeft", "PageDown", "ArrowRight"])
        began = time.perf_counter()
        page.keyboard.press(key)
        try:
            page.wait_for_function(f"document.querySelector('#as-of').dataset.knownAt !== '{before}'", timeout=10_000)
        except Exception:  # at an end of the slider the key moves nothing: not a step
            continue
        timings.append((time.perf_counter() - began) * 1000)
    return [emit(metric("web_slider_step_p50", BACKEND, percentile(timings, 0.5), "ms", target="< 200")),
            emit(metric("web_slider_step_p99", BACKEND, percentile(timings, 0.99), "ms")),
            emit(metric("web_slider_steps", BACKEND, len(timings), "steps"))]


if __name__ == "__main__":
    main()
