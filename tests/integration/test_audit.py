"""Audit (SPEC §7) as specification, on every backend: tamper evidence, proofs, transfer, replay, rebuild.

Tampering happens in the database, behind the application's back, through the
store's own transactions and plain SQL. Proofs are checked by a verifier written
here from RFC 9162 §2.1.3.2 and §2.1.4.2, against leaves hashed here from the
log as an auditor sees it: nothing below trusts `adapters.merkle` to check itself.
"""

from __future__ import annotations

import base64
import hashlib
import io
import random

import msgspec
import pytest
import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from adapters.signing import load_key
from api.app import open_store
from api.settings import Settings
from domain import clock
from domain.errors import DomainError, NotFound
from projections import rebuild as rebuild_module
from projections.audit import Audit
from projections.log import LogReader
from projections.queries import PointInTime, Reader, TimelineFilter
from projections.rebuild import rebuild
from projections.transfer import ImportRefused, export, import_file
from tests.builders import add_source, claim, correct, parties, position, reinstate, report, retract, stance
from tests.conftest import drop_schema, fresh_schema_url

DAY = 86_400 * clock.MICROS
BASE = clock.parse_instant("2025-03-01", "test")
KINDS = ["ceasefire", "battle", "talks"]


# --- building logs ------------------------------------------------------------------------------


def day(n: int) -> str:
    return clock.format_instant(BASE + n * DAY)[:10]


def grow(timeline, count: int, batch: int = 10) -> None:
    """Append `count` reports, each its own event, in batches (one transaction each)."""
    done = 0
    while done < count:
        size = min(batch, count - done)
        ops = [report(title=f"Event {done + i + 1}", published_at=day((done + i) % 20)) for i in range(size)]
        timeline.execute(ops, "alice", batch=size > 1)
        done += size


def generated_log(timeline, seed: int, steps: int = 18) -> tuple[list[str], list[int]]:
    """A seeded random log: reports, sources, corrections, retractions, claims, stances and positions,
    published on days in any order (backfills and late news). Returns (event ids, record time of
    each stored append)."""
    rng = random.Random(seed)
    events, claims, record_times = [], [], []
    for number in range(steps):
        published = day(rng.randint(0, 20))
        move = "report" if not events or rng.random() < 0.2 else rng.choice(
            ["source", "correct", "retract", "reinstate", "claim", "stance", "position"])
        target = rng.choice(events) if events else None
        op = {
            "report": lambda: report(title=f"Event {number}", kind=rng.choice(KINDS), published_at=published,
                                     occurred=f"2025-0{rng.randint(1, 3)}", actors=parties("Ukraine", "Russia")),
            "source": lambda: add_source(target, published),
            "correct": lambda: correct(target, rng.choice([{"title": f"Retitled {number}"}, {"kind": rng.choice(KINDS)},
                                                           {"summary": "revised"}, {"actors": []}]),
                                       published_at=published),
            "retract": lambda: retract(target, published_at=published),
            "reinstate": lambda: reinstate(target, published_at=published),
            "claim": lambda: claim(target, rng.choice(["Kremlin", "Kyiv"]), published_at=published),
            "stance": lambda: stance(rng.choice(claims), rng.choice(["ISW", "Kyiv"]),
                                     rng.choice(["supports", "disputes", "confirms", "refutes"]), published)
            if claims else None,
            "position": lambda: position(target, rng.choice(["Ukraine", "Russia"]),
                                         rng.choice(["proposes", "accepts", "rejects", "signs"]),
                                         published_at=published),
        }[move]()
        if op is None:
            continue
        try:
            receipts = timeline.execute([op], "alice")
        except DomainError:
            continue  # a step the rules refuse stores nothing
        receipt = receipts[-1]
        if move == "report":
            events.append(receipt.id)
        if receipt.claim_id and receipt.type == "ClaimMade":
            claims.append(receipt.claim_id)
        record_times.append(clock.parse_instant(receipt.recorded_at, "recorded_at"))
    return events, record_times


def head(store) -> int:
    with store.read() as tx:
        return store.head(tx)[0]


