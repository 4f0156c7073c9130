"""Every command rule of SPEC §3–§4, decided against the in-memory store: no database, milliseconds each."""

from __future__ import annotations

import uuid

import pytest

from adapters.memory import MemoryStore
from domain import rules, validation
from domain.application import Timeline
from domain.commands import Op, ReportEvent
from domain.entries import POSITION_KINDS, EventKind
from domain.errors import Conflict, InvalidInput, NotFound
from domain.ports import Pending, StoreConflict
from tests.builders import add_source, claim, correct, position, reinstate, report, retract, stance

UNKNOWN = "00000000-0000-0000-0000-000000000000"


@pytest.fixture
def timeline():
    return Timeline(MemoryStore())


def append(timeline, *ops, key=None, body_hash="h"):
    return timeline.execute(list(ops), "alice", batch=len(ops) > 1,
                            idempotency=("alice", key, body_hash) if key else None)


def one(timeline, op):
    return append(timeline, op)[0]


# --- versions ---------------------------------------------------------------------------------

def test_each_entry_of_an_event_takes_the_next_version(timeline):
    event = one(timeline, report())
    assert event.version == 1
    assert one(timeline, add_source(event.id, "2025-03-12")).version == 2
    assert one(timeline, correct(event.id, {"title": "Jeddah talks"})).version == 3


def test_a_stale_expected_version_is_a_conflict_naming_the_current_version(timeline):
    event = one(timeline, report())
    one(timeline, add_source(event.id, "2025-03-12"))
    with pytest.raises(Conflict) as stale:
        one(timeline, correct(event.id, {"title": "x"}, expected_version=1))
    assert stale.value.current_version == 2
    assert timeline.store.size() == 2
    assert one(timeline, correct(event.id, {"title": "x"}, expected_version=2)).version == 3


@pytest.mark.parametrize("make", [
    lambda event_id: add_source(event_id, "2025-03-12", expected_version=5),
    lambda event_id: retract(event_id, expected_version=5),
    lambda event_id: claim(event_id, expected_version=5),
    lambda event_id: position(event_id, "Ukraine", "accepts", expected_version=5),
])
def test_every_command_on_an_event_checks_its_expected_version(timeline, make):
    event = one(timeline, report())
    with pytest.raises(Conflict):
        one(timeline, make(event.id))


def test_a_command_that_loses_a_race_is_decided_again_against_the_new_state(timeline):
    event = one(timeline, report())
    store, appended = timeline.store, []
    real_append = store.append

    def racing_append(pending, recorded_by, idempotency=None):
        if not appended:  # someone else appends version 2 just before us
            appended.append(real_append([Pending(event_id=event.id, version=2, entry=pending[0].entry,
                                                 known_at=None)], "bob"))
        return real_append(pending, recorded_by, idempotency)

    store.append = racing_append
    assert one(timeline, add_source(event.id, "2025-03-12")).version == 3


def test_a_store_conflict_on_every_attempt_ends_in_a_conflict(timeline):
    event = one(timeline, report())

    def always_taken(*_args, **_kwargs):
        raise StoreConflict("taken")

    timeline.store.append = always_taken
    with pytest.raises(Conflict):
        one(timeline, add_source(event.id, "2025-03-12"))


# --- events and ids ---------------------------------------------------------------------------

def test_a_chosen_event_id_that_is_taken_is_a_conflict(timeline):
    event = one(timeline, report())
    with pytest.raises(Conflict):
        one(timeline, report(id=event.id))
    with pytest.raises(Conflict):
        one(timeline, report(id=event.id.upper().replace("-", "")))  # the same id, written otherwise


def test_a_report_with_an_unreadable_date_is_refused(timeline):
    with pytest.raises(InvalidInput) as refused:
        one(timeline, report(occurred="soon"))
    assert refused.value.errors[0]["field"] == "occurred"


def test_a_report_built_in_code_is_refused_naming_every_bad_field_and_nothing_is_stored(timeline):
    with pytest.raises(InvalidInput) as refused:
        one(timeline, report(occurred="2023-02-29", title="  "))
    assert {error["field"] for error in refused.value.errors} == {"occurred", "title"}
    assert timeline.store.size() == 0


