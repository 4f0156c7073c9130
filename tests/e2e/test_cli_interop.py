"""`ceasefire import-dataset` and `ceasefire export --format …`, run as the console command, on every backend."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent.parent / "data"


def ceasefire(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "CEASEFIRE_DATABASE_URL": database_url}
    command = [sys.executable, "-c", "from api.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_two_snapshots_through_the_cli_then_acled_as_it_was_between_them(database_url):
    first = ceasefire(database_url, "import-dataset", "--format", "acled-csv", str(DATA / "acled_2024-08-20.csv"),
                      "--complete")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["reported"] == 4
    second = ceasefire(database_url, "import-dataset", "--format", "acled-csv", str(DATA / "acled_2024-09-20.csv"),
                       "--complete", "--published-at", "2024-09-20")
    assert json.loads(second.stdout)["corrected"] == 2
    exported = ceasefire(database_url, "export", "--format", "acled-csv", "--known-at", "2024-09-01",
                         "--place", "Kursk")
    assert exported.returncode == 0, exported.stderr
    comment, _, body = exported.stdout.partition("\n")
    assert comment.startswith("# as_of known_at=2024-09-01")
    rows = {row["event_id_cnty"]: row for row in csv.DictReader(io.StringIO(body))}
    assert set(rows) == {"RUS900001", "RUS900003", "RUS900004"} and rows["RUS900001"]["fatalities"] == "5"
    log = ceasefire(database_url, "export")
    assert len(log.stdout.splitlines()) == 4 + 4  # the jsonl log: four reports, two corrections, one each


def test_a_bad_file_or_option_is_one_plain_line_and_exit_2_storing_nothing(database_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text((DATA / "acled_2024-08-20.csv").read_text().replace(",5,,1723500000", ",-5,,1723500000"))
    refused = ceasefire(database_url, "import-dataset", "--format", "acled-csv", str(bad))
    assert refused.returncode == 2
    assert refused.stderr.strip().count("\n") == 0 and "line[3].fatalities" in refused.stderr
    assert "Traceback" not in refused.stderr
    no_date = ceasefire(database_url, "import-dataset", "--format", "ged-csv", str(DATA / "ged_2024.csv"))
    assert no_date.returncode == 2 and "--published-at" in no_date.stderr
    mixed = ceasefire(database_url, "export", "--kind", "battle")
    assert mixed.returncode == 2 and "jsonl" in mixed.stderr
    bad_time = ceasefire(database_url, "export", "--format", "plover", "--known-at", "yesterday")
    assert bad_time.returncode == 2 and "--known-at" in bad_time.stderr and "Traceback" not in bad_time.stderr
    assert ceasefire(database_url, "export").stdout == ""