def stored_rows(store) -> tuple[int, int]:
    """(ledger rows, stored events): what an import would have written."""
    with store.read() as tx:
        ledger = tx.one("SELECT COUNT(*) AS n FROM {s}ledger")["n"]
        events = tx.one("SELECT COUNT(*) AS n FROM {s}stored_events")["n"]
    return ledger, events


def sign(audit, store) -> dict:
    """A root signed at the current size. Roots are signed at most once a second: age the earlier
    ones rather than sleep."""
    with store.write() as tx:
        tx.run("UPDATE {s}signed_roots SET signed_at = signed_at - ?", (2 * clock.MICROS,))
    signed = audit.signed_root()
    assert signed["tree_size"] == head(store)
    return signed


# --- tampering behind the application's back ----------------------------------------------------


def entry_key(store, at_position: int) -> tuple[str, int]:
    with store.read() as tx:
        row = tx.one("SELECT event_id, version FROM {s}ledger WHERE position = ?", (at_position,))
    return str(row["event_id"]), row["version"]


def stored_state(store, at_position: int) -> bytes:
    event_id, version = entry_key(store, at_position)
    with store.read() as tx:
        row = tx.one("SELECT state FROM {s}stored_events WHERE originator_id = CAST(? AS {uuid}) "
                     "AND originator_version = ?", (event_id, version))
    return bytes(row["state"])


def set_stored_state(store, at_position: int, state: bytes) -> None:
    event_id, version = entry_key(store, at_position)
    with store.write() as tx:
        tx.run("UPDATE {s}stored_events SET state = ? WHERE originator_id = CAST(? AS {uuid}) "
               "AND originator_version = ?", (state, event_id, version))


def delete_stored_event(store, at_position: int) -> None:
    event_id, version = entry_key(store, at_position)
    with store.write() as tx:
        tx.run("DELETE FROM {s}stored_events WHERE originator_id = CAST(? AS {uuid}) AND originator_version = ?",
               (event_id, version))


def set_ledger(store, at_position: int, column: str, value) -> None:
    with store.write() as tx:
        tx.run(f"UPDATE {{s}}ledger SET {column} = ? WHERE position = ?", (value, at_position))


def ledger_value(store, at_position: int, column: str):
    with store.read() as tx:
        return tx.one(f"SELECT {column} FROM {{s}}ledger WHERE position = ?", (at_position,))[column]


def delete_ledger_rows(store, from_position: int, to_position: int | None = None) -> None:
    with store.write() as tx:
        tx.run("DELETE FROM {s}ledger WHERE position >= ? AND position <= ?",
               (from_position, to_position or from_position))


def next_title_byte(state: bytes) -> bytes:
    """The same JSON with one byte of the title changed ("Event 3" -> "Fvent 3")."""
    at = state.index(b'"title":"') + len(b'"title":"')
    return state[:at] + bytes([state[at] + 1]) + state[at + 1:]


# --- an independent RFC 9162 verifier --------------------------------------------------------------


def sha256(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def leaf_of(entry: dict) -> bytes:
    """§2.1.1 leaf hash over the RFC 8785 bytes of the entry as the auditor's /v1/log shows it."""
    return sha256(b"\x00", rfc8785.dumps(entry))


def node(left: bytes, right: bytes) -> bytes:
    return sha256(b"\x01", left, right)


def mth(leaves: list[bytes]) -> bytes:
    """MTH(D[n]) of §2.1.1, by its recursive definition."""
    if not leaves:
        return sha256()
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))