def test_a_correction_built_in_code_is_held_to_the_report_s_rules(timeline):
    event = one(timeline, report())
    with pytest.raises(InvalidInput) as refused:
        one(timeline, correct(event.id, {"title": " ", "recorded_at": "x"}))
    assert {error["field"] for error in refused.value.errors} == {"changes.title", "changes.recorded_at"}
    assert timeline.store.size() == 1


def test_commands_decoded_by_the_validation_are_not_checked_again(timeline, monkeypatch):
    """The API decodes every body through domain.validation, which applies the input rules: the
    application trusts that and spends nothing checking them a second time."""
    monkeypatch.setattr(rules, "check_command", lambda command: pytest.fail("checked twice"))
    decoded = validation.decoded({"kind": "talks", "title": "Talks", "occurred": "2025-03-11",
                                  "source": {"publisher": "Reuters", "title": "t", "url": "https://example.org/a"}},
                                 ReportEvent)
    [receipt] = timeline.execute([Op(command=decoded)], "alice", checked=True)
    assert receipt.version == 1


@pytest.mark.parametrize("event_id", [UNKNOWN, "not-a-uuid"])
def test_a_command_on_an_unknown_event_is_not_found(timeline, event_id):
    with pytest.raises(NotFound):
        one(timeline, add_source(event_id, "2025-03-12"))


# --- corrections ------------------------------------------------------------------------------

def test_only_reported_fields_can_be_corrected(timeline):
    event = one(timeline, report())
    with pytest.raises(InvalidInput) as refused:
        one(timeline, correct(event.id, {"source": {}}))
    assert refused.value.errors[0]["field"] == "changes.source"


def test_a_claim_correction_must_name_a_claim_of_this_event(timeline):
    event, other = one(timeline, report()), one(timeline, report("Other"))
    elsewhere = one(timeline, claim(other.id))
    with pytest.raises(InvalidInput) as refused:
        one(timeline, correct(event.id, {"statement": "x"}, claim_id=elsewhere.claim_id))
    assert refused.value.errors[0]["field"] == "claim_id"
    corrected = one(timeline, correct(other.id, {"statement": "x"}, claim_id=elsewhere.claim_id))
    assert corrected.claim_id == elsewhere.claim_id


# --- retraction and reinstatement -------------------------------------------------------------

@pytest.mark.parametrize("refused", [
    lambda event_id: correct(event_id, {"title": "x"}),
    lambda event_id: retract(event_id),
    lambda event_id: position(event_id, "Ukraine", "accepts"),
])
def test_a_retracted_event_refuses_corrections_retractions_and_positions(timeline, refused):
    event = one(timeline, report())
    one(timeline, retract(event.id))
    with pytest.raises(Conflict) as conflict:
        one(timeline, refused(event.id))
    assert conflict.value.current_version == 2


def test_a_retracted_event_still_takes_sources_claims_stances_and_a_reinstatement(timeline):
    event = one(timeline, report())
    one(timeline, retract(event.id))
    one(timeline, add_source(event.id, "2025-03-13"))
    made = one(timeline, claim(event.id))
    one(timeline, stance(made.claim_id, "ISW", "disputes"))
    assert one(timeline, reinstate(event.id)).version == 6
    assert one(timeline, correct(event.id, {"title": "Reinstated"})).version == 7


def test_only_a_retracted_event_can_be_reinstated(timeline):
    event = one(timeline, report())
    with pytest.raises(Conflict):
        one(timeline, reinstate(event.id))
    one(timeline, retract(event.id))
    one(timeline, reinstate(event.id))
    with pytest.raises(Conflict):
        one(timeline, reinstate(event.id))


def test_a_duplicate_must_name_another_known_event(timeline):
    event, original = one(timeline, report()), one(timeline, report("Original"))
    for duplicate_of in (event.id, UNKNOWN):
        with pytest.raises(InvalidInput) as refused:
            one(timeline, retract(event.id, duplicate_of=duplicate_of))
        assert refused.value.errors[0]["field"] == "duplicate_of"
    one(timeline, retract(event.id, duplicate_of=original.id.upper()))
    with timeline.store.read() as tx:
        assert timeline.store.stream(tx, event.id)[-1].entry.duplicate_of == original.id


# --- positions --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(POSITION_KINDS))
def test_agreements_ceasefires_talks_meetings_and_calls_take_positions(timeline, kind):
    event = one(timeline, report(kind=kind))
    assert one(timeline, position(event.id, "Ukraine", "accepts")).type == "PositionTaken"


