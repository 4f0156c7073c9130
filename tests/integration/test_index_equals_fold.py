"""Property: for generated logs, filters and (K, R), the indexed answer equals the fold from scratch.

Each example starts from a fresh store, and asks at exactly the knowledge and
record times where index rows begin and end (and just before them), with every
timeline filter and window, and each event's lead-up read in pages, compared
with `matching.meets` over folded views.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.app import open_store
from api.settings import Settings
from domain import clock
from domain.application import Timeline
from domain.entries import Actor, Place
from domain.errors import DomainError, NotFound
from domain.view import fold
from projections.listings import listing
from projections.matching import TimelineFilter, lead_up, meets, occurred_bounds
from projections.queries import PointInTime, Reader, following
from tests.builders import add_source, claim, correct, position, reinstate, report, retract, stance
from tests.conftest import drop_schema, fresh_schema_url

DAY = 86_400 * clock.MICROS
BASE = clock.parse_instant("2025-03-01", "test")
KINDS = ["ceasefire", "battle", "talks", "offensive"]
OCCURRED = ["2025-02-26", "2025-03-01", "2025-03-05", "2025-03", "2025-02-20/2025-03-03", "2025-03-04/..",
            "../2025-02-27", "2024", "2025-03-09~", "2014-04-06/2022-02-24"]
ACTORS = ["Vladimir Putin", "Volodymyr Zelenskyy", "Ukraine", "Donetsk People’s Republic", "Émile Zola"]
PLACES = [Place(name="Kursk", country="RU"), Place(name="Kyiv", country="UA"), Place(name="Genève", country="CH")]
TITLES = ["Trump–Putin call", "Talks in Genève", "Kursk offensive", "Переговоры в Стамбуле", "Ceasefire talks"]
TAGS = ["energy", "Black-Sea", "grain"]
WINDOW_DAYS = ["2025-02-27", "2025-03-01", "2025-03-03", "2025-03-05", "2025-03-31", "2025-01-01", None]
EXAMPLES = {"sqlite": 150, "postgresql": 40}  # about 20 s each


def day(n: int) -> str:
    return clock.format_instant(BASE + n * DAY)[:10]


def actors(choice: int) -> list[Actor]:
    return [Actor(name=ACTORS[(choice + n) % len(ACTORS)], role="party") for n in range(choice % 3)]


opening = st.tuples(st.integers(0, 20), st.sampled_from(KINDS), st.integers(0, 9), st.integers(0, 4))
step = st.tuples(
    st.sampled_from(["source", "correct", "retract", "reinstate", "claim", "stance", "position"]),
    st.integers(0, 2),          # which event
    st.integers(0, 20),         # the source's publication day: backfills and late news alike
    st.integers(0, 7),          # a choice within the step
)
timeline_filter = st.builds(
    lambda start, end, kinds, actor, place, tag, text, track, retracted, ongoing: TimelineFilter(
        start=start, end=end if start is None or end is None or end >= start else start, kinds=kinds, actor=actor,
        place=place, tag=tag, text=text, track=track, include_retracted=retracted, ongoing=ongoing),
    st.sampled_from(WINDOW_DAYS), st.sampled_from(WINDOW_DAYS), st.lists(st.sampled_from(KINDS), max_size=2),
    st.sampled_from([None, None, "putin", "Ukraine", "people’s republic", "emile zola", "zel"]),
    st.sampled_from([None, None, "kursk", "ua", "geneve", "Kyi"]),
    st.sampled_from([None, None, "energy", "black-sea", "gra"]),
    st.sampled_from([None, None, "talk", "trump-putin", "переговоры", "geneve TALKS", "ursk"]),
    st.sampled_from([None, None, "minsk"]), st.booleans(), st.sampled_from(["include", "exclude", "only"]))


def open_fresh(backend: str, postgres_base: str | None):
    """A store of its own for one example, and how to throw it away."""
    if backend == "sqlite":
        folder = tempfile.TemporaryDirectory()
        store = open_store(Settings(database_url=f"sqlite:///{Path(folder.name) / 'store.sqlite3'}"))
        return store, folder.cleanup
    url, schema = fresh_schema_url(postgres_base)
    return open_store(Settings(database_url=url)), lambda: drop_schema(postgres_base, schema)


def run_step(timeline, events, claims, kind, target, published, choice):
    event_id = events[target % len(events)]
    when = day(published)
    op = {
        "source": lambda: add_source(event_id, when),
        "correct": lambda: correct(event_id, [
            {"title": TITLES[choice % len(TITLES)]}, {"occurred": OCCURRED[choice]}, {"kind": KINDS[choice % 4]},
            {"actors": msgspec.to_builtins(actors(choice))}, {"summary": "Café — “revised”"},
            {"tags": [TAGS[choice % 3]]}, {"places": [msgspec.to_builtins(PLACES[choice % 3])]},
            {"track": "minsk"}][choice], published_at=when),
        "retract": lambda: retract(event_id, published_at=when),
        "reinstate": lambda: reinstate(event_id, published_at=when),
        "claim": lambda: claim(event_id, ["Kremlin", "Kyiv"][choice % 2], published_at=when),
        "stance": lambda: stance(claims[choice % len(claims)], ["Kremlin", "ISW", "Kyiv"][choice % 3],
                                 ["supports", "disputes", "confirms", "refutes", "retracts"][choice % 5],
                                 when) if claims else None,
        "position": lambda: position(event_id, ["Ukraine", "Russia", "United States"][choice % 3],
                                     ["proposes", "accepts", "accepts_with_conditions", "rejects", "signs",
                                      "withdraws"][choice % 6], published_at=when),
    }[kind]()
    if op is None:
        return
    try:
        receipt = timeline.execute([op], "prop")[0]
    except DomainError:
        return  # a step the rules refuse (e.g. a correction of a retracted event) stores nothing
    if receipt.claim_id:
        claims.append(receipt.claim_id)


def boundaries(store) -> tuple[list[int], list[int]]:
    """Every entry's knowledge and record time, and the instant before each: where rows begin and end."""
    with store.read() as tx:
        rows = tx.rows("SELECT known_at, recorded_at FROM {s}ledger")
    known = sorted({k + d for row in rows for k, d in ((row["known_at"], 0), (row["known_at"], -1))})
    recorded = sorted({r + d for row in rows for r, d in ((row["recorded_at"], 0), (row["recorded_at"], -1))})
    return known, [*recorded, clock.now_micros()]


