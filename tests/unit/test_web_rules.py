"""The web timeline's own rules, without a database: what `data-change` says, and how the drawing is laid out."""

from __future__ import annotations

from api.web.chart import WIDTH, draw
from api.web.page import Item, change_marks
from projections.diff import EventDiff, changed_paths


def view(**fields):
    base = {"id": "e1", "kind": "talks", "title": "Talks", "summary": "", "status": "active", "agreement_status": None,
            "occurred": {"edtf": "2025-03-11", "start": "2025-03-11", "end": "2025-03-11", "precision": "day",
                         "approximate": False, "uncertain": False},
            "sources": [], "claims": [], "positions": [], "version": 1, "known_since": "2025-03-11T00:00:00.000000Z"}
    return {**base, **fields}


def claim(status="asserted", statement="Sudzha is taken", stances=()):
    return {"claim_id": "c1", "claimant": "Russia", "statement": statement, "status": status, "stances": list(stances),
            "source": None, "known_since": "2025-03-13T00:00:00.000000Z"}


def marks(before, after):
    return change_marks(EventDiff(before=before, after=after, changed=changed_paths(before, after) if before else []))


def test_an_event_unknown_then_is_added():
    assert marks(None, view()) == ["added"]


def test_an_event_retracted_since_is_retracted_and_nothing_else():
    assert marks(view(), view(status="retracted")) == ["retracted"]


def test_a_new_agreement_status_or_claim_status_is_a_status_change():
    assert marks(view(agreement_status="proposed"), view(agreement_status="conditional")) == ["status"]
    assert marks(view(claims=[claim()]), view(claims=[claim("disputed", stances=[{"by": "ISW"}])])) == ["status"]


def test_any_other_changed_path_is_a_correction():
    assert marks(view(), view(title="Talks in Jeddah")) == ["corrected"]
    assert marks(view(claims=[claim()]), view(claims=[claim(statement="Sudzha is retaken")])) == ["corrected"]
    assert marks(view(), view(title="Other", agreement_status="proposed")) == ["status", "corrected"]


def test_version_and_known_since_are_never_changes():
    assert changed_paths(view(), view(version=3, known_since="2025-03-12T00:00:00.000000Z")) == []


def test_a_party_restating_its_position_later_is_no_change():
    first = {"party": "Ukraine", "position": "accepts", "conditions": None, "statement": None, "known_at": "2025-03-11"}
    assert changed_paths(view(positions=[first]), view(positions=[{**first, "known_at": "2025-03-12"}])) == []
    assert changed_paths(view(positions=[first]), view(positions=[{**first, "position": "rejects"}])) == ["positions[Ukraine]"]


def occurred(edtf, start, end, approximate=False):
    return {"edtf": edtf, "start": start, "end": end, "precision": "day", "approximate": approximate, "uncertain": False}


def test_an_open_ended_event_is_drawn_open_to_the_right_edge():
    chart = draw([Item(view(occurred=occurred("2024-08-06/..", "2024-08-06", None)))], [], ("2024-08-01", "2024-08-31"), 30)
    bar = chart.bars[0]
    assert bar.open_end and bar.x + bar.width == WIDTH and not bar.open_start


def test_an_approximate_date_is_drawn_fuzzy_and_an_earlier_start_is_drawn_open():
    chart = draw([Item(view(occurred=occurred("2014-08-24~/2014-08-29", "2014-08-24", "2014-08-29", True)))], [],
                 ("2014-08-26", "2014-09-05"), 30)
    assert chart.bars[0].fuzzy and chart.bars[0].open_start and chart.bars[0].x == 0


def test_overlapping_events_take_separate_lanes_and_an_agreement_shades_its_lead_up():
    battle = Item(view(id="b", kind="battle", occurred=occurred("2015-01-14/2015-02-20", "2015-01-14", "2015-02-20")))
    minsk = Item(view(id="m", kind="agreement", occurred=occurred("2015-02-12", "2015-02-12", "2015-02-12")))
    chart = draw([battle, minsk], [minsk], ("2015-01-01", "2015-02-28"), 30)
    assert len({bar.y for bar in chart.bars}) == 2
    band = chart.bands[0]
    minsk_bar = next(bar for bar in chart.bars if bar.event_id == "m")
    assert band.agreement_id == "m" and abs(band.x + band.width - minsk_bar.x) < 0.2 and band.width > 0
    assert [tick.label for tick in chart.ticks][:3] == ["1 Jan", "7 Jan", "13 Jan"]
