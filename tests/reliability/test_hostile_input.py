"""Hostile and malformed requests: always a 4xx problem, never a 5xx, and nothing stored (SPEC §5).

The corpus is generated below, one case per test: bodies that are not JSON or
not UTF-8, bodies nested 10,000 deep, every field of every write with a wrong
type, oversized strings and lists, unknown fields, bad EDTF dates and RFC 3339
times, ids that are not UUIDs, bad query parameters on every GET, bad headers,
missing or wrong tokens, and methods the append-only API does not have. Each
must answer a 4xx `application/problem+json` (with the exact status where the
spec fixes one, and the offending field named where it is a body's field),
and the log must not grow.

Script and SQL text is not invalid: in any string field of an otherwise valid
body it is stored and comes back byte for byte, as JSON, from every read.
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from litestar.testing import TestClient

from api.app import create_app
from api.settings import Settings
from tests.conftest import drop_schema, fresh_schema_url
from tests.reliability.conftest import AUDITOR, SIGNING_KEY, WRITER

PROBLEM = "application/problem+json"
UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"
SOURCE = {"publisher": "Reuters", "title": "A report", "url": "https://example.org/r", "published_at": "2025-03-11"}
DEEP = 10_000
NO_BODY = object()


def report(**fields) -> dict:
    return {"kind": "talks", "title": "Jeddah talks", "summary": "Talks in Jeddah", "occurred": "2025-03-11",
            "places": [{"name": "Jeddah", "country": "SA", "lat": 21.5, "lon": 39.2}],
            "actors": [{"name": "Ukraine", "role": "party", "wikidata": "Q212"}],
            "track": "us-brokered-2025", "tags": ["ceasefire"],
            "codes": {"acled_event_type": "Strategic developments"}, "source": SOURCE, **fields}


# Every write, aimed at the events the fixture seeds ({event}, {claim}, {retracted}, {battle}), with a valid body.
WRITES: dict[str, tuple[str, dict]] = {
    "report": ("/v1/events", report()),
    "source": ("/v1/events/{event}/sources", {"source": SOURCE}),
    "correction": ("/v1/events/{event}/corrections", {"changes": {"title": "Corrected"}, "reason": "typo",
                                                      "source": SOURCE}),
    "retraction": ("/v1/events/{event}/retractions", {"reason": "it was false", "source": SOURCE}),
    "reinstatement": ("/v1/events/{retracted}/reinstatements", {"reason": "a mistake", "source": SOURCE}),
    "claim": ("/v1/events/{event}/claims", {"claimant": "ISW", "statement": "Encircled", "source": SOURCE}),
    "stance": ("/v1/claims/{claim}/stances", {"by": "ISW", "stance": "disputes", "source": SOURCE}),
    "position": ("/v1/events/{event}/positions", {"party": "Ukraine", "position": "accepts", "source": SOURCE}),
    "batch": ("/v1/batch", {"entries": [{"op": "report", "body": report()}]}),
}


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    body: Any = NO_BODY  # encoded as JSON (None too), unless `content` is given
    content: bytes | None = None
    headers: dict = field(default_factory=lambda: dict(WRITER))
    status: int | None = None  # the status the spec fixes, when it fixes one
    field: str | None = None  # the field the problem must name


def with_value(body: dict, path: tuple, value: Any) -> dict:
    """A deep copy of `body` with the value at `path` replaced."""
    changed = copy.deepcopy(body)
    target = changed
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return changed


def without(body: dict, name: str) -> dict:
    return {k: v for k, v in body.items() if k != name}


def field_name(path: tuple) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


# --- bodies that are not JSON, not UTF-8, or nested past any sense: 400 ------------------------

MALFORMED = {
    "empty": b"",
    "whitespace-only": b"  \n\t ",
    "truncated-object": b'{"kind": "talks", "title": ',
    "open-brace": b"{",
    "trailing-comma": b'{"kind": "talks",}',
    "single-quotes": b"{'kind': 'talks'}",
    "bare-word": b"talks",
    "nan-literal": b'{"title": NaN}',
    "number-out-of-range": b'{"title": 1e999}',
    "two-documents": b"{} {}",
    "bad-escape": b'{"title": "\\x41"}',
    "unterminated-string": b'{"title": "abc}',
    "nul-byte": b"\x00",
    "raw-control-character": b'{"title": "a\x01b"}',
    "lone-surrogate-escape": b'{"title": "\\ud800"}',
    "byte-order-mark": b"\xef\xbb\xbf{}",
    "form-encoded": b"kind=talks&title=Jeddah",
    "invalid-utf8": b'{"title": "\xff\xfe"}',
    "overlong-utf8": b'{"title": "\xc0\xaf"}',
    "utf8-encoded-surrogate": b'{"title": "\xed\xa0\x80"}',
    "truncated-utf8": b'{"title": "\xe2\x82"}',
    "latin-1": '{"title": "Café"}'.encode("latin-1"),
    "utf-16": '{"kind": "talks"}'.encode("utf-16"),
    "array-nested-10000-deep": b"[" * DEEP + b"]" * DEEP,
    "object-nested-10000-deep": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
}


def malformed_cases() -> list[Case]:
    cases = [Case(f"{name}-to-{write}", "POST", path, content=content,
                  headers={**WRITER, "Content-Type": "application/json"}, status=400)
             for write, (path, _) in WRITES.items() for name, content in MALFORMED.items()]
    deep_list = "[" * DEEP + "]" * DEEP
    deep_object = '{"a":' * DEEP + "1" + "}" * DEEP
    for name, path, body, where in [
        ("title", "/v1/events", report(), ("title",)),
        ("unknown-field", "/v1/events", report(), ("unknown",)),
        ("changes", "/v1/events/{event}/corrections", WRITES["correction"][1], ("changes",)),
        ("correction-value", "/v1/events/{event}/corrections", WRITES["correction"][1], ("changes", "summary")),
        ("batch-entry-body", "/v1/batch", {"entries": [{"op": "report", "body": None}]}, ("entries", 0, "body")),
    ]:
        for shape, deep in (("array", deep_list), ("object", deep_object)):
            text = json.dumps(with_value(body, where, "@@DEEP@@")).replace('"@@DEEP@@"', deep)
            cases.append(Case(f"{shape}-nested-10000-deep-in-{name}", "POST", path, content=text.encode(),
                              headers={**WRITER, "Content-Type": "application/json"}, status=400))
    return cases


# --- wrong types, wrong values, oversized and unknown fields in bodies: 422 naming the field ---

REPORT_FIELDS: list[tuple[tuple, list]] = [  # (the field's path, bad values for it)
    (("kind",), [1, None, [], {}, True, "picnic", "TALKS", ""]),
    (("title",), [1, None, [], {}, False, 1.5, "", "x" * 301, "x" * 100_000]),
    (("summary",), [1, [], {}, "x" * 20_001]),
    (("occurred",), [2015, None, [], {}, 2015.5]),
    (("places",), ["Jeddah", {}, 1]),
    (("places", 0), ["Jeddah", 1, None]),
    (("places", 0, "name"), [1, None, "", []]),
    (("places", 0, "country"), [1, None, "Saudi Arabia", "sa", "S1", ""]),
    (("places", 0, "subdivision"), [5, "SA_01", "sa-01", "<script>"]),
    (("places", 0, "lat"), ["north", 91, -90.5, [], {}]),
    (("places", 0, "lon"), ["east", 180.01, -181]),
    (("actors",), ["Ukraine", 1, {}]),
    (("actors", 0), ["Ukraine", 1]),
    (("actors", 0, "name"), [1, "", None, {}]),
    (("actors", 0, "role"), ["referee", 1, None, "PARTY", ""]),
    (("actors", 0, "wikidata"), [42, "42", "Qx", "Q", "q212"]),
    (("track",), [1, [], {}, "Minsk track", "-minsk", "<script>alert(1)</script>",
                 "'; DROP TABLE ledger; --", "x" * 101]),
    (("tags",), ["ceasefire", 1, {}]),
    (("tags", 0), [1, "", "x" * 101, None]),
    (("codes",), ["x", [], 1]),
    (("codes", "acled_event_type"), [1, "", [], "x" * 2001]),
    (("source",), [None, "x", [], 1]),
    (("source", "publisher"), [1, "", None, "x" * 2001]),
    (("source", "title"), [1, "", None]),
    (("source", "url"), [1, None, "", "javascript:alert(1)", "ftp://example.org/r", "https://exa mple.org",
                         "example.org", "<script>alert(1)</script>", "https://" + "x" * 2000]),
    (("source", "published_at"), [1, [], "yesterday", "2015-02-30", "2015-02-12T09:00:00", "9999-99-99"]),
    (("source", "quote"), [1, [], "x" * 20_001]),
    (("source", "archive_url"), ["x", 1, "javascript:alert(1)"]),
    (("source", "reliability"), ["G", 1, "a", "AB", ""]),
    (("known_at",), [1, [], {}]),
    (("id",), [1, "not-a-uuid", "<script>", "'; DROP TABLE ledger; --", UNKNOWN_ID + "0"]),
]
LISTS_TOO_LONG = [
    ("places", [{"name": "Jeddah", "country": "SA"}] * 101),
    ("actors", [{"name": "Ukraine", "role": "party"}] * 101),
    ("tags", ["t"] * 51),
]
WRITE_FIELDS: dict[str, list[tuple[tuple, list]]] = {
    "source": [(("source",), [None, 1, "x", []]), (("source", "url"), [1, "not a url"]),
               (("known_at",), [1, "yesterday"]), (("expected_version",), ["x", [], 1.5])],
    "correction": [(("changes",), [[], "x", 1, None]), (("changes", "title"), [1, "", None, "x" * 301]),
                   (("changes", "kind"), [None, "picnic"]), (("changes", "occurred"), [None, "yesterday", 2015]),
                   (("changes", "places"), ["Jeddah", 5]), (("changes", "track"), ["Minsk track", 5]),
                   (("reason",), [1, "", None, []]), (("claim_id",), ["x", 1]),
                   (("expected_version",), ["x", []])],
    "retraction": [(("reason",), [1, "", None]), (("duplicate_of",), ["x", 1, UNKNOWN_ID])],
    "reinstatement": [(("reason",), [1, "", None])],
    "claim": [(("claimant",), [1, "", None]), (("statement",), [1, None, "x" * 20_001]),
              (("claim_id",), ["x", 1])],
    "stance": [(("by",), [1, "", None]), (("stance",), ["likes", "", 1, None, "Disputes"]),
               (("statement",), [1, []])],
    "position": [(("party",), [[], "", 1, None]), (("position",), ["maybe", 1, None, "signed"]),
                 (("conditions",), [1, []]), (("statement",), [1, {}])],
}
REQUIRED = {"report": ["kind", "title", "occurred", "source"], "source": ["source"],
            "correction": ["changes", "reason", "source"], "retraction": ["reason", "source"],
            "reinstatement": ["reason", "source"], "claim": ["claimant", "statement", "source"],
            "stance": ["by", "stance", "source"], "position": ["party", "position", "source"]}
BAD_EDTF = ["", "yesterday", "2015-13", "2015-02-30", "2015-00", "15-02-12", "2015/02/12", "12.02.2015",
            "2015-02-12/2015-02-11", "2015-02-12T25:00:00Z", "../..", "2015~?~", "2015-02-12//", "10000",
            "0000", "x" * 65, "<script>alert(1)</script>", "'; DROP TABLE ledger; --", "2015-02-12\u0000"]
BAD_TIMES = ["", "yesterday", "now", "2015-02-12T09:00:00", "2015-02-12T09:00", "2015-02-30T00:00:00Z",
             "2015-02-12T25:00:00Z", "2015-02-12T09:60:00Z", "2015-02-12T09:00:00+25:00", "0000-01-01T00:00:00Z",
             "2999-01-01T00:00:00Z", "20150212T090000Z", "2015-02-12T09:00:00.Z", "1423731600",
             "<script>alert(1)</script>", "'; DROP TABLE ledger; --"]


def body_cases() -> list[Case]:
    cases, events = [], WRITES["report"][0]
    for where, values in REPORT_FIELDS:
        for n, value in enumerate(values):
            cases.append(Case(f"report-{field_name(where)}-bad-{n}", "POST", events,
                              with_value(report(), where, value), status=422, field=field_name(where)))
    for name, value in LISTS_TOO_LONG:
        cases.append(Case(f"report-{name}-too-long", "POST", events, report(**{name: value}), status=422, field=name))
    for n, value in enumerate(BAD_EDTF):
        cases.append(Case(f"report-occurred-edtf-{n}", "POST", events, report(occurred=value),
                          status=422, field="occurred"))
    for n, value in enumerate(BAD_TIMES):
        cases.append(Case(f"report-known_at-rfc3339-{n}", "POST", events, report(known_at=value),
                          status=422, field="known_at"))
    for write, entries in WRITE_FIELDS.items():
        path, body = WRITES[write]
        for where, values in entries:
            for n, value in enumerate(values):
                cases.append(Case(f"{write}-{field_name(where)}-bad-{n}", "POST", path,
                                  with_value(body, where, value), status=422, field=field_name(where)))
    for write, names in REQUIRED.items():
        path, body = WRITES[write]
        for name in names:
            cases.append(Case(f"{write}-missing-{name}", "POST", path, without(body, name), status=422, field=name))
    for write, (path, body) in WRITES.items():
        for name in ("unknown", "__proto__", "constructor", "position", "recorded_at", "hash", "recorded_by"):
            if name not in body:
                cases.append(Case(f"{write}-unknown-field-{name}", "POST", path, {**body, name: 1},
                                  status=422, field=name))
        for value in ([], "x", 1, None):
            cases.append(Case(f"{write}-body-is-{type(value).__name__}", "POST", path, value, status=422))
    for where in (("source", "unknown"), ("places", 0, "unknown"), ("actors", 0, "unknown"), ("codes", "unknown")):
        cases.append(Case(f"report-unknown-field-{field_name(where)}", "POST", events,
                          with_value(report(), where, "x"), status=422, field=field_name(where)))
    cases += [
        Case("report-source-empty-object", "POST", events, report(source={}), status=422, field="source.publisher"),
        Case("report-huge-unknown-field", "POST", events, {**report(), "padding": "x" * 900_000}, status=422),
        Case("report-many-unknown-fields", "POST", events, {**report(), **{f"f{n}": n for n in range(5000)}},
             status=422),
        Case("report-over-one-mebibyte", "POST", events, report(summary="x" * (1024 * 1024)), status=413),
        Case("batch-over-one-mebibyte", "POST", "/v1/batch",
             {"entries": [{"op": "report", "body": report(summary="x" * 20_000)}] * 60}, status=413),
        Case("correction-changes-nothing", "POST", WRITES["correction"][0],
             with_value(WRITES["correction"][1], ("changes",), {}), status=422, field="changes"),
        Case("correction-changes-unknown", "POST", WRITES["correction"][0],
             with_value(WRITES["correction"][1], ("changes",), {"recorded_at": "2015-02-12T00:00:00Z"}),
             status=422, field="changes.recorded_at"),
        Case("correction-changes-200-deep", "POST", WRITES["correction"][0],
             with_value(WRITES["correction"][1], ("changes",), {"summary": json.loads("[" * 200 + "]" * 200)}),
             status=422, field="changes.summary"),
        Case("correction-names-an-unknown-claim", "POST", WRITES["correction"][0],
             {**WRITES["correction"][1], "changes": {"statement": "x"}, "claim_id": UNKNOWN_ID}, status=422),
        Case("retraction-duplicate-of-itself", "POST", WRITES["retraction"][0],
             {**WRITES["retraction"][1], "duplicate_of": "{event}"}, status=422, field="duplicate_of"),
        Case("reinstating-an-event-not-retracted", "POST", "/v1/events/{event}/reinstatements",
             WRITES["reinstatement"][1], status=409),
        Case("claim-id-already-taken", "POST", WRITES["claim"][0], {**WRITES["claim"][1], "claim_id": "{claim}"},
             status=409),
        Case("report-id-already-taken", "POST", events, report(id="{event}"), status=409),
        Case("position-on-a-battle", "POST", "/v1/events/{battle}/positions", WRITES["position"][1], status=422),
        Case("correction-stale-expected-version", "POST", WRITES["correction"][0],
             {**WRITES["correction"][1], "expected_version": 99}, status=409),
        Case("correction-huge-expected-version", "POST", WRITES["correction"][0],
             {**WRITES["correction"][1], "expected_version": 10 ** 30}),
        Case("correction-known-in-the-future", "POST", WRITES["correction"][0],
             {**WRITES["correction"][1], "known_at": "2999-01-01T00:00:00Z"}, status=422, field="known_at"),
    ]
    for n, value in enumerate(BAD_TIMES[:6]):
        cases.append(Case(f"report-source-published_at-{n}", "POST", events,
                          report(source={**SOURCE, "published_at": value}), status=422, field="source.published_at"))
    for n, value in enumerate(BAD_EDTF[:5]):
        cases.append(Case(f"correction-changes-occurred-edtf-{n}", "POST", WRITES["correction"][0],
                          with_value(WRITES["correction"][1], ("changes",), {"occurred": value}),
                          status=422, field="changes.occurred"))
    return cases


def batch_cases() -> list[Case]:
    """Atomic batches: any bad entry refuses the whole batch, and the problem names the entry."""
    valid = {"op": "report", "body": report()}
    source_of = {"op": "source", "event_id": "{event}", "body": {"source": SOURCE}}
    bad = [
        ("entries-string", {"entries": "x"}, 422, "entries"), ("entries-object", {"entries": {}}, 422, "entries"),
        ("entries-empty", {"entries": []}, 422, "entries"), ("entries-missing", {}, 422, "entries"),
        ("too-many-entries", {"entries": [source_of] * 1001}, 422, "entries"),
        ("top-unknown-field", {"entries": [valid], "unknown": 1}, 422, "unknown"),
        ("entry-is-a-number", {"entries": [1]}, 422, "entries[0]"),
        ("op-unknown", {"entries": [{"op": "delete", "body": {}}]}, 422, "entries[0].op"),
        ("op-missing", {"entries": [{"body": report()}]}, 422, "entries[0].op"),
        ("body-missing", {"entries": [{"op": "report"}]}, 422, "entries[0].body"),
        ("body-string", {"entries": [{"op": "report", "body": "x"}]}, 422, "entries[0].body"),
        ("entry-unknown-field", {"entries": [{**valid, "unknown": 1}]}, 422, "entries[0].unknown"),
        ("body-invalid", {"entries": [{"op": "report", "body": report(kind="picnic")}]}, 422, "entries[0].body.kind"),
        ("source-without-event", {"entries": [{"op": "source", "body": {"source": SOURCE}}]}, 422,
         "entries[0].event_id"),
        ("stance-without-claim", {"entries": [{"op": "stance", "body": WRITES["stance"][1]}]}, 422,
         "entries[0].claim_id"),
        ("second-entry-invalid", {"entries": [valid, {"op": "report", "body": report(occurred="yesterday")}]}, 422,
         "entries[1].body.occurred"),
        ("last-entry-names-an-unknown-event",
         {"entries": [valid, source_of, valid, {**source_of, "event_id": UNKNOWN_ID}]}, 404, "entries[3]"),
        ("event-id-not-a-uuid", {"entries": [{**source_of, "event_id": "'; DROP TABLE ledger; --"}]}, 404,
         "entries[0]"),
    ]
    return [Case(f"batch-{name}", "POST", "/v1/batch", body, status=status, field=named)
            for name, body, status, named in bad]


# --- ids that are not UUIDs, and unknown ones: 404 -----------------------------------------

BAD_IDS = ["not-a-uuid", "1", UNKNOWN_ID[:-1] + "g", UNKNOWN_ID + "0", "%27%3B%20DROP%20TABLE%20ledger%3B%20--",
           "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fetc%2Fpasswd", "%00", "x" * 2000, UNKNOWN_ID]


def path_cases() -> list[Case]:
    cases = []
    for n, bad in enumerate(BAD_IDS):
        for template in ("/v1/events/{id}", "/v1/events/{id}/history", "/v1/claims/{id}",
                         "/v1/analysis/lead-up/{id}"):
            cases.append(Case(f"GET-{template}-id-{n}", "GET", template.replace("{id}", bad), status=404))
        for write, (path, body) in WRITES.items():
            if "{" in path:
                target = path.replace("{event}", bad).replace("{claim}", bad).replace("{retracted}", bad)
                cases.append(Case(f"POST-{write}-id-{n}", "POST", target, body, status=404))
    for n, position in enumerate(["abc", "-1", "0", "1.5", "99999999999999999999999", "%00"]):
        cases.append(Case(f"proof-position-{n}", "GET", f"/v1/audit/proof/{position}", status=404))
    return cases


# --- bad query parameters on every GET, and bad headers: 400 ---------------------------------

def cursor(payload: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


BAD_CURSORS = ["garbage", "!!!", cursor({"k": 1}), cursor([1, 2, 3]), cursor({"k": "a", "r": 1, "after": []}),
               cursor({"k": 2 ** 70, "r": 1, "after": ["2015-01-01", UNKNOWN_ID]}),
               cursor({"k": 1, "r": -2 ** 70, "after": ["2015-01-01", UNKNOWN_ID]})]


def query_cases() -> list[Case]:
    times = ["yesterday", "2015-02-12T09:00:00", "2015", "2015-02-30T00:00:00Z", "'; DROP TABLE ledger; --"]
    huge = str(2 ** 64)
    bad: dict[str, list[dict]] = {
        "/v1/timeline": [{"known_at": t} for t in times] + [{"recorded_at": t} for t in times] + [
            {"from": "yesterday"}, {"to": "2015-13"}, {"from": "<script>"}, {"to": "2015-02-30"},
            {"kind": "picnic"}, {"kind": "talks,picnic"}, {"kind": "'; DROP TABLE ledger; --"},
            {"include_retracted": "maybe"}, {"include_retracted": "<script>"},
            {"limit": "0"}, {"limit": "1001"}, {"limit": "abc"}, {"limit": "-1"}, {"limit": "1.5"}, {"limit": huge},
            *({"cursor": c} for c in BAD_CURSORS),
            {"cursor": cursor({"k": 1, "r": 1, "after": [1, 2, 3]})},
            {"cursor": cursor({"k": 1, "r": 1, "after": [1, 2]})}],
        "/v1/events/{event}": [{"known_at": t} for t in times] + [{"recorded_at": t} for t in times[:2]],
        "/v1/events/{event}/history": [{"after": "-1"}, {"after": "abc"}, {"after": huge}, {"limit": "0"},
                                       {"limit": "1001"}, {"known_at": "yesterday"}, {"recorded_at": "2015"}],
        "/v1/claims/{claim}": [{"known_at": t} for t in times[:3]] + [{"recorded_at": "now"}],
        "/v1/tracks/us-brokered-2025": [{"known_at": "yesterday"}, {"recorded_at": "2015"},
                                        {"include_retracted": "2"}],
        "/v1/changes": [{}, {"since": "yesterday"}, {"since": "2015-02-12T09:00"}, {"since": "2015", "until": "x"},
                        {"since": "2015-01-01", "recorded_at": "x"}, {"since": "2015-01-01", "limit": "0"},
                        {"since": "2015-01-01", "limit": "abc"},
                        *({"cursor": c} for c in BAD_CURSORS),
                        {"cursor": cursor({"k": 1, "r": 1, "after": ["a", "b"]})},
                        {"cursor": cursor({"k": 1, "r": 1, "after": ["x", 1, 1]})},
                        {"cursor": cursor({"k": 1, "r": 1, "after": [2 ** 70, 1, 1]})}],
        "/v1/analysis/lead-up/{event}": [{"days": "-1"}, {"days": "3651"}, {"days": "abc"}, {"days": huge},
                                         {"known_at": "yesterday"}, {"limit": "0"}, {"limit": "1001"},
                                         {"limit": "abc"}, {"limit": huge}, *({"cursor": c} for c in BAD_CURSORS),
                                         {"cursor": cursor({"k": 1, "r": 1, "after": [1, 2]})}],
        "/v1/log": [{"after": "-1"}, {"after": "abc"}, {"after": huge}, {"limit": "0"}, {"limit": "1001"},
                    {"limit": "x"}],
        "/v1/audit/replay": [{"recorded_at": t} for t in times[:3]] + [{"known_at": "yesterday"}],
        "/v1/audit/proof/1": [{"tree_size": "-1"}, {"tree_size": "abc"}, {"tree_size": huge}],
        "/v1/audit/consistency": [{"from_size": "-1"}, {"from_size": "abc"}, {"to_size": huge}, {"from_size": huge},
                                  {"from_size": "0"}, {"from_size": "2", "to_size": "1"}],
        "/v1/stream": [{"after": "-1"}, {"after": "abc"}, {"after": huge}, {"from": "yesterday"},
                       {"to": "2015-13"}],
    }
    cases = []
    for path, params_list in bad.items():
        for n, params in enumerate(params_list):
            query = "&".join(f"{k}={v}" for k, v in params.items())
            cases.append(Case(f"GET-{path}-{n}", "GET", f"{path}?{query}" if query else path,
                              headers=dict(AUDITOR), status=400))
    for value in ("abc", "-1", "1.5", str(2 ** 64)):
        cases.append(Case(f"stream-Last-Event-ID-{value}", "GET", "/v1/stream",
                          headers={"Last-Event-ID": value}, status=400))
    correction_path, correction = WRITES["correction"]
    for value in ("abc", '"x"', "W/", "-1", '"1.5"'):
        cases.append(Case(f"If-Match-{value}", "POST", correction_path, correction,
                          headers={**WRITER, "If-Match": value}, status=400))
    cases.append(Case("Idempotency-Key-too-long", "POST", "/v1/events", report(),
                      headers={**WRITER, "Idempotency-Key": "k" * 201}, status=400))
    return cases


# --- who may do what, and what nobody may do ---------------------------------------------------

def auth_cases() -> list[Case]:
    cases = []
    for write in ("report", "correction", "stance", "batch"):
        path, body = WRITES[write]
        for name, headers, status in [
            ("no-token", {}, 401), ("wrong-token", {"Authorization": "Bearer nope"}, 401),
            ("empty-bearer", {"Authorization": "Bearer "}, 401),
            ("basic-auth", {"Authorization": "Basic d3JpdGVyOndyaXRlci10b2tlbg=="}, 401),
            ("token-without-scheme", {"Authorization": "writer-token"}, 401),
            ("sql-token", {"Authorization": "Bearer ' OR '1'='1"}, 401),
            ("auditor-writes", dict(AUDITOR), 403),
        ]:
            cases.append(Case(f"{write}-{name}", "POST", path, body, headers=headers, status=status))
    for path in ("/v1/log", "/v1/audit/verify", "/v1/audit/replay"):
        cases.append(Case(f"GET-{path}-no-token", "GET", path, headers={}, status=401))
        cases.append(Case(f"GET-{path}-writer", "GET", path, headers=dict(WRITER), status=403))
    for method, path in [("DELETE", "/v1/events/{event}"), ("PUT", "/v1/events/{event}"),
                         ("PATCH", "/v1/events/{event}"), ("DELETE", "/v1/log"), ("PUT", "/v1/claims/{claim}"),
                         ("DELETE", "/v1/claims/{claim}"), ("PUT", "/v1/events/{event}/history"),
                         ("GET", "/v1/batch"), ("POST", "/v1/audit/verify")]:
        cases.append(Case(f"{method}-{path}", method, path, body=report() if method != "DELETE" else NO_BODY,
                          status=405))
    return cases


# --- round 2: what used to get through (SPEC §2, §5 round 2) -----------------------------------

GETS = ["/v1/timeline", "/v1/events/{event}", "/v1/events/{event}/history", "/v1/claims/{claim}",
        "/v1/tracks/us-brokered-2025", "/v1/changes?since=2015-01-01", "/v1/analysis/lead-up/{event}", "/v1/log",
        "/v1/audit/verify", "/v1/audit/replay", "/v1/audit/root", "/v1/audit/proof/1", "/v1/audit/consistency",
        "/v1/stream", "/health", "/ready"]
CALENDAR = ["2023-02-29", "1999-02-29T10:00:00", "15XX-02-30", "2015/2016/2017", "\u0662\u0660\u0661\u0665",
            "\uff12\uff10\uff11\uff15", " 2015", "2015 ", "-0100", "Y20000"]


def round_two_cases() -> list[Case]:
    cases, events = [], WRITES["report"][0]
    for path in GETS:
        joiner = "&" if "?" in path else "?"
        for name in ("knownat", "known-at", "recordedAt"):
            cases.append(Case(f"GET-{path}-unknown-{name}", "GET", f"{path}{joiner}{name}=2024-08-10",
                              headers=dict(AUDITOR), status=400, field=name))
    for write, (path, body) in WRITES.items():
        cases.append(Case(f"{write}-unknown-query-parameter", "POST", f"{path}?dry_run=1", body, status=400,
                          field="dry_run"))
        for content_type in ("text/plain", "application/xml", "multipart/form-data; boundary=x"):
            cases.append(Case(f"{write}-as-{content_type}", "POST", path, content=json.dumps(body).encode(),
                              headers={**WRITER, "Content-Type": content_type}, status=415))
    for query, name in [("from=2025-04&to=2025-03", "from"), ("from=2025-03-12&to=2025-03-11", "from")]:
        cases.append(Case(f"timeline-inverted-{query}", "GET", f"/v1/timeline?{query}", status=400, field=name))
    cases.append(Case("changes-inverted", "GET", "/v1/changes?since=2025-03-12&until=2025-03-11", status=400,
                      field="since"))
    for n, value in enumerate(CALENDAR):
        cases.append(Case(f"report-occurred-round-2-{n}", "POST", events, report(occurred=value), status=422,
                          field="occurred"))
    for name, changed, where in [
        ("blank-title", {"title": " \t "}, "title"),
        ("unassigned-country", {"places": [{"name": "Kursk", "country": "ZZ", "subdivision": "RU-KRS"}]},
         "places[0].country"),
        ("subdivision-of-another-country", {"places": [{"name": "Kursk", "country": "UA", "subdivision": "RU-KRS"}]},
         "places[0].subdivision"),
        ("padded-country", {"places": [{"name": "Kursk", "country": " RU"}]}, "places[0].country"),
        ("acled-type-not-in-taxonomy", {"codes": {"acled_event_type": "Fighting"}}, "codes.acled_event_type"),
        ("plover-lowercase", {"codes": {"plover": "agree"}}, "codes.plover"),
        ("pax-stage-padded", {"codes": {"pax_stage": "Pre "}}, "codes.pax_stage"),
        ("padded-kind", {"kind": " talks"}, "kind"),
        ("padded-known-at", {"known_at": "2025-03-11 "}, "known_at"),
    ]:
        cases.append(Case(f"report-{name}", "POST", events, report(**changed), status=422, field=where))
    cases.append(Case("correction-blank-title", "POST", WRITES["correction"][0],
                      with_value(WRITES["correction"][1], ("changes",), {"title": "   "}), status=422,
                      field="changes.title"))
    return cases


CORPUS = (malformed_cases() + body_cases() + batch_cases() + path_cases() + query_cases() + auth_cases()
          + round_two_cases())
assert len(CORPUS) >= 200 and len({case.id for case in CORPUS}) == len(CORPUS)


# --- the store the corpus is sent to ---------------------------------------------------------

class Api:
    def __init__(self, client: TestClient):
        self.client = client
        created = self.post("/v1/events", report(title="The event every case aims at"))
        retracted = self.post("/v1/events", report(title="A retracted event"))
        self.post(f"/v1/events/{retracted['id']}/retractions", {"reason": "false", "source": SOURCE})
        battle = self.post("/v1/events", report(kind="battle", title="A battle"))
        claim = self.post(f"/v1/events/{created['id']}/claims", WRITES["claim"][1])
        self.ids = {"event": created["id"], "retracted": retracted["id"], "battle": battle["id"],
                    "claim": claim["claim_id"]}

    def post(self, path: str, body: dict) -> dict:
        response = self.client.post(path, json=body, headers=WRITER)
        assert response.status_code == 201, response.text
        return response.json()

    def fill(self, value: Any) -> Any:
        """The seeded ids in place of {event}, {claim}, … in paths and bodies."""
        if isinstance(value, str):
            for name, known in self.ids.items():
                value = value.replace("{" + name + "}", known)
            return value
        if isinstance(value, list):
            return [self.fill(item) for item in value]
        if isinstance(value, dict):
            return {key: self.fill(item) for key, item in value.items()}
        return value

    def send(self, case: Case):
        content = case.content
        headers = dict(case.headers)
        if content is None and case.body is not NO_BODY:
            content = json.dumps(self.fill(case.body)).encode()
            headers.setdefault("Content-Type", "application/json")
        return self.client.request(case.method, self.fill(case.path), content=content, headers=headers)

    def log_size(self) -> int:
        return self.client.get("/ready").json()["log_position"]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(request, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hostile")
    if request.param == "sqlite":
        url, cleanup = f"sqlite:///{data_dir}/store.sqlite3", None
    else:
        base = request.getfixturevalue("postgres_base_url")
        url, schema = fresh_schema_url(base)
        cleanup = (base, schema)
    settings = Settings(database_url=url, tokens="writer:writer-token,auditor:auditor-token",
                        signing_key=SIGNING_KEY)
    try:
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            yield Api(client)
    finally:
        if cleanup:
            drop_schema(*cleanup)


@pytest.mark.parametrize("case", CORPUS, ids=[case.id[:120] for case in CORPUS])
def test_a_hostile_request_is_a_4xx_problem_and_stores_nothing(api, case):
    before = api.log_size()
    response = api.send(case)

    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text[:500]}"
    if case.status is not None:
        assert response.status_code == case.status, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == response.status_code
    assert isinstance(problem["detail"], str) and problem["detail"]
    if case.field is not None:
        assert case.field in [error["field"] for error in problem["errors"]], problem
        assert case.field in problem["detail"]
    assert api.log_size() == before, "a refused request stored something"


# --- script and SQL text is data: stored, and answered byte for byte, as JSON ---------------

HOSTILE_TEXT = [
    "<script>alert(1)</script>",
    "'; DROP TABLE ledger; --",
    "Robert'); DROP TABLE stored_events;--",
    "\" OR \"1\"=\"1\" --",
    "1; SELECT pg_sleep(10); --",
    "<img src=x onerror=alert(document.cookie)>",
    "</script><script>alert(1)</script>",
    "{{7*7}} ${7*7} #{7*7} %s %n",
    "%_\\% LIKE wildcards _ and %",
    "\\u0000 \\n a literal backslash-u and backslash-n",
    "line\nbreak\ttab\r\nreturn",
    "\u202eRTL override\u202c, zero\u200bwidth, \ufeffBOM",
    "Emoji 🕊️, 中文, العربية, Ελληνικά, 𝕏",
    "NUL \u0000 inside",
    "../../../etc/passwd",
    "a" * 100,
]


def url_with(text: str) -> str:
    return "https://example.org/" + "".join(text.split())  # a URL takes no whitespace


@pytest.mark.parametrize("text", HOSTILE_TEXT, ids=[f"text-{n}" for n in range(len(HOSTILE_TEXT))])
def test_script_and_sql_text_in_every_string_field_is_stored_and_answered_verbatim_as_json(api, text):
    client = api.client
    source = {"publisher": text, "title": text, "url": url_with(text), "published_at": "2025-03-11",
              "quote": text, "archive_url": url_with(text)}
    body = report(title=text, summary=text, places=[{"name": text, "country": "SA"}],
                  actors=[{"name": text, "role": "party"}], tags=[text],
                  source=source)  # codes are a closed vocabulary (SPEC §3), so no text of ours goes there
    event = api.post("/v1/events", body)["id"]
    claim = api.post(f"/v1/events/{event}/claims", {"claimant": text, "statement": text, "source": source})
    api.post(f"/v1/claims/{claim['claim_id']}/stances", {"by": text, "stance": "disputes", "statement": text,
                                                        "source": source})
    api.post(f"/v1/events/{event}/positions", {"party": text, "position": "accepts_with_conditions",
                                               "conditions": text, "statement": text, "source": source})
    api.post(f"/v1/events/{event}/sources", {"source": source})

    response = client.get(f"/v1/events/{event}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    view = response.json()
    for name in ("title", "summary"):
        assert view[name] == text
    assert view["places"][0]["name"] == text and view["actors"][0]["name"] == text and view["tags"] == [text]
    for stored in view["sources"]:
        assert {k: stored[k] for k in ("publisher", "title", "url", "quote", "archive_url")} == \
               {k: source[k] for k in ("publisher", "title", "url", "quote", "archive_url")}
    assert (view["claims"][0]["claimant"], view["claims"][0]["statement"]) == (text, text)
    assert view["claims"][0]["stances"][0]["by"] == text
    assert (view["positions"][0]["party"], view["positions"][0]["conditions"]) == (text, text)

    stances = client.get(f"/v1/claims/{claim['claim_id']}").json()["stances"]
    assert (stances[0]["by"], stances[0]["statement"]) == (text, text)

    # Found by the filters, which treat the text as text (LIKE wildcards included), not as SQL.
    for params in ({"q": text}, {"actor": text}, {"place": text}):
        found = client.get("/v1/timeline", params={**params, "limit": 1000})
        assert found.status_code == 200 and found.headers["content-type"] == "application/json"
        assert event in [item["id"] for item in found.json()["items"]], params

    # Corrections and retractions carry it too; the log keeps every entry exactly as written.
    api.post(f"/v1/events/{event}/corrections", {"changes": {"title": text + " (corrected)", "summary": text},
                                                 "reason": text, "source": source})
    api.post(f"/v1/events/{event}/retractions", {"reason": text, "source": source})
    history = client.get(f"/v1/events/{event}/history", headers=AUDITOR).json()["items"]
    assert [e["type"] for e in history] == ["EventReported", "ClaimMade", "ClaimStanceTaken", "PositionTaken",
                                            "SourceAdded", "EventCorrected", "EventRetracted"]
    assert history[0]["data"]["title"] == text
    assert {name: history[0]["data"]["source"][name] for name in source} == source
    assert history[5]["data"]["reason"] == text and history[5]["data"]["changes"]["summary"] == text
    assert history[6]["data"]["reason"] == text
    retracted = client.get(f"/v1/events/{event}").json()
    assert (retracted["status"], retracted["title"]) == ("retracted", text + " (corrected)")
    verified = client.get("/v1/audit/verify", headers=AUDITOR).json()
    assert verified["ok"] is True, verified


def test_a_title_of_300_multibyte_characters_is_kept_whole(api):
    title = "🕊" * 300  # 300 characters, 1,200 bytes: the limit counts characters
    event = api.post("/v1/events", report(title=title))["id"]
    assert api.client.get(f"/v1/events/{event}").json()["title"] == title
    too_long = api.client.post("/v1/events", json=report(title=title + "🕊"), headers=WRITER)
    assert too_long.status_code == 422
