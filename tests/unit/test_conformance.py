"""Conformance vectors of the two standards the log leans on (tests/unit/conformance, see its README).

EDTF: every example of the Library of Congress specification and of the edtf
library's own tests. Whatever this service accepts has calendar bounds in
0001-9999; no vector makes it fail in any other way than a refusal.
RFC 8785 (JCS): the canonical bytes every leaf hash is taken over.
"""

from __future__ import annotations

import gzip
import json
import re
import struct
from datetime import date
from pathlib import Path

import pytest
import rfc8785

from adapters.canonical import canonical_bytes
from domain.dates import parse
from domain.errors import InvalidInput

HERE = Path(__file__).parent / "conformance"
EDTF = json.loads((HERE / "edtf-vectors.json").read_text())["vectors"]
JCS = json.loads((HERE / "jcs-vectors" / "rfc8785_examples.json").read_text())
CYBERPHONE = sorted((HERE / "jcs-vectors" / "cyberphone" / "input").glob("*.json"))


def accepted(text: str):
    try:
        return parse(text)
    except InvalidInput:
        return None


@pytest.mark.parametrize("vector", EDTF, ids=[f"{n}-{v['input'][:40]}" for n, v in enumerate(EDTF)])
def test_every_accepted_edtf_vector_has_calendar_bounds_in_order(vector):
    occurred = accepted(vector["input"])
    if occurred is None:
        return
    bounds = [b for b in (occurred.start, occurred.end) if b is not None]
    assert bounds, "an accepted date states at least one bound"
    for bound in bounds:
        assert date(1, 1, 1) <= date.fromisoformat(bound) <= date(9999, 12, 31)
    assert bounds == sorted(bounds)


@pytest.mark.parametrize("vector", [v for v in EDTF if v["valid"] is False], ids=lambda v: repr(v["input"]))
def test_the_edtf_library_s_bad_examples_are_refused(vector):
    assert accepted(vector["input"]) is None


@pytest.mark.parametrize("vector", [v for v in EDTF if v.get("lib_strict") and "inf" not in str(v["lib_strict"])],
                         ids=lambda v: v["input"])
def test_closed_dates_take_the_edtf_library_s_strict_bounds(vector):
    occurred = accepted(vector["input"])
    in_range = all(re.fullmatch(r"(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}", b) for b in vector["lib_strict"])
    if occurred is None:
        assert not in_range, f"{vector['input']!r} is within 0001-9999 and should be accepted"
        return
    parts = vector["input"].split("/")
    open_end = len(parts) == 2 and parts[1] in ("", "..")
    open_start = len(parts) == 2 and parts[0] in ("", "..")
    expected = [None if open_start else vector["lib_strict"][0], None if open_end else vector["lib_strict"][1]]
    assert [occurred.start, occurred.end] == expected


@pytest.mark.parametrize("text", ["0000", "-0999", "Y170000002", "-1985", "0000~", "-2005/-1999-02"])
def test_years_outside_0001_to_9999_are_refused_from_the_specification_s_examples(text):
    with pytest.raises(InvalidInput, match="outside the years 0001-9999"):
        parse(text)


@pytest.mark.parametrize("example", JCS["appendix_b"], ids=lambda e: e["ieee_hex"])
def test_numbers_serialise_as_rfc8785_appendix_b_says(example):
    number = struct.unpack(">d", bytes.fromhex(example["ieee_hex"]))[0]
    if example["expected"] is None:
        with pytest.raises(rfc8785.CanonicalizationError):
            rfc8785.dumps(number)
    else:
        assert rfc8785.dumps(number).decode() == example["expected"]


@pytest.mark.parametrize("document", JCS["documents"], ids=lambda d: d["name"])
def test_an_entry_s_data_is_canonicalised_as_rfc8785_s_examples(document):
    data = json.loads(document["input"], parse_int=float)  # JCS reads every JSON number as an IEEE double
    entry = canonical_bytes(position=1, event_id="e", version=1, type="T", known_at="k", recorded_at="r",
                            recorded_by="b", data=data)
    assert entry.startswith(b'{"data":' + document["expected"].encode() + b',"event_id"')


@pytest.mark.parametrize("path", CYBERPHONE, ids=lambda p: p.name)
def test_the_reference_implementation_s_test_data_canonicalises_byte_for_byte(path):
    expected = (path.parent.parent / "output" / path.name).read_bytes()
    assert rfc8785.dumps(json.loads(path.read_bytes())) == expected


def test_ten_thousand_es6_numbers_serialise_as_the_reference_does():
    lines = gzip.decompress((HERE / "jcs-vectors" / "es6testfile10k.txt.gz").read_bytes()).decode().splitlines()
    wrong = []
    for line in lines:
        hex_value, expected = line.split(",")
        number = struct.unpack(">d", bytes.fromhex(hex_value.rjust(16, "0")))[0]
        if rfc8785.dumps(number).decode() != expected:
            wrong.append(line)
    assert len(lines) == 10_000 and wrong == []
