"""`python -m bench.datasets [--rows N] [--changed 0.01] [--backend sqlite|postgresql|both]`

Times `import-dataset` (SPEC §9): a first ACLED-style snapshot of N rows into an empty store, then
a second snapshot of the same rows with a share of them revised (a fatality count, a moved date or
new notes), each through the same path as `ceasefire import-dataset`. One JSON line per figure on
stdout (bench/report.py); progress on stderr. The rows are invented, shaped like ACLED's export.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from datetime import date, timedelta

from api.app import open_store
from api.settings import Settings
from bench.backends import prepared
from bench.report import emit, metric
from domain.application import Timeline
from projections.datasets import take_snapshot

COLUMNS = ("event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
           "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
           "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
           "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp")
TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
         ("Explosions/Remote violence", "Air/drone strike"), ("Strategic developments", "Agreement"),
         ("Protests", "Peaceful protest"), ("Battles", "Government regains territory")]
PLACES = [("804", "Ukraine", "Donetsk", "Pokrovsk", 48.28, 37.18), ("804", "Ukraine", "Kharkiv", "Vovchansk", 50.29, 36.94),
          ("643", "Russia", "Kursk", "Sudzha", 51.19, 35.27), ("643", "Russia", "Belgorod", "Shebekino", 50.41, 36.89),
          ("804", "Ukraine", "Zaporizhia", "Robotyne", 47.45, 35.84)]
ACTORS = ["Military Forces of Russia (2000-)", "Military Forces of Ukraine (2019-)", "Civilians (Ukraine)",
          "Wagner Group", "Protesters (Russia)"]
STAMP = 1_725_000_000  # late August 2024


def rows(count: int, seed: int = 7) -> list[dict]:
    generate = random.Random(seed)
    made = []
    for number in range(count):
        event_type, sub_event_type = generate.choice(TYPES)
        iso, country, admin1, location, lat, lon = generate.choice(PLACES)
        day = date(2022, 2, 24) + timedelta(days=generate.randrange(900))
        made.append({
            "event_id_cnty": f"{'UKR' if iso == '804' else 'RUS'}{number + 1:06d}", "event_date": day.isoformat(),
            "year": str(day.year), "time_precision": str(generate.choice((1, 1, 1, 2, 3))),
            "event_type": event_type, "sub_event_type": sub_event_type,
            "actor1": generate.choice(ACTORS), "actor2": generate.choice(ACTORS), "iso": iso, "country": country,
            "admin1": admin1, "location": location, "latitude": f"{lat + generate.random() / 10:.4f}",
            "longitude": f"{lon + generate.random() / 10:.4f}", "source": "Ukrainska Pravda",
            "notes": f"On {day:%d %B %Y}, {event_type.lower()} near {location} ({admin1}); report {number}.",
            "fatalities": str(generate.choice((0, 0, 1, 2, 5, 12))), "timestamp": str(STAMP + number % 86400),
        })
    return made


def revised(original: list[dict], share: float, seed: int = 11) -> list[dict]:
    """The same rows with `share` of them revised as ACLED revises: counts, dates, notes; newer timestamps."""
    generate = random.Random(seed)
    changed = [dict(row) for row in original]
    for row in generate.sample(changed, int(len(changed) * share)):
        what = generate.choice(("fatalities", "event_date", "notes"))
        if what == "fatalities":
            row["fatalities"] = str(int(row["fatalities"]) + generate.randint(1, 9))
        elif what == "event_date":
            row["event_date"] = (date.fromisoformat(row["event_date"]) + timedelta(days=1)).isoformat()
        else:
            row["notes"] += " Revised."
        row["timestamp"] = str(int(row["timestamp"]) + 30 * 86400)
    return changed


def as_csv(made: list[dict]) -> list[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(made)
    return out.getvalue().splitlines(keepends=True)


def timed(timeline: Timeline, lines: list[str]) -> tuple[float, float, object]:
    """(wall seconds, this process's CPU seconds, the answer): on a shared machine the two part ways."""
    started, cpu = time.perf_counter(), time.process_time()
    answer = take_snapshot(timeline, "acled", "acled-csv", lines, published_at=None, complete=True,
                           recorded_by="bench")
    return time.perf_counter() - started, time.process_time() - cpu, answer


def run(backend: str, count: int, share: float) -> None:
    first = rows(count)
    second = revised(first, share)
    with prepared(backend) as prepared_backend:
        store = open_store(Settings(database_url=prepared_backend.url))
        try:
            timeline = Timeline(store)
            for name, snapshot, target in (("first", first, "< 60"), ("second", second, "< 30")):
                seconds, cpu, answer = timed(timeline, as_csv(snapshot))
                print(f"[{backend}] {name} snapshot of {count} rows: {seconds:.1f} s ({cpu:.1f} s CPU) {answer}",
                      file=sys.stderr)
                emit(metric(f"import_dataset_{name}_s", backend, seconds, "s", target=target))
                emit(metric(f"import_dataset_{name}_cpu_s", backend, cpu, "s"))
        finally:
            store.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.datasets", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    args = parser.parse_args()
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        run(backend, args.rows, args.changed)


if __name__ == "__main__":
    main()
