"""The seed fixture is a valid batch of write requests, every line sourced."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import msgspec
import pytest

from domain.entries import (
    ClaimFields,
    CorrectionFields,
    PositionFields,
    ReportFields,
    RetractionFields,
    SourceFields,
    StanceFields,
)

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed.jsonl"

FIELDS_BY_OP = {
    "report": ReportFields,
    "source": SourceFields,
    "correct": CorrectionFields,
    "retract": RetractionFields,
    "claim": ClaimFields,
    "stance": StanceFields,
    "position": PositionFields,
}
# What a request body may carry beyond its field set: the server consumes these.
SERVER_FIELDS_BY_OP = {"report": ("id", "known_at")}
DEFAULT_SERVER_FIELDS = ("known_at",)

BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HTTP_URL = re.compile(r"^https?://\S+$")


def read_lines() -> list[tuple[int, dict]]:
    entries = []
    for number, raw in enumerate(SEED.read_text(encoding="utf-8").splitlines(), start=1):
        assert raw.strip(), f"line {number} is blank"
        entries.append((number, json.loads(raw)))
    return entries


LINES = read_lines()


def line_ids(entries: list[tuple[int, dict]]) -> list[str]:
    return [f"line{number}-{entry.get('op')}" for number, entry in entries]


def is_real_date(text: str) -> bool:
    if not BARE_DATE.match(text):
        return False
    date.fromisoformat(text)
    return True


def test_the_seed_fixture_is_not_empty():
    assert LINES


@pytest.mark.parametrize(("number", "entry"), LINES, ids=line_ids(LINES))
def test_every_line_is_a_known_op_with_a_body(number, entry):
    assert set(entry) <= {"op", "event_id", "claim_id", "body"}, f"line {number}: unknown top-level keys"
    assert entry["op"] in FIELDS_BY_OP, f"line {number}: unknown op {entry['op']!r}"
    assert isinstance(entry["body"], dict), f"line {number}: body is not an object"


@pytest.mark.parametrize(("number", "entry"), LINES, ids=line_ids(LINES))
def test_every_body_cites_a_dated_http_source(number, entry):
    source = entry["body"].get("source")
    assert isinstance(source, dict), f"line {number}: no source"
    assert HTTP_URL.match(source.get("url", "")), f"line {number}: source.url is not http(s)"
    published_at = source.get("published_at")
    assert isinstance(published_at, str) and is_real_date(published_at), (
        f"line {number}: source.published_at {published_at!r} is not YYYY-MM-DD"
    )
    assert source.get("publisher") and source.get("title"), f"line {number}: source lacks publisher or title"


@pytest.mark.parametrize(("number", "entry"), LINES, ids=line_ids(LINES))
def test_every_known_at_is_a_date_no_later_than_its_source(number, entry):
    body = entry["body"]
    if "known_at" not in body:
        return
    assert is_real_date(body["known_at"]), f"line {number}: known_at is not YYYY-MM-DD"
    assert body["known_at"] <= body["source"]["published_at"], (
        f"line {number}: known_at is later than the source's publication; leave it to default"
    )


@pytest.mark.parametrize(("number", "entry"), LINES, ids=line_ids(LINES))
def test_every_body_decodes_strictly_against_its_field_set(number, entry):
    op = entry["op"]
    server_fields = SERVER_FIELDS_BY_OP.get(op, DEFAULT_SERVER_FIELDS)
    fields = {name: value for name, value in entry["body"].items() if name not in server_fields}
    try:
        msgspec.convert(fields, FIELDS_BY_OP[op], strict=True)
    except msgspec.ValidationError as error:
        pytest.fail(f"line {number} ({op}): {error}")


def test_every_reference_names_an_event_or_claim_created_earlier():
    events: set[str] = set()
    claims: set[str] = set()
    for number, entry in LINES:
        op, body = entry["op"], entry["body"]
        if op == "report":
            assert "id" in body, f"line {number}: a report needs a fixed id"
            assert body["id"] not in events, f"line {number}: event id {body['id']} reused"
            events.add(body["id"])
            continue
        if op == "stance":
            assert entry.get("claim_id") in claims, f"line {number}: stance on a claim not made earlier"
            continue
        assert entry.get("event_id") in events, f"line {number}: {op} on an event not reported earlier"
        if op == "claim":
            assert body.get("claim_id"), f"line {number}: a claim needs a fixed claim_id"
            assert body["claim_id"] not in claims, f"line {number}: claim id {body['claim_id']} reused"
            claims.add(body["claim_id"])
        if op == "correct" and body.get("claim_id"):
            assert body["claim_id"] in claims, f"line {number}: correction of a claim not made earlier"