def rfc_verify_inclusion(leaf_index: int, tree_size: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if leaf_index >= tree_size:
        return False
    fn, sn, r = leaf_index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = node(p, r)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def rfc_verify_consistency(first: int, second: int, first_hash: bytes, second_hash: bytes,
                           path: list[bytes]) -> bool:
    """RFC 9162 §2.1.4.2 (with equal sizes consistent when the roots are equal and the proof empty)."""
    if first == second:
        return not path and first_hash == second_hash
    if not 0 < first < second or not path:
        return False
    if first & (first - 1) == 0:
        path = [first_hash, *path]
    fn, sn = first - 1, second - 1
    while fn % 2 == 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == first_hash and sr == second_hash and sn == 0


def auditor_leaves(store) -> list[bytes]:
    """Every entry's leaf hash, computed here from the log exactly as an auditor reads it."""
    page = LogReader(store).log(0, 10_000, auditor=True)
    return [leaf_of({"position": e.position, "event_id": e.event_id, "version": e.version, "type": e.type,
                     "known_at": e.known_at, "recorded_at": e.recorded_at, "recorded_by": e.recorded_by,
                     "data": e.data}) for e in page.items]


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture
def signing_key(tmp_path):
    return load_key(None, tmp_path / "keys")


@pytest.fixture
def audit(store, signing_key):
    return Audit(store, signing_key)


@pytest.fixture
def empty_store(database_url, tmp_path, request):
    """A second, empty store on the same backend as `store`."""
    if database_url.startswith("sqlite"):
        other = open_store(Settings(database_url=f"sqlite:///{tmp_path}/other.sqlite3"))
        yield other
        other.close()
        return
    base = request.getfixturevalue("postgres_base_url")
    url, schema = fresh_schema_url(base)
    other = open_store(Settings(database_url=url))
    yield other
    other.close()
    drop_schema(base, schema)


# === 1. verify: tampering in the database is named by position, never raised ======================


def test_an_untouched_store_verifies_with_the_root_of_its_leaves(store, timeline, audit):
    grow(timeline, 6)
    assert audit.verify() == {"ok": True, "entries": 6, "root": b64(mth(auditor_leaves(store))),
                              "first_bad_position": None, "bad_positions": [], "failed_roots": []}


def test_an_empty_store_verifies_with_the_empty_root(audit):
    assert audit.verify() == {"ok": True, "entries": 0, "root": b64(sha256()), "first_bad_position": None,
                              "bad_positions": [], "failed_roots": []}


def test_an_untouched_store_with_signed_roots_along_the_way_verifies(store, timeline, audit):
    grow(timeline, 3)
    sign(audit, store)
    grow(timeline, 4)
    sign(audit, store)
    assert audit.verify()["ok"] is True


STATE_TAMPERINGS = {
    "one title byte changed, still valid JSON": next_title_byte,
    "one byte changed into invalid JSON": lambda state: b"[" + state[1:],
    "bytes that are not UTF-8": lambda state: state[:-2] + b"\xff}",
    "valid JSON that is not an object": lambda state: b"[1, 2]",
    "empty bytes": lambda state: b"",
}


@pytest.mark.parametrize("tamper", STATE_TAMPERINGS.values(), ids=STATE_TAMPERINGS.keys())
def test_a_stored_state_changed_in_the_database_is_named_by_its_position(store, timeline, audit, tamper):
    grow(timeline, 5)
    set_stored_state(store, 3, tamper(stored_state(store, 3)))
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"], result["entries"]) == (False, 3, 5)


def test_a_stored_event_deleted_from_under_its_ledger_row_is_named_by_its_position(store, timeline, audit):
    grow(timeline, 5)
    delete_stored_event(store, 4)
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, 4)


def test_the_first_of_two_swapped_stored_states_is_named(store, timeline, audit):
    grow(timeline, 5)
    second, fourth = stored_state(store, 2), stored_state(store, 4)
    set_stored_state(store, 2, fourth)
    set_stored_state(store, 4, second)
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"], result["bad_positions"]) == (False, 2, [2, 4])


LEDGER_TAMPERINGS = {
    "known_at a microsecond earlier": ("known_at", lambda value: value - 1),
    "recorded_at a day later": ("recorded_at", lambda value: value + DAY),
    "recorded_by rewritten": ("recorded_by", lambda value: "mallory"),
    "type rewritten": ("type", lambda value: "SourceAdded"),
    "event_id pointing at another valid id": ("event_id", lambda value: "00000000-0000-4000-8000-000000000000"),
    "event_id that is not a uuid": ("event_id", lambda value: "not-a-uuid"),
    "hash replaced by another": ("hash", lambda value: b64(sha256(b"forged"))),
    "hash that is not base64": ("hash", lambda value: "%%%"),
}


