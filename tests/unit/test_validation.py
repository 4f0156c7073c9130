"""What a writer sends is checked against the commands' own types: every problem at once, in words."""

from __future__ import annotations

import msgspec.inspect as mi
import pytest

from domain import rules, validation
from domain.commands import OP_COMMANDS, CorrectEvent, ReportEvent
from domain.entries import Place
from domain.errors import InvalidInput
from tests.builders import report

SOURCE = {"publisher": "Reuters", "title": "A report", "url": "https://example.org/r"}


def problems(raw, kind=ReportEvent) -> dict[str, str]:
    return dict(validation.checked(raw, kind)[1])


def test_an_empty_report_names_each_required_field():
    assert set(problems({})) == {"kind", "title", "occurred", "source"}


def test_every_problem_of_a_body_is_named_at_once_in_every_nested_object():
    found = problems({"kind": "picnic", "title": 5, "occurred": "2023-02-29", "source": {"url": "x"},
                      "actors": [{"name": "Ukraine", "role": "party"}, {"name": "", "role": "referee"}],
                      "unknown": 1})
    assert set(found) == {"kind", "title", "occurred", "source.publisher", "source.title", "source.url",
                          "actors[1].name", "actors[1].role", "unknown"}


def test_free_text_is_trimmed_and_a_title_blank_after_trimming_is_refused():
    value, found = validation.checked({"kind": "talks", "title": "  Jeddah\n", "occurred": "2025",
                                       "summary": " s ", "source": {**SOURCE, "publisher": " Reuters "}}, ReportEvent)
    assert found == [] and (value["title"], value["summary"], value["source"]["publisher"]) == ("Jeddah", "s", "Reuters")
    assert problems({"kind": "talks", "title": " \t", "occurred": "2025", "source": SOURCE}) == {
        "title": "must not be blank"}


@pytest.mark.parametrize("place, field", [
    ({"name": "Kursk", "country": "ZZ"}, "country"), ({"name": "Kursk", "country": "UA", "subdivision": "RU-KRS"},
                                                      "subdivision"),
    ({"name": "Kursk", "country": "RU "}, "country"), ({"name": "Kursk", "country": "ru"}, "country"),
])
def test_a_place_names_an_assigned_country_and_a_subdivision_inside_it(place, field):
    assert set(problems(place, Place)) == {field}


def test_a_place_in_kursk_oblast_of_russia_is_fine():
    assert problems({"name": "Kursk", "country": "RU", "subdivision": "RU-KRS"}, Place) == {}


def test_a_code_outside_its_taxonomy_is_refused_listing_the_allowed_values():
    found = problems({"kind": "battle", "title": "t", "occurred": "2025", "source": SOURCE,
                      "codes": {"acled_event_type": "Fighting", "pax_stage": "Cea"}})
    assert set(found) == {"codes.acled_event_type"}
    assert "Battles, Explosions/Remote violence" in found["codes.acled_event_type"]


def test_a_correction_s_changes_are_checked_as_a_report_s_fields():
    found = problems({"changes": {"title": " ", "kind": None, "recorded_at": "x", "places": [{"name": "x"}]},
                      "reason": "typo", "source": SOURCE}, CorrectEvent)
    assert set(found) == {"changes.title", "changes.kind", "changes.recorded_at", "changes.places[0].country"}


def test_a_report_built_in_code_meets_the_same_rules():
    with pytest.raises(InvalidInput) as refused:
        rules.check_report(report(occurred="2023-02-29", title="  ").command)
    assert {error["field"] for error in refused.value.errors} == {"occurred", "title"}


def _patterns_without_words(info, path=""):
    if isinstance(info, mi.Metadata):
        described = (info.extra_json_schema or {}).get("description")
        inner = info.type
        if isinstance(inner, mi.StrType) and inner.pattern and not described:
            yield path
        if not isinstance(inner, mi.StrType):
            yield from _patterns_without_words(inner, path)
    elif isinstance(info, mi.StrType) and info.pattern:
        yield path
    elif isinstance(info, mi.UnionType):
        for choice in info.types:
            yield from _patterns_without_words(choice, path)
    elif isinstance(info, mi.ListType):
        yield from _patterns_without_words(info.item_type, f"{path}[]")
    elif isinstance(info, mi.StructType):
        for field in info.fields:
            yield from _patterns_without_words(field.type, f"{path}.{field.name}")


@pytest.mark.parametrize("op", sorted(OP_COMMANDS))
def test_every_format_a_command_checks_is_described_in_words(op):
    assert list(_patterns_without_words(mi.type_info(OP_COMMANDS[op]))) == []


@pytest.mark.parametrize("field, value", [("url", "https://example.org/r\n"), ("url", " https://example.org/r"),
                                          ("archive_url", "https://example.org/a "), ("published_at", "2025-03-11\n")])
def test_a_url_or_time_with_surrounding_whitespace_is_refused_not_stored(field, value):
    found = problems({"kind": "talks", "title": "t", "occurred": "2025", "source": {**SOURCE, field: value}})
    assert found == {f"source.{field}": f"{value!r} begins or ends with whitespace"}
