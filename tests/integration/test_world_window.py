"""Property: the timeline's world window, computed in SQL by the index, keeps exactly the events the
Python rule `domain.dates.meets` keeps (the rule the stream's window uses), asked at the bounds."""

from __future__ import annotations

import uuid

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import clock
from domain.dates import meets, normalise
from projections.queries import PointInTime, TimelineFilter
from tests.builders import report

OCCURRED = ["2024-08", "2024-08-17", "2024", "2024-08-01/2024-08-20", "2024-08-20/..", "../2024-08-10",
            "2024-09-01", "2023-12-31", "2024-08-17~", "2024-21"]


def bounds(texts: list[str]) -> list[str]:
    """Every day where an event begins or ends, and the days either side: where the rule can flip."""
    days = {d for t in texts for d in (normalise(t).start, normalise(t).end) if d}
    return sorted({clock.format_instant(clock.parse_instant(d, "d") + shift * 86_400 * clock.MICROS)[:10]
                   for d in days for shift in (-1, 0, 1)})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), events=st.lists(st.sampled_from(OCCURRED), min_size=1, max_size=5))
def test_the_indexed_window_keeps_exactly_the_events_whose_time_meets_it(timeline, reader, data, events):
    track = f"window-{uuid.uuid4().hex[:12]}"  # the store outlives examples: ask only about this one's events
    for text in events:
        timeline.execute([report(title=text, occurred=text, published_at="2024-08-01", track=track)], "prop")
    days = [None, *bounds(events)]
    start, end = data.draw(st.sampled_from(days)), data.draw(st.sampled_from(days))
    page = reader.timeline(TimelineFilter(start=start, end=end, track=track),
                           PointInTime(clock.now_micros(), clock.now_micros()), 50, None)
    listed = sorted(msgspec.json.decode(bytes(item))["title"] for item in page.items)
    assert listed == sorted(text for text in events if meets(normalise(text), start, end))