@pytest.mark.parametrize("column, change", LEDGER_TAMPERINGS.values(), ids=LEDGER_TAMPERINGS.keys())
def test_a_ledger_column_changed_in_the_database_is_named_by_its_position(store, timeline, audit, column, change):
    grow(timeline, 5)
    set_ledger(store, 3, column, change(ledger_value(store, 3, column)))
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, 3)


@pytest.mark.parametrize("deleted", [1, 3])
def test_a_deleted_ledger_row_is_named_as_the_gap_it_leaves(store, timeline, audit, deleted):
    grow(timeline, 5)
    delete_ledger_rows(store, deleted)
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, deleted)


def test_a_row_rewritten_with_a_matching_hash_is_caught_by_the_signed_root_and_named_after_the_last_good_root(
        store, timeline, audit):
    grow(timeline, 2)
    sign(audit, store)  # size 2
    grow(timeline, 3)
    sign(audit, store)  # size 5
    set_stored_state(store, 4, next_title_byte(stored_state(store, 4)))
    set_ledger(store, 4, "hash", b64(auditor_leaves(store)[3]))  # the leaf of the rewritten content
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, 3)


def test_a_row_rewritten_with_a_matching_hash_under_the_only_signed_root_is_named_from_position_one(
        store, timeline, audit):
    grow(timeline, 5)
    audit.signed_root()
    set_stored_state(store, 4, next_title_byte(stored_state(store, 4)))
    set_ledger(store, 4, "hash", b64(auditor_leaves(store)[3]))
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, 1)


def test_a_tail_cut_after_a_signed_root_is_named_one_past_the_last_root_that_still_verifies(store, timeline, audit):
    grow(timeline, 3)
    sign(audit, store)  # size 3
    grow(timeline, 3)
    sign(audit, store)  # size 6
    delete_ledger_rows(store, 5, 6)
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"], result["entries"]) == (False, 4, 4)
    assert (result["bad_positions"], result["failed_roots"]) == ([5, 6], [6])


def test_verify_reports_rather_than_raises_on_a_store_with_every_kind_of_damage_at_once(store, timeline, audit):
    grow(timeline, 8)
    audit.signed_root()
    set_stored_state(store, 2, b"\x00\xff")
    set_ledger(store, 4, "event_id", "not-a-uuid")
    set_ledger(store, 5, "hash", "%%%")
    delete_ledger_rows(store, 7)
    result = audit.verify()
    assert (result["ok"], result["first_bad_position"]) == (False, 1)
    assert result["bad_positions"] == [2, 4, 5, 7]


def test_verify_lists_at_most_the_first_hundred_bad_positions(store, timeline, audit):
    grow(timeline, 120)
    with store.write() as tx:
        tx.run("UPDATE {s}ledger SET recorded_by = 'mallory' WHERE position > 10")
    result = audit.verify()
    assert (result["first_bad_position"], result["bad_positions"]) == (11, list(range(11, 111)))


# === 2. proofs, checked by the RFC 9162 verifier above ==============================================


SIZES = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40]


def test_every_inclusion_proof_in_a_log_of_40_verifies_against_the_tree_hash_of_its_size(store, timeline, audit):
    grow(timeline, 40)
    leaves = auditor_leaves(store)
    for size in SIZES:
        root = mth(leaves[:size])
        for at_position in range(1, size + 1):
            proof = audit.inclusion(at_position, size)
            assert (proof["leaf_index"], proof["tree_size"]) == (at_position - 1, size)
            assert unb64(proof["leaf_hash"]) == leaves[at_position - 1]
            assert unb64(proof["root"]) == root
            path = [unb64(h) for h in proof["audit_path"]]
            assert rfc_verify_inclusion(at_position - 1, size, leaves[at_position - 1], path, root), (at_position, size)