@pytest.mark.parametrize("kind", sorted(set(EventKind.__args__) - POSITION_KINDS))
def test_other_kinds_of_event_take_no_positions(timeline, kind):
    event = one(timeline, report(kind=kind))
    with pytest.raises(InvalidInput) as refused:
        one(timeline, position(event.id, "Ukraine", "accepts"))
    assert refused.value.errors[0]["field"] == "position"


def test_a_correction_of_the_kind_decides_whether_positions_are_taken(timeline):
    event = one(timeline, report(kind="battle"))
    one(timeline, correct(event.id, {"kind": "ceasefire"}))
    assert one(timeline, position(event.id, "Ukraine", "accepts")).version == 3


# --- claims and stances -----------------------------------------------------------------------

def test_a_chosen_claim_id_that_is_taken_is_a_conflict(timeline):
    event = one(timeline, report())
    claim_id = str(uuid.uuid4())
    one(timeline, claim(event.id, claim_id=claim_id))
    with pytest.raises(Conflict):
        one(timeline, claim(event.id, claim_id=claim_id))


def test_a_claim_id_cannot_be_made_twice_within_one_batch(timeline):
    event = one(timeline, report())
    claim_id = str(uuid.uuid4())
    with pytest.raises(Conflict) as refused:
        append(timeline, claim(event.id, claim_id=claim_id), claim(event.id, claim_id=claim_id))
    assert "entries[1]" in refused.value.detail
    assert timeline.store.size() == 1


def test_a_stance_needs_a_known_claim(timeline):
    for claim_id in (UNKNOWN, "not-a-uuid"):
        with pytest.raises(NotFound):
            one(timeline, stance(claim_id, "ISW", "disputes"))


def test_a_stance_is_appended_to_the_stream_of_the_claims_event(timeline):
    event = one(timeline, report())
    made = one(timeline, claim(event.id))
    taken = one(timeline, stance(made.claim_id, "ISW", "disputes"))
    assert (taken.id, taken.version, taken.claim_id) == (event.id, 3, made.claim_id)


# --- batches ----------------------------------------------------------------------------------

def test_a_batch_can_name_the_event_and_claim_it_creates(timeline):
    event_id, claim_id = str(uuid.uuid4()), str(uuid.uuid4())
    receipts = append(timeline, report(id=event_id, kind="offensive"), claim(event_id, claim_id=claim_id),
                      stance(claim_id, "ISW", "disputes"))
    assert [(r.type, r.version) for r in receipts] == [("EventReported", 1), ("ClaimMade", 2), ("ClaimStanceTaken", 3)]


def test_a_batch_is_all_or_nothing_and_names_the_entry_that_failed(timeline):
    event = one(timeline, report())
    with pytest.raises(NotFound) as missing:
        append(timeline, add_source(event.id, "2025-03-12"), add_source(UNKNOWN, "2025-03-12"))
    assert missing.value.errors[0]["field"] == "entries[1]"
    with pytest.raises(InvalidInput) as invalid:
        append(timeline, add_source(event.id, "2025-03-12"), correct(event.id, {"title": ""}))
    assert invalid.value.errors[0]["field"] == "entries[1].body.changes.title"
    assert timeline.store.size() == 1


def test_later_entries_of_a_batch_are_decided_against_the_earlier_ones(timeline):
    event = one(timeline, report())
    with pytest.raises(Conflict) as refused:
        append(timeline, retract(event.id), correct(event.id, {"title": "x"}))
    assert "entries[1]" in refused.value.detail


# --- idempotency ------------------------------------------------------------------------------

def test_an_idempotent_retry_returns_the_first_answer_and_stores_nothing(timeline):
    first = append(timeline, report(), key="k1")
    assert append(timeline, report(), key="k1") == first
    assert timeline.store.size() == 1


def test_the_same_idempotency_key_with_another_request_is_refused(timeline):
    append(timeline, report(), key="k1", body_hash="one")
    with pytest.raises(InvalidInput) as refused:
        append(timeline, report("Other"), key="k1", body_hash="two")
    assert refused.value.errors[0]["field"] == "Idempotency-Key"
    assert timeline.store.size() == 1
