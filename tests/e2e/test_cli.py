"""The `ceasefire` command as a user runs it: exit codes, one-line refusals, nothing stored on a mistake.

Commands run through click's CliRunner on real SQLite files and the real
PostgreSQL (the `database_url` fixture), or as a real process where what the
user sees on stderr is the point.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import httpx
import psycopg
import pytest
from click.testing import CliRunner

from api.cli import main
from tests.conftest import fresh_schema_url
from tests.e2e.test_server import ROOT, free_port

SIGNING_KEY = "9Zr3Yp3QmV9oVh0cZ0pTvXH1mQ1n0mYVbXn3Z4b1bq0="
SOURCE = {"publisher": "Reuters", "title": "A report", "url": "https://example.org/r", "published_at": "2025-03-11"}


def report(title="Jeddah talks", **fields) -> dict:
    return {"op": "report", "body": {"kind": "talks", "title": title, "occurred": "2025-03-11", "source": dict(SOURCE),
                                     **fields}}


def jsonl(path: Path, *lines: dict | str) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return path


def ceasefire(*args: str, env: dict | None = None):
    """One run of the command in process; stdout and stderr apart."""
    return CliRunner().invoke(main, list(args), env={"CEASEFIRE_SIGNING_KEY": SIGNING_KEY, **(env or {})})


def exported(database_url: str) -> list[dict]:
    result = ceasefire("export", "--database", database_url)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def one_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


def run_process(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT), **env})


# --- the command itself --------------------------------------------------------------------------


def test_version_names_the_installed_release():
    result = ceasefire("--version")
    assert result.exit_code == 0
    assert metadata.version("ceasefire-timeline") in result.stdout


def test_the_api_describes_itself_as_the_same_release(tmp_path):
    from api.app import create_app
    from api.settings import Settings

    app = create_app(Settings(database_url=f"sqlite:///{tmp_path}/store.sqlite3"))
    assert app.openapi_schema.info.version == metadata.version("ceasefire-timeline")


def test_serve_uses_the_database_option_over_the_environment(tmp_path):
    chosen, ignored = tmp_path / "chosen.sqlite3", tmp_path / "ignored.sqlite3"
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--database",
                               f"sqlite:///{chosen}"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "PYTHONPATH": str(ROOT), "CEASEFIRE_SIGNING_KEY": SIGNING_KEY,
                                   "CEASEFIRE_DATABASE_URL": f"sqlite:///{ignored}"})
    try:
        for _ in range(150):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert chosen.exists() and not ignored.exists()
    finally:
        server.terminate()
        server.wait(10)


def test_a_misspelt_command_or_option_is_one_line_and_exit_2():
    assert ceasefire("lod").exit_code == 2
    result = ceasefire("load", "--skip-existin")
    assert result.exit_code == 2
    assert "--skip-existin" in one_line(result)


# --- load ----------------------------------------------------------------------------------------


def test_a_malformed_line_is_named_by_its_line_number_and_field_and_nothing_is_stored(database_url, tmp_path):
    broken = report(title="Missing its URL")
    del broken["body"]["source"]["url"]
    file = jsonl(tmp_path / "bad.jsonl", report(), "", broken)

    result = ceasefire("load", str(file), "--database", database_url)

    assert result.exit_code == 2
    message = one_line(result)
    assert "bad.jsonl line 3" in message and "source.url" in message and "nothing stored" in message
    assert exported(database_url) == []


@pytest.mark.parametrize(("line", "said"), [('{"op": "report", "body": {', "not JSON"), ("[1, 2]", "not a JSON object"),
                                             ('{"op": "report", "body": []}', "body: "),
                                             ('{"op": "reports", "body": {}}', "op: ")])
def test_a_line_that_is_not_a_json_object_is_named_by_its_line_number(line, said, tmp_path):
    file = jsonl(tmp_path / "bad.jsonl", report(), line)
    result = ceasefire("load", str(file), "--database", f"sqlite:///{tmp_path}/store.sqlite3")
    assert result.exit_code == 2
    assert f"bad.jsonl line 2: {said}" in one_line(result)


def test_a_rule_broken_on_a_later_line_stores_none_of_the_earlier_lines(database_url, tmp_path):
    unknown = {"op": "source", "event_id": "8f0c1a51-6f07-4f7e-9d5a-1d5b9b3f0e11", "body": {"source": SOURCE}}
    file = jsonl(tmp_path / "story.jsonl", report(), report(title="Second"), unknown)

    result = ceasefire("load", str(file), "--database", database_url)

    assert result.exit_code == 2
    assert "story.jsonl line 3" in one_line(result)
    assert exported(database_url) == []


def test_a_users_file_is_recorded_by_load_unless_named_with_as(database_url, tmp_path):
    ceasefire("load", str(jsonl(tmp_path / "a.jsonl", report(title="First"))), "--database", database_url)
    ceasefire("load", str(jsonl(tmp_path / "b.jsonl", report(title="Second"))), "--as", "alice",
              "--database", database_url)
    assert [entry["recorded_by"] for entry in exported(database_url)] == ["load", "alice"]


def test_only_the_built_in_fixtures_record_as_fixtures(tmp_path):
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    refused = ceasefire("load", str(jsonl(tmp_path / "mine.jsonl", report())), "--as", "fixtures", "--database", url)
    assert refused.exit_code == 2
    assert "--as fixtures" in one_line(refused)

    assert ceasefire("load", "--database", url).exit_code == 0
    assert {entry["recorded_by"] for entry in exported(url)} == {"fixtures"}


def test_skip_existing_skips_the_events_already_stored_and_says_how_many(database_url, tmp_path):
    event_id = "5b0e0c57-5d1b-4c4b-9f7e-3f8f0a6f1c01"
    claim_id = "c1a1b2c3-0000-4000-8000-000000000001"
    story = [report(id=event_id),
             {"op": "claim", "event_id": event_id, "body": {"claim_id": claim_id, "claimant": "Kyiv",
                                                             "statement": "Talks went well", "source": SOURCE}},
             {"op": "stance", "claim_id": claim_id, "body": {"by": "ISW", "stance": "disputes", "source": SOURCE}}]
    ceasefire("load", str(jsonl(tmp_path / "first.jsonl", *story)), "--database", database_url)

    again = ceasefire("load", str(jsonl(tmp_path / "again.jsonl", *story, report(title="New"))), "--skip-existing",
                      "--database", database_url)

    assert again.exit_code == 0, again.stderr
    assert "1 written; 3 skipped: their events were already stored" in again.stderr
    assert [entry["data"].get("title") for entry in exported(database_url)] == ["Jeddah talks", None, None, "New"]


def test_loading_a_file_twice_without_skip_existing_is_refused_naming_the_line(tmp_path):
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    file = jsonl(tmp_path / "once.jsonl", report(id="5b0e0c57-5d1b-4c4b-9f7e-3f8f0a6f1c01"))
    assert ceasefire("load", str(file), "--database", url).exit_code == 0
    twice = ceasefire("load", str(file), "--database", url)
    assert twice.exit_code == 2
    assert "once.jsonl line 1" in one_line(twice)
    assert len(exported(url)) == 1


def test_database_option_wins_over_the_environment(tmp_path):
    chosen = tmp_path / "chosen.sqlite3"
    result = ceasefire("load", str(jsonl(tmp_path / "a.jsonl", report())), "--database", f"sqlite:///{chosen}",
                       env={"CEASEFIRE_DATABASE_URL": f"sqlite:///{tmp_path}/ignored.sqlite3"})
    assert result.exit_code == 0, result.stderr
    assert chosen.exists() and not (tmp_path / "ignored.sqlite3").exists()


# --- verify and replay ---------------------------------------------------------------------------


def test_verify_refuses_a_sqlite_store_that_does_not_exist_and_creates_nothing(tmp_path):
    missing = tmp_path / "elsewhere" / "store.sqlite3"
    result = ceasefire("verify", "--database", f"sqlite:///{missing}", env={"CEASEFIRE_SIGNING_KEY": ""})
    assert result.exit_code == 2
    assert one_line(result).startswith(f"ceasefire: no store at {missing}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "said"), [("a-directory", "is a directory"), ("notes.txt", "is not a store"),
                                             ("empty.sqlite3", "no store at")])
def test_verify_refuses_a_sqlite_path_that_holds_no_store(name, said, tmp_path):
    (tmp_path / "a-directory").mkdir()
    (tmp_path / "notes.txt").write_text("not a database, but long enough to be read as a header" * 4)
    (tmp_path / "empty.sqlite3").touch()
    result = ceasefire("verify", "--database", f"sqlite:///{tmp_path / name}")
    assert result.exit_code == 2
    assert said in one_line(result)


def test_a_file_that_cannot_be_written_is_one_line(tmp_path):
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    ceasefire("load", "--database", url)
    result = ceasefire("export", "--output", str(tmp_path / "missing-dir" / "log.jsonl"), "--database", url)
    assert result.exit_code == 2
    assert "No such file or directory" in one_line(result)


def test_verify_refuses_a_postgresql_schema_that_holds_no_store_and_creates_nothing(postgres_base_url):
    url, schema = fresh_schema_url(postgres_base_url)
    result = ceasefire("verify", "--database", url)
    assert result.exit_code == 2
    assert "no store at postgresql://" in one_line(result)
    with psycopg.connect(postgres_base_url.split("?")[0]) as connection:
        found = connection.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
    assert found is None


def test_verify_prints_a_readable_summary_and_json_on_request(database_url):
    ceasefire("load", "--database", database_url)

    summary = ceasefire("verify", "--database", database_url)
    as_json = ceasefire("verify", "--json", "--database", database_url)

    assert summary.exit_code == 0 and summary.stdout.startswith("ok: 82 entries")
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout) | {"root": None} == {"ok": True, "entries": 82, "root": None,
                                                            "first_bad_position": None, "bad_positions": [],
                                                            "failed_roots": []}


def tamper(database_url: str, statement: str) -> None:
    from api.app import open_store
    from api.settings import Settings

    store = open_store(Settings(database_url=database_url))
    try:
        with store.write() as tx:
            tx.run(statement)
    finally:
        store.close()


def test_verify_lists_every_tampered_position_and_exits_1(database_url):
    ceasefire("load", "--database", database_url)
    tamper(database_url, "UPDATE {s}ledger SET recorded_by = 'mallory' WHERE position IN (5, 40)")

    result = ceasefire("verify", "--database", database_url)

    assert result.exit_code == 1
    assert "FAILED" in result.stdout and "up to position 4" in result.stdout
    assert "(2): 5, 40" in result.stdout


def test_verify_names_an_entry_cut_out_of_the_log(tmp_path):
    url = f"sqlite:///{tmp_path}/store.sqlite3"
    ceasefire("load", "--database", url)
    tamper(url, "DELETE FROM ledger WHERE position = 10")

    result = ceasefire("verify", "--json", "--database", url)

    assert result.exit_code == 1
    assert json.loads(result.stdout) | {"root": None} == {"ok": False, "entries": 81, "root": None,
                                                          "first_bad_position": 10, "bad_positions": [10],
                                                          "failed_roots": []}


def test_replay_with_an_unreadable_time_is_one_line_naming_the_option(tmp_path):
    ceasefire("load", "--database", f"sqlite:///{tmp_path}/store.sqlite3")
    result = ceasefire("replay", "--recorded-at", "March 2025", "--database", f"sqlite:///{tmp_path}/store.sqlite3")
    assert result.exit_code == 2
    assert "--recorded-at: 'March 2025' is not an RFC 3339 time" in one_line(result)


def test_replay_of_the_seed_equals_the_projections(database_url):
    ceasefire("load", "--database", database_url)
    result = ceasefire("replay", "--recorded-at", "2099-01-01", "--known-at", "2024-08-20", "--database", database_url)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["equal"] is True


# --- settings that cannot work -------------------------------------------------------------------


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["load"], ["verify"]])
def test_an_unknown_role_in_the_tokens_is_one_line_and_exit_2_even_for_serve(command, tmp_path):
    done = run_process(*command, "--database", f"sqlite:///{tmp_path}/store.sqlite3", cwd=tmp_path,
                       CEASEFIRE_TOKENS="writer:ok,boss:secret")
    assert done.returncode == 2
    assert done.stderr.strip() == "ceasefire: CEASEFIRE_TOKENS: 'boss' is not 'role:token' or 'name=role:token'"


def test_a_postgresql_database_that_does_not_exist_is_named_with_what_to_do(postgres_base_url, tmp_path):
    base = postgres_base_url.split("?")[0].rsplit("/", 1)[0]
    done = run_process("serve", "--database", f"{base}/no_such_database_here", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert 'database "no_such_database_here" does not exist' in done.stderr and "createdb" in done.stderr


def test_an_unreachable_postgresql_server_is_one_line(tmp_path):
    done = run_process("load", "--database", f"postgresql://postgres@127.0.0.1:{free_port()}/test", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "cannot use PostgreSQL at 127.0.0.1" in done.stderr and "start PostgreSQL" in done.stderr