def test_an_inclusion_proof_does_not_verify_for_another_leaf_or_a_changed_path(store, timeline, audit):
    grow(timeline, 13)
    leaves = auditor_leaves(store)
    proof = audit.inclusion(6, 13)
    path, root = [unb64(h) for h in proof["audit_path"]], unb64(proof["root"])
    assert rfc_verify_inclusion(5, 13, leaves[5], path, root)
    assert not rfc_verify_inclusion(5, 13, leaves[6], path, root)
    assert not rfc_verify_inclusion(6, 13, leaves[5], path, root)
    assert not rfc_verify_inclusion(5, 13, leaves[5], [path[0], *path[2:]], root)
    assert not rfc_verify_inclusion(5, 13, leaves[5], [*path[:-1], sha256(b"x")], root)


def test_every_consistency_proof_between_sampled_sizes_of_a_log_of_40_verifies(store, timeline, audit):
    grow(timeline, 40)
    leaves = auditor_leaves(store)
    rng = random.Random(9162)
    pairs = {(m, n) for m in SIZES for n in SIZES if m <= n}
    pairs |= {tuple(sorted((rng.randint(1, 40), rng.randint(1, 40)))) for _ in range(60)}
    for old, new in sorted(pairs):
        proof = audit.consistency(old, new)
        old_root, new_root = mth(leaves[:old]), mth(leaves[:new])
        assert (proof["from_size"], proof["to_size"]) == (old, new)
        assert (unb64(proof["from_root"]), unb64(proof["to_root"])) == (old_root, new_root)
        path = [unb64(h) for h in proof["consistency_path"]]
        assert rfc_verify_consistency(old, new, old_root, new_root, path), (old, new)


def test_a_consistency_proof_does_not_verify_against_another_old_root(store, timeline, audit):
    grow(timeline, 21)
    leaves = auditor_leaves(store)
    proof = audit.consistency(6, 21)
    path = [unb64(h) for h in proof["consistency_path"]]
    assert rfc_verify_consistency(6, 21, mth(leaves[:6]), mth(leaves[:21]), path)
    assert not rfc_verify_consistency(6, 21, mth(leaves[:5]), mth(leaves[:21]), path)
    assert not rfc_verify_consistency(6, 21, mth(leaves[:6]), mth(leaves[:20]), path)


def test_the_signed_root_is_the_tree_hash_of_the_log_an_auditor_reads(store, timeline, audit):
    grow(timeline, 11)
    signed = audit.signed_root()
    assert (signed["tree_size"], unb64(signed["root"])) == (11, mth(auditor_leaves(store)))


def test_the_signed_root_signature_verifies_with_the_raw_public_key_over_the_jcs_of_size_root_and_time(
        timeline, audit):
    grow(timeline, 4)
    signed = audit.signed_root()
    public = Ed25519PublicKey.from_public_bytes(unb64(signed["public_key"]))
    message = rfc8785.dumps({"tree_size": signed["tree_size"], "root": signed["root"],
                             "timestamp": signed["timestamp"]})
    public.verify(unb64(signed["signature"]), message)  # raises InvalidSignature if not


def test_the_published_public_key_is_the_signing_keys_raw_32_bytes(timeline, audit, signing_key):
    grow(timeline, 1)
    raw = signing_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert unb64(audit.signed_root()["public_key"]) == raw and len(raw) == 32


def test_the_signature_does_not_verify_for_another_tree_size(timeline, audit):
    grow(timeline, 4)
    signed = audit.signed_root()
    public = Ed25519PublicKey.from_public_bytes(unb64(signed["public_key"]))
    forged = rfc8785.dumps({"tree_size": 5, "root": signed["root"], "timestamp": signed["timestamp"]})
    with pytest.raises(InvalidSignature):
        public.verify(unb64(signed["signature"]), forged)


def test_a_root_signed_at_an_earlier_size_is_consistent_with_the_later_signed_root(store, timeline, audit):
    grow(timeline, 7)
    earlier = sign(audit, store)
    grow(timeline, 19)
    later = sign(audit, store)
    proof = audit.consistency(earlier["tree_size"], later["tree_size"])
    path = [unb64(h) for h in proof["consistency_path"]]
    assert rfc_verify_consistency(7, 26, unb64(earlier["root"]), unb64(later["root"]), path)


