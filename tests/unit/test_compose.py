"""compose.yaml and the Dockerfile wire the API to PostgreSQL with the settings the app reads."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_postgresql_16_with_a_health_check_and_a_volume():
    db = compose()["services"]["db"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in db["volumes"])


def test_the_api_service_reaches_the_database_it_waits_for():
    services = compose()["services"]
    api, db = services["api"], services["db"]["environment"]
    assert api["depends_on"]["db"]["condition"] == "service_healthy"
    url = api["environment"]["CEASEFIRE_DATABASE_URL"]
    assert url == f"postgresql://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@db:5432/{db['POSTGRES_DB']}"
    assert api["ports"] == ["8000:8000"]


def test_a_streaming_replica_is_a_base_backup_of_the_primary_that_the_api_reads_from():
    services = compose()["services"]
    replica, db = services["replica"], services["db"]["environment"]
    assert replica["image"] == services["db"]["image"]
    assert replica["depends_on"]["db"]["condition"] == "service_healthy"
    script = " ".join(replica["command"])
    assert "pg_basebackup -h db" in script and " -R " in script and "-X stream" in script
    assert replica["environment"]["PGPASSWORD"] == db["POSTGRES_PASSWORD"]
    assert "host replication" in compose()["configs"]["allow-replication"]["content"]
    read_url = services["api"]["environment"]["CEASEFIRE_READ_DATABASE_URL"]
    assert read_url == f"postgresql://{db['POSTGRES_USER']}:{db['POSTGRES_PASSWORD']}@replica:5432/{db['POSTGRES_DB']}"
    assert Settings.from_env(read_database_url=read_url).read_database_urls == [read_url]


def test_two_api_processes_share_one_configuration_and_one_signing_key_on_their_own_ports():
    services = compose()["services"]
    first, second = services["api"], services["api-2"]
    assert first["environment"] == second["environment"]
    assert first["depends_on"] == second["depends_on"]
    assert {first["ports"][0], second["ports"][0]} == {"8000:8000", "8001:8000"}
    assert first["environment"]["CEASEFIRE_SIGNING_KEY"].startswith("${CEASEFIRE_SIGNING_KEY:?")  # required, not generated


def test_every_variable_compose_sets_is_one_the_app_reads():
    variables = set(compose()["services"]["api"]["environment"])
    read = set(re.findall(r'"(CEASEFIRE_[A-Z_]+)"', (ROOT / "api/settings.py").read_text()))
    assert variables <= read
    settings = Settings.from_env()
    assert settings.database_url  # the settings object the app builds from the same names


def test_the_image_is_slim_runs_as_a_non_root_user_and_serves_port_8000():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.\d+-slim", dockerfile, re.M)
    user = re.search(r"^USER (\S+)", dockerfile, re.M).group(1)
    assert user not in ("root", "0")
    assert "--port\", \"8000\"" in dockerfile and "EXPOSE 8000" in dockerfile


def test_the_image_holds_the_service_and_its_fixtures_but_not_the_benchmarks():
    copied = re.findall(r"^COPY (\S+)", (ROOT / "Dockerfile").read_text(), re.M)
    assert {"domain", "adapters", "projections", "api", "fixtures"} <= set(copied)
    assert "bench" not in copied