def folded_states(store, events, when):
    states = {}
    with store.read() as tx:
        for event_id in events:
            seen = store.stream(tx, event_id, when.recorded_at)
            if seen:
                states[event_id] = fold(event_id, seen, when.known_at)
    return states


def check(store, events, when, filters):
    reader, states = Reader(store), folded_states(store, events, when)
    visible = {event_id: state for event_id, state in states.items() if state.visible}
    for event_id in events:
        try:
            got = msgspec.json.decode(bytes(reader.event(event_id, when)))
        except NotFound:
            assert event_id not in visible
            continue
        got.pop("as_of")
        assert got == msgspec.to_builtins(visible[event_id].view)
    for where in filters:
        expected = sorted((occurred_bounds(s.view)[0], event_id) for event_id, s in visible.items()
                          if meets(s.view, s.retracted, where))
        page = reader.timeline(where, when, 1000, None)
        assert [msgspec.json.decode(bytes(item))["id"] for item in page.items] == [e for _, e in expected], where
    for event_id, state in visible.items():  # each lead-up, read one at a time through its cursors
        window = lead_up(state.view.occurred.start, state.view.occurred.end, 30)
        expected = sorted((occurred_bounds(s.view)[0], other) for other, s in visible.items()
                          if window and other != event_id and meets(s.view, s.retracted, window))
        pages = following(when, lambda at, after, event_id=event_id: reader.lead_up(event_id, 30, at, 1, after))
        assert [msgspec.json.decode(bytes(item))["id"] for page in pages for item in page] == [
            e for _, e in expected], event_id
    standing = [s.view for s in visible.values() if not s.retracted]
    actors_known = Counter(name for view in standing for name in dict.fromkeys(a.name for a in view.actors))
    assert {item.name: item.count for item in listing(reader, "actor", when).items} == actors_known
    tracks_known = Counter(view.track for view in standing if view.track is not None)
    assert {item.name: item.count for item in listing(reader, "track", when).items} == tracks_known


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_indexed_answers_equal_the_fold_from_scratch(backend, request):
    postgres_base = request.getfixturevalue("postgres_base_url") if backend == "postgresql" else None

    @settings(max_examples=EXAMPLES[backend], deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(openings=st.lists(opening, min_size=1, max_size=3), steps=st.lists(step, max_size=12),
           queries=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=5),
           filters=st.lists(timeline_filter, min_size=1, max_size=4))
    def example(openings, steps, queries, filters):
        store, discard = open_fresh(backend, postgres_base)
        try:
            timeline, events, claims = Timeline(store), [], []
            for published, kind, occurred, choice in openings:
                events.append(timeline.execute([report(
                    kind=kind, title=TITLES[choice], occurred=OCCURRED[occurred], published_at=day(published),
                    actors=actors(choice), places=PLACES[:choice % 3], tags=TAGS[choice % 2:choice % 3 + 1],
                    track="minsk" if choice == 4 else None)], "prop")[0].id)
            for kind, target, published, choice in steps:
                run_step(timeline, events, claims, kind, target, published, choice)
            known, recorded = boundaries(store)
            for known_pick, recorded_pick in queries:
                when = PointInTime(known[known_pick % len(known)], recorded[recorded_pick % len(recorded)])
                check(store, events, when, filters)
        finally:
            store.close()
            discard()

    example()