def test_a_root_signed_after_growth_from_a_kept_frontier_is_the_tree_hash_of_all_leaves(store, timeline, audit):
    for count in (3, 5, 1, 8):
        grow(timeline, count)
        assert unb64(sign(audit, store)["root"]) == mth(auditor_leaves(store))


# === 3. export and import ===========================================================================


def exported(store) -> bytes:
    out = io.BytesIO()
    export(store, out)
    return out.getvalue()


def event_ids(store) -> list[str]:
    with store.read() as tx:
        return sorted({str(row["event_id"]) for row in tx.rows("SELECT event_id FROM {s}ledger")})


def views(store, ids: list[str], when: PointInTime) -> dict:
    reader, answers = Reader(store), {}
    for event_id in ids:
        try:
            answers[event_id] = msgspec.json.decode(bytes(reader.event(event_id, when)))
        except NotFound:
            answers[event_id] = None
    return answers


def test_an_export_imported_into_an_empty_store_reproduces_the_same_signed_root(
        store, timeline, audit, empty_store, signing_key):
    generated_log(timeline, seed=7)
    import_file(empty_store, io.BytesIO(exported(store)))
    assert Audit(empty_store, signing_key).signed_root()["root"] == audit.signed_root()["root"]


def test_an_imported_store_verifies_with_the_same_root(store, timeline, audit, empty_store, signing_key):
    generated_log(timeline, seed=8)
    import_file(empty_store, io.BytesIO(exported(store)))
    assert Audit(empty_store, signing_key).verify() == audit.verify()


def test_an_imported_store_shows_the_same_event_views_at_every_record_time(store, timeline, empty_store):
    ids, record_times = generated_log(timeline, seed=11)
    import_file(empty_store, io.BytesIO(exported(store)))
    for recorded_at in [record_times[0] - 1, *record_times[::3], record_times[-1]]:
        for known_day in (0, 8, 25):
            when = PointInTime(BASE + known_day * DAY, recorded_at)
            assert views(empty_store, ids, when) == views(store, ids, when), (known_day, recorded_at)


def test_an_imported_store_exports_the_same_bytes(store, timeline, empty_store):
    generated_log(timeline, seed=12)
    original = exported(store)
    import_file(empty_store, io.BytesIO(original))
    assert exported(empty_store) == original


def change_data_byte(lines: list[bytes]) -> list[bytes]:
    line = lines[2]
    at = line.index(b'"data":') + line[line.index(b'"data":'):].index(b'"title":"') + len(b'"title":"')
    return [*lines[:2], line[:at] + bytes([line[at] + 1]) + line[at + 1:], *lines[3:]]


def change_hash(lines: list[bytes]) -> list[bytes]:
    entry = msgspec.json.decode(lines[2])
    entry["hash"] = b64(sha256(b"forged"))
    return [*lines[:2], msgspec.json.encode(entry) + b"\n", *lines[3:]]


