"""Property: for generated logs and generated (K, R), the indexed answer equals the fold from scratch."""

from __future__ import annotations

import uuid

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import clock
from domain.errors import DomainError, NotFound
from domain.view import fold
from projections.queries import PointInTime, TimelineFilter
from tests.builders import (
    add_source,
    claim,
    correct,
    parties,
    position,
    reinstate,
    report,
    retract,
    stance,
)

DAY = 86_400 * clock.MICROS
BASE = clock.parse_instant("2025-03-01", "test")
KINDS = ["ceasefire", "battle", "talks"]


def day(n: int) -> str:
    return clock.format_instant(BASE + n * DAY)[:10]


step = st.tuples(
    st.sampled_from(["source", "correct", "retract", "reinstate", "claim", "stance", "position"]),
    st.integers(0, 2),          # which event
    st.integers(0, 20),         # the source's publication day: backfills and late news alike
    st.integers(0, 5),          # a choice within the step
)


def run_step(timeline, events, claims, kind, target, published, choice):
    event_id = events[target % len(events)]
    when = day(published)
    op = {
        "source": lambda: add_source(event_id, when),
        "correct": lambda: correct(event_id, [{"title": f"T{choice}"}, {"occurred": f"2025-0{choice % 3 + 1}"},
                                              {"kind": KINDS[choice % 3]}, {"actors": []},
                                              {"summary": "revised"}, {"tags": ["x"]}][choice], published_at=when),
        "retract": lambda: retract(event_id, published_at=when),
        "reinstate": lambda: reinstate(event_id, published_at=when),
        "claim": lambda: claim(event_id, ["Kremlin", "Kyiv"][choice % 2], published_at=when),
        "stance": lambda: stance(claims[choice % len(claims)], ["Kremlin", "ISW", "Kyiv"][choice % 3],
                                 ["supports", "disputes", "confirms", "refutes", "retracts", "disputes"][choice], when) if claims else None,
        "position": lambda: position(event_id, ["Ukraine", "Russia", "United States"][choice % 3],
                                     ["proposes", "accepts", "accepts_with_conditions", "rejects", "signs",
                                      "withdraws"][choice], published_at=when),
    }[kind]()
    if op is None:
        return
    try:
        receipt = timeline.execute([op], "prop")[0]
    except DomainError:
        return  # a step the rules refuse (e.g. a correction of a retracted event) stores nothing
    if receipt.claim_id:
        claims.append(receipt.claim_id)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(opening=st.lists(st.tuples(st.integers(0, 20), st.sampled_from(KINDS)), min_size=1, max_size=3),
       steps=st.lists(step, max_size=12),
       queries=st.lists(st.tuples(st.integers(-2, 24), st.integers(0, 16)), min_size=1, max_size=6))
def test_indexed_answers_equal_the_fold_from_scratch(timeline, reader, store, opening, steps, queries):
    events, claims, record_times = [], [], []
    track = f"example-{uuid.uuid4().hex[:12]}"  # the store outlives examples: list only this one's events
    for published, kind in opening:
        receipt = timeline.execute([report(kind=kind, published_at=day(published), track=track,
                                           actors=parties("Ukraine", "Russia"))], "prop")[0]
        events.append(receipt.id)
        record_times.append(clock.parse_instant(receipt.recorded_at, "r"))
    for kind, target, published, choice in steps:
        run_step(timeline, events, claims, kind, target, published, choice)
        record_times.append(clock.now_micros())
    for known_day, record_index in queries:
        when = PointInTime(BASE + known_day * DAY + DAY // 2, record_times[record_index % len(record_times)])
        visible = {}
        for event_id in events:
            with store.read() as tx:
                expected = fold(event_id, store.stream(tx, event_id, when.recorded_at), when.known_at) \
                    if store.stream(tx, event_id, when.recorded_at) else None
            try:
                got = msgspec.json.decode(bytes(reader.event(event_id, when)))
            except NotFound:
                assert expected is None or not expected.visible
                continue
            got.pop("as_of")
            assert expected is not None and expected.visible
            assert got == msgspec.to_builtins(expected.view)
            visible[event_id] = expected
        page = reader.timeline(TimelineFilter(include_retracted=True, track=track), when, 1000, None)
        listed = {msgspec.json.decode(bytes(i))["id"] for i in page.items}
        assert listed == set(visible)
