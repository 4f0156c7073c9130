"""The status rules of SPEC §4, and the input rules that guard the log."""

from __future__ import annotations

import pytest

from domain import clock, rules
from domain.entries import Source
from domain.errors import InvalidInput


@pytest.mark.parametrize("stances, status", [
    ([], "asserted"),
    ([("ISW", "supports")], "asserted"),
    ([("ISW", "disputes")], "disputed"),
    ([("ISW", "disputes"), ("Reuters", "confirms")], "confirmed"),
    ([("Reuters", "confirms"), ("ISW", "refutes")], "refuted"),
    ([("ISW", "refutes"), ("Kremlin", "retracts")], "retracted"),
    ([("ISW", "retracts")], "asserted"),  # only the claimant can retract a claim
])
def test_claim_status_follows_the_seen_stances(stances, status):
    assert rules.claim_status("Kremlin", stances) == status


@pytest.mark.parametrize("parties, latest, status", [
    (["Ukraine", "Russia"], {}, "proposed"),
    (["Ukraine", "Russia"], {"ukraine": "accepts_with_conditions"}, "conditional"),
    (["Ukraine", "Russia"], {"ukraine": "accepts", "russia": "accepts"}, "accepted"),
    (["Ukraine", "Russia"], {"ukraine": "signs", "russia": "accepts"}, "accepted"),
    (["Ukraine", "Russia"], {"ukraine": "signs", "russia": "signs"}, "signed"),
    (["Ukraine", "Russia"], {"ukraine": "signs"}, "proposed"),  # a silent party blocks signed
    (["Ukraine", "Russia"], {"ukraine": "signs", "russia": "rejects"}, "rejected"),
    (["Ukraine", "Russia"], {"ukraine": "withdraws", "russia": "rejects"}, "withdrawn"),
    ([], {"united states": "proposes"}, "proposed"),  # a proposal is not a party's answer
    ([], {"united states": "proposes", "ukraine": "accepts"}, "accepted"),
    ([], {}, None),
])
def test_agreement_status_follows_each_partys_latest_position(parties, latest, status):
    assert rules.agreement_status(parties, latest) == status


def test_a_retraction_holds_until_a_later_reinstatement():
    assert rules.is_retracted([True]) and not rules.is_retracted([True, False])
    assert rules.is_retracted([True, False, True]) and not rules.is_retracted([])


def test_known_at_defaults_to_the_sources_publication_date():
    source = Source(publisher="p", title="t", url="https://x", published_at="2014-09-08")
    assert rules.requested_known_at(None, source, clock.now_micros()) == clock.parse_instant("2014-09-08", "x")
    assert rules.requested_known_at("2014-09-05", source, clock.now_micros()) == clock.parse_instant("2014-09-05", "x")
    assert rules.requested_known_at(None, Source(publisher="p", title="t", url="https://x"), 0) is None


def test_known_at_beyond_the_skew_is_refused():
    source = Source(publisher="p", title="t", url="https://x")
    now = clock.now_micros()
    with pytest.raises(InvalidInput):
        rules.requested_known_at(clock.format_instant(now + 6 * 60 * clock.MICROS), source, now)
    assert rules.requested_known_at(clock.format_instant(now + 60 * clock.MICROS), source, now) > now


def test_only_reported_fields_and_valid_values_can_be_corrected():
    assert rules.check_changes({"title": "New"}, claim=False) == {"title": "New"}
    for changes, field in [({}, "changes"), ({"source": {}}, "changes.source"), ({"title": ""}, "changes.title"),
                           ({"occurred": "soon"}, "changes.occurred"), ({"kind": None}, "changes.kind"),
                           ({"actors": [{"name": "x", "role": "umpire"}]}, "changes.actors[0].role")]:
        with pytest.raises(InvalidInput) as refused:
            rules.check_changes(changes, claim=False)
        assert refused.value.errors[0]["field"] == field
    with pytest.raises(InvalidInput):
        rules.check_changes({"title": "x"}, claim=True)