CORRUPTIONS = {
    "one byte of one line's data changed": change_data_byte,
    "one line's hash replaced": change_hash,
    "one line removed": lambda lines: [*lines[:2], *lines[3:]],
    "two lines swapped": lambda lines: [lines[0], lines[2], lines[1], *lines[3:]],
    "one line repeated": lambda lines: [*lines[:3], lines[2], *lines[3:]],
    "the last line cut short": lambda lines: [*lines[:-1], lines[-1][:len(lines[-1]) // 2]],
    "a line that is not JSON": lambda lines: [*lines[:2], b"not json\n", *lines[3:]],
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_a_corrupted_export_is_refused_whole_and_nothing_is_stored(store, timeline, empty_store, corrupt):
    grow(timeline, 6)
    lines = exported(store).splitlines(keepends=True)
    with pytest.raises(ImportRefused):
        import_file(empty_store, io.BytesIO(b"".join(corrupt(lines))))
    assert head(empty_store) == 0 and stored_rows(empty_store) == (0, 0)


def test_an_import_into_a_store_that_is_not_empty_is_refused_and_changes_nothing(store, timeline, audit):
    grow(timeline, 4)
    data, before = exported(store), audit.verify()
    with pytest.raises((ImportRefused, ValueError), match="not empty"):
        import_file(store, io.BytesIO(data))
    assert stored_rows(store) == (4, 4) and audit.verify() == before


# === 4. replay equals the indexed answer ===========================================================


def replay_points(record_times: list[int], seed: int) -> list[PointInTime]:
    """Record times at, and just before, every append (so between appends), each with two knowledge
    times drawn from before, among and after the publication days."""
    rng = random.Random(seed)
    recorded = sorted({record_times[0] - 1, *record_times, *(r - 1 for r in record_times), clock.now_micros()})
    return [PointInTime(BASE + known_day * DAY + DAY // 2, r)
            for r in recorded for known_day in rng.sample([-1, 3, 10, 17, 30], 2)]


@pytest.mark.parametrize("seed", [1, 2])
def test_replay_from_scratch_equals_the_indexed_answer_at_every_record_time(timeline, audit, seed):
    _, record_times = generated_log(timeline, seed)
    answers = [audit.replay(when) for when in replay_points(record_times, seed)]
    assert [a["as_of"] for a in answers if not a["equal"]] == []
    assert any(a["events"] for a in answers)  # not vacuous


def test_replay_no_longer_equals_the_index_once_an_indexed_view_is_tampered_with(store, timeline, audit):
    event = timeline.execute([report(title="Talks", published_at=day(1))], "alice")[0]
    timeline.execute([correct(event.id, {"title": "Talks in Riyadh"}, published_at=day(3))], "alice")
    when = PointInTime(BASE + 5 * DAY, clock.now_micros())
    assert audit.replay(when)["equal"] is True
    with store.write() as tx:
        row = tx.one("SELECT v.id, v.view FROM {s}event_states s JOIN {s}event_views v ON v.id = s.view_id "
                     "WHERE s.event_id = ? AND s.recorded_to = ? AND s.known_from <= ? AND s.known_to > ?",
                     (event.id, clock.FOREVER, when.known_at, when.known_at))
        tampered = bytes(row["view"]).replace(b"Talks in Riyadh", b"Talks in Jeddah")
        tx.run("UPDATE {s}event_views SET view = ? WHERE id = ?", (tampered, row["id"]))
    assert audit.replay(when)["equal"] is False


def test_replay_no_longer_equals_the_index_once_an_indexed_row_is_deleted(store, timeline, audit):
    grow(timeline, 3)
    when = PointInTime(BASE + 30 * DAY, clock.now_micros())
    with store.write() as tx:
        tx.run("DELETE FROM {s}event_states WHERE event_id = ?", (event_ids(store)[0],))
    assert audit.replay(when)["equal"] is False


# === 5. rebuild =====================================================================================


def answers(store, ids: list[str], record_times: list[int]) -> list:
    """Every event's view and the whole timeline, at a grid of (K, R) with R up to a day after the log."""
    reader, seen = Reader(store), []
    for recorded_at in [record_times[0] - 1, *record_times[::2], record_times[-1], record_times[-1] + DAY]:
        for known_day in (-1, 4, 12, 30):
            when = PointInTime(BASE + known_day * DAY, recorded_at)
            page = reader.timeline(TimelineFilter(include_retracted=True), when, 1000, None)
            seen.append((when, views(store, ids, when), [msgspec.json.decode(bytes(i)) for i in page.items]))
    return seen


def test_after_the_index_is_emptied_a_rebuild_gives_the_same_answers(store, timeline):
    ids, record_times = generated_log(timeline, seed=21)
    before = answers(store, ids, record_times)
    with store.write() as tx:
        tx.run("DELETE FROM {s}event_states")
    rebuild(store)
    assert answers(store, ids, record_times) == before


def index_rows(store) -> dict:
    """Every row of the index with its view, but not its ids (a row's id is only its place in the order
    written; so are those of the view and the words it refers to, which rows written together share)."""
    with store.read() as tx:
        states = tx.rows("SELECT s.*, v.view FROM {s}event_states s JOIN {s}event_views v ON v.id = s.view_id")
        counts = tx.rows("SELECT list, name, count FROM {s}index_counts WHERE count <> 0")
        buckets = tx.rows("SELECT bucket, max_lead, max_days FROM {s}index_buckets")
    rows = [{k: bytes(v) if isinstance(v, memoryview) else v for k, v in dict(row).items()
             if k not in ("id", "view_id", "text_id")} for row in states]
    return {"states": sorted(rows, key=lambda row: sorted(row.items())),
            "counts": sorted(map(tuple, (dict(r).values() for r in counts))),
            "buckets": sorted(map(tuple, (dict(r).values() for r in buckets)))}


def test_a_rebuild_writes_row_for_row_the_index_the_appends_wrote(store, timeline):
    generated_log(timeline, seed=23)
    written_inline = index_rows(store)
    rebuild(store)
    assert index_rows(store) == written_inline and written_inline["states"]


class Interrupted(Exception):
    pass


def interrupt_second_chunk(monkeypatch, chunk: int) -> None:
    """Rebuild in chunks of `chunk` entries, and die while applying the second one."""
    real, calls = rebuild_module._apply_range, []

    def apply_range(store, tx, after, until):
        calls.append(after)
        if len(calls) == 2:
            raise Interrupted
        return real(store, tx, after, until)

    monkeypatch.setattr(rebuild_module, "CHUNK", chunk)
    monkeypatch.setattr(rebuild_module, "_apply_range", apply_range)


def test_an_interrupted_rebuild_resumes_after_the_last_committed_chunk_and_gives_the_same_answers(
        store, timeline, monkeypatch):
    ids, record_times = generated_log(timeline, seed=22)
    before, total = answers(store, ids, record_times), head(store)
    with monkeypatch.context() as patch:
        interrupt_second_chunk(patch, chunk=4)
        with pytest.raises(Interrupted):
            rebuild(store)
    assert 0 < rebuild(store) < total  # resumed, not restarted
    assert answers(store, ids, record_times) == before


def test_entries_appended_while_a_rebuild_is_interrupted_are_indexed_when_it_resumes(
        store, timeline, monkeypatch):
    grow(timeline, 12)
    with monkeypatch.context() as patch:
        interrupt_second_chunk(patch, chunk=4)
        with pytest.raises(Interrupted):
            rebuild(store)
    late = timeline.execute([report(title="Appended meanwhile", published_at=day(2))], "alice")[0]
    rebuild(store)
    when = PointInTime(BASE + 30 * DAY, clock.now_micros())
    assert msgspec.json.decode(bytes(Reader(store).event(late.id, when)))["title"] == "Appended meanwhile"
    assert len(Reader(store).timeline(TimelineFilter(), when, 1000, None).items) == 13


def test_a_store_whose_rebuild_was_interrupted_finishes_it_when_next_opened(database_url, store, timeline, monkeypatch):
    ids, record_times = generated_log(timeline, seed=24)
    before = answers(store, ids, record_times)
    with monkeypatch.context() as patch:
        interrupt_second_chunk(patch, chunk=4)
        with pytest.raises(Interrupted):
            rebuild(store)
    reopened = open_store(Settings(database_url=database_url))
    try:
        assert answers(reopened, ids, record_times) == before
    finally:
        reopened.close()


def test_replay_of_a_store_with_undecodable_bytes_answers_unequal_and_names_the_position(store, timeline, tmp_path):
    from adapters.signing import load_key
    from domain import clock as _clock
    from projections.audit import Audit
    from projections.queries import PointInTime
    from tests.builders import report as _report

    timeline.execute([_report(), _report("Second")], "alice", batch=True)
    with store.write() as tx:
        tx.run("UPDATE {s}stored_events SET state = ? WHERE originator_version = 1", (b"\xff not json",))
    now = _clock.now_micros()
    result = Audit(store, load_key(None, tmp_path)).replay(PointInTime(now, now))
    assert result["equal"] is False and "no longer decodes" in result["error"]
