"""`python -m bench [--quick] [--entries N] [--backend sqlite|postgresql|both]`

Writes a synthetic log through the application, growing it through the sizes
10k, 100k, 1M (those up to --entries, and --entries itself), and measures at
each size; then the append rate over HTTP against the real `ceasefire serve`,
its memory, and rebuild. Each measurement is one JSON line on stdout (see
bench/report.py); progress goes to stderr. The exit status is 0 whatever the
ratios: this measures, it does not judge.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import msgspec

from api.app import open_store
from api.settings import Settings
from bench import measures
from bench.backends import prepared
from bench.client import append_load, get_latencies
from bench.mix import Mix, latencies
from bench.report import Metric, emit, markdown, metric
from bench.server import WRITER_TOKEN, Server
from bench.synth import Synth, report_bodies

CLIENTS = 16
WARM = 20
# SPEC §9: p50 in process, and over HTTP (SQLite at 1M entries; PostgreSQL at 300k or more).
TARGETS = {"sqlite": ("<= 2", "<= 5"), "postgresql": ("<= 5", "<= 10")}


def main() -> None:
    args = parse_args()
    # Stopped by SIGTERM, or by SIGINT even when started in the background: stop the server, drop the schemas.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    commit, began = _commit(), time.gmtime()  # the code measured is the code at the start
    results: list[Metric] = []
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for name in backends:
        results += run_backend(name, args)
    if args.markdown:
        markdown(results, args.markdown, f"`python -m bench --entries {args.entries} --backend {args.backend}` · "
                                         f"{time.strftime('%Y-%m-%d %H:%M UTC', began)} · "
                                         f"{os.cpu_count()} cores · commit {commit}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[1])
    parser.add_argument("--quick", action="store_true", help="a smoke run under 2 minutes (small log, short runs)")
    parser.add_argument("--entries", type=int, help="the largest log size (default 100000; 3000 with --quick)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--seconds", type=float, help="length of each append run (default 15; 3 with --quick)")
    parser.add_argument("--rebuild-at", choices=["smallest", "largest", "none"], default="smallest",
                        help="the log size at which rebuild is measured (default: the smallest)")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="keep the log (SQLite: in DIR; PostgreSQL: in a schema named after DIR) and reuse "
                             "it next time (sizes below its length are skipped; writing resumes the synthetic log "
                             "where it ends)")
    parser.add_argument("--no-analyze", dest="analyze", action="store_false",
                        help="on PostgreSQL, skip the VACUUM ANALYZE after writing (what autovacuum would do)")
    parser.add_argument("--cold", dest="warm", action="store_false",
                        help="measure without first reading the store's files into the operating system's cache")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--markdown", type=Path, help="also write the metrics as a Markdown table here")
    args = parser.parse_args()
    args.entries = args.entries or (3_000 if args.quick else 100_000)
    args.seconds = args.seconds or (3 if args.quick else 15)
    args.queries, args.http_queries = (50, 30) if args.quick else (200, 200)
    ladder = (1_000,) if args.quick else (10_000, 100_000, 1_000_000)
    args.sizes = sorted({size for size in ladder if size < args.entries} | {args.entries})
    return args


def run_backend(name: str, args) -> list[Metric]:
    rng, out = random.Random(args.seed), []
    with prepared(name, args.keep) as backend:
        store = open_store(Settings(database_url=backend.url))
        try:
            with Server(backend.url, backend.workdir) as server:
                with store.read() as tx:
                    written = store.head(tx)[0]  # a kept log's length; else 0
                ops, p50 = Synth(args.seed).ops(), {}
                for _ in itertools.islice(ops, written):
                    pass
                for size in args.sizes:
                    if size < written and size != args.sizes[-1]:  # the largest is measured at the log's length
                        note(f"{name}: {size} skipped: the kept log already holds {written} entries")
                        continue
                    if size > written:
                        rate = measures.write(store, ops, size - written)
                        note(f"{name}: {size} entries in the log (written at {rate:.0f} entries/s)")
                        if args.analyze:
                            measures.vacuum_analyze(store)
                        written = size
                    if args.warm:
                        read = measures.warm_page_cache(store, Settings(database_url=backend.url).sqlite_path)
                        note(f"{name}: the store's files read once before measuring ({read} MB)")
                    out += reads(name, size, store, server, args, rng, p50)
                    if size == args.sizes[0] and args.rebuild_at == "smallest":
                        out.append(rebuild(name, backend.url))
                measured = sorted({size for _, size in p50})
                if len(measured) > 1:
                    out += flatness(name, p50, measured[0], measured[-1])
                out.append(emit(metric("api_rss_mb", name, server.rss_mb(), "MB", target="< 300")))
                out.append(appends(name, backend.baseline_env, server, args))
            if args.rebuild_at == "largest":
                out.append(rebuild(name, backend.url))
        finally:
            store.close()
    return out


def reads(name: str, size: int, store, server: Server, args, rng: random.Random, p50: dict) -> list[Metric]:
    """Every shape of the query mix (SPEC §9), in process and over HTTP, and the listings."""
    label, mix, out = _label(size), Mix(store, rng), []
    in_process, over_http = TARGETS[name]
    for shape in [*mix.shapes(), *mix.listings()]:
        questions = [shape.questions(rng) for _ in range(args.queries + WARM)]
        local = latencies(questions)[WARM:]
        remote = asyncio.run(get_latencies(server.port, [q.path for q in questions[:args.http_queries + WARM]]))[WARM:]
        listing = shape.code.startswith("listing")
        p50[(shape.code, size)] = _ms(local, 0.5)
        out += [emit(metric(f"{shape.code}_p50_{label}", name, _ms(local, 0.5), "ms",
                            target="<= 50" if listing else in_process)),
                emit(metric(f"{shape.code}_p99_{label}", name, _ms(local, 0.99), "ms",
                            target=None if listing else "<= 25")),
                emit(metric(f"{shape.code}_http_p50_{label}", name, _ms(remote, 0.5), "ms",
                            target=None if listing else over_http)),
                emit(metric(f"{shape.code}_http_p99_{label}", name, _ms(remote, 0.99), "ms"))]
    return out


def flatness(name: str, p50: dict, smallest: int, largest: int) -> list[Metric]:
    """p50 at the largest size over p50 at the smallest, per shape: flat is at most 1.5."""
    codes = sorted({code for code, _ in p50}, key=lambda code: int(code.split("_")[0][1:]) if code[1].isdigit() else 99)
    return [emit(metric(f"{code}_flatness", name, p50[(code, largest)], "ms", p50[(code, smallest)], "<= 1.5"))
            for code in codes if not code.startswith("listing")]


def _ms(samples: list[float], fraction: float) -> float:
    return measures.percentile(samples, fraction) * 1000


def appends(name: str, baseline_env: dict, server: Server, args) -> Metric:
    bodies = [msgspec.json.encode(body) for body in report_bodies(1000)]
    asyncio.run(append_load(server.port, WRITER_TOKEN, bodies, CLIENTS))  # warm-up: each body once
    created, failed, elapsed = asyncio.run(append_load(server.port, WRITER_TOKEN, bodies, CLIENTS, args.seconds))
    if failed:
        note(f"{name}: {failed} of {created + failed} appends over HTTP were refused")
    concurrent = measures.baseline_append_rate(baseline_env, bodies, CLIENTS, args.seconds)
    sequential = measures.baseline_append_rate(baseline_env, bodies, 1, args.seconds)
    note(f"{name}: baseline eventsourcing saves/s: {concurrent:.0f} with {CLIENTS} threads, {sequential:.0f} alone; "
         f"the better is the baseline")
    return emit(metric("append_http_rate", name, created / elapsed, "entries/s", max(concurrent, sequential), ">= 0.5"))


def rebuild(name: str, url: str) -> Metric:
    """In a fresh process, as `ceasefire rebuild` runs: nothing cached from writing the log."""
    child = subprocess.run([sys.executable, "-m", "bench.rebuild_run", url], capture_output=True, check=True)
    result = msgspec.json.decode(child.stdout)
    if not result["same"]:
        note(f"{name}: the rebuilt index differs from the one written inline")
    return emit(metric("rebuild_rate", name, result["rebuild"], "entries/s", result["bare"], ">= 0.25"))


def _label(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def _commit() -> str:
    git = ["git", "-C", str(Path(__file__).resolve().parent.parent)]
    try:
        head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True).stdout
    except OSError:
        return "unknown"
    return f"{head}{' (with uncommitted changes)' if dirty else ''}" if head else "unknown"


def note(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
