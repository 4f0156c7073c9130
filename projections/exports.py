"""Exports (SPEC §10): the events visible at (K, R) with the timeline's filters, as TimelineJS3
JSON, PLOVER JSON Lines, or ACLED's and UCDP GED's CSV columns.

Written page by page through the timeline query, never all in memory. Each export states its
`as_of` and what its format cannot hold: CSV in a leading `#` line, JSON in members of its own.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable, Iterator

import msgspec

from domain import clock, interop
from domain.datasets import row_id_of
from domain.dates import Occurred
from domain.view import EventView
from projections.queries import PointInTime, Reader, TimelineFilter

PAGE = 500
MEDIA_TYPES = {"timelinejs": "application/json", "plover": "application/x-ndjson",
               "acled-csv": "text/csv; charset=utf-8", "ged-csv": "text/csv; charset=utf-8"}
FORMATS = tuple(MEDIA_TYPES)
NOT_HELD = "claims, positions, agreement status, sources after the first"
SIDE_TWO = {"defender", "callee", "observer"}  # the second actor column; every other role is the first
DISORDER = {"Battles": "Political violence", "Explosions/Remote violence": "Political violence",
            "Violence against civilians": "Political violence", "Protests": "Demonstrations",
            "Riots": "Demonstrations", "Strategic developments": "Strategic developments"}
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp")
GED_COLUMNS = ("id", "date_start", "date_end", "date_prec", "best", "low", "high", "country", "latitude",
               "longitude", "source_article", "source_date")

_encode = msgspec.json.Encoder().encode
_views = msgspec.json.Decoder(EventView)


class _Dated(msgspec.Struct):
    occurred: Occurred


_dated = msgspec.json.Decoder(_Dated)


def export(reader: Reader, format: str, where: TimelineFilter, at: PointInTime) -> Iterator[bytes]:
    """The export as chunks of bytes, one page of events each."""
    return _WRITERS[format](reader, where, reader.seen(at))


def _pages(reader: Reader, where: TimelineFilter, at: PointInTime, decode=_views.decode) -> Iterator[list]:
    for items in reader.pages(where, at, PAGE):
        yield [decode(item) for item in items]


def _as_of(at: PointInTime) -> dict:
    return msgspec.structs.asdict(at.as_of)


def exported_id(view: EventView) -> str:
    """A dataset row's own id, else the event's."""
    return (view.sources and row_id_of(view.sources[0].url)) or view.id


def sides(view: EventView) -> tuple[list[str], list[str]]:
    first = [a.name for a in view.actors if a.role not in SIDE_TWO]
    return first, [a.name for a in view.actors if a.role in SIDE_TWO]


def _first_source(view: EventView):
    return view.sources[0] if view.sources else None


# --- TimelineJS3 -----------------------------------------------------------------------------

def _timelinejs(reader: Reader, where: TimelineFilter, at: PointInTime) -> Iterator[bytes]:
    title = {"text": {"headline": "Ceasefire Timeline",
                      "text": f"As known at {at.as_of.known_at}, recorded by {at.as_of.recorded_at}."}}
    yield b'{"title":' + _encode(title) + b',"as_of":' + _encode(at.as_of) + b',"events":['
    written = left_out = 0
    for views in _pages(reader, where, at):
        slides = [slide for view in views if (slide := timelinejs_slide(view))]
        left_out += len(views) - len(slides)
        if slides:
            yield (b"," if written else b"") + b",".join(_encode(slide) for slide in slides)
            written += len(slides)
    yield (b'],"left_out":' + _encode({"events": left_out, "why": "no start date: a TimelineJS slide needs a year",
                                       "not_in_format": NOT_HELD}) + b"}")


def timelinejs_slide(view: EventView) -> dict | None:
    occurred = view.occurred
    if not occurred.start:
        return None
    display = occurred.edtf + (" (ongoing)" if occurred.end is None else "")
    slide = {"unique_id": view.id, "start_date": _tl_date(occurred.start, occurred.precision, display),
             "text": {"headline": html.escape(view.title), "text": _tl_text(view)},
             "group": view.track or view.kind, "display_date": display}
    if occurred.end and "/" in occurred.edtf:  # a single EDTF date is one slide-date, whatever it spans
        slide["end_date"] = _tl_date(occurred.end, occurred.precision, display)
    return slide


def _tl_date(day: str, precision: str, display: str) -> dict:
    year, month, date_ = (int(part) for part in day.split("-"))
    value = {"year": year}
    if precision in ("month", "day"):
        value["month"] = month
    if precision == "day":
        value["day"] = date_
    return {**value, "display_date": display}


def _tl_text(view: EventView) -> str:
    links = ", ".join(f'<a href="{html.escape(s.url)}">{html.escape(s.publisher)}</a>' for s in view.sources)
    return f"<p>{html.escape(view.summary)}</p>" + (f"<p>Sources: {links}</p>" if links else "")


# --- PLOVER ----------------------------------------------------------------------------------

def _plover(reader: Reader, where: TimelineFilter, at: PointInTime) -> Iterator[bytes]:
    as_of = _as_of(at)
    for views in _pages(reader, where, at):
        coded = _reported_at(reader, [view.id for view in views])
        yield b"".join(_encode(plover_line(view, coded.get(view.id), as_of)) + b"\n" for view in views)


def _reported_at(reader: Reader, event_ids: list[str]) -> dict[str, int]:
    """When each event's report was recorded: PLOVER's coded date."""
    if not event_ids:
        return {}
    with reader.store.read() as tx:
        rows = tx.rows(f"SELECT event_id, recorded_at FROM {{s}}ledger WHERE version = 1 "
                       f"AND event_id IN ({', '.join('?' * len(event_ids))})", event_ids)
    return {str(row["event_id"]): row["recorded_at"] for row in rows}


def plover_line(view: EventView, coded_at: int | None, as_of: dict) -> dict:
    first, second = sides(view)
    place, source = (view.places[0] if view.places else None), _first_source(view)
    return {
        "id": view.id, "date": view.occurred.start, "enddate": view.occurred.end,
        "event": interop.plover_category(view.kind, view.codes), "mode": None,
        "actor": first[0] if first else None, "recipient": second[0] if second else None,
        "event_loc": place and {"name": place.name, "country": place.country, "lat": place.lat, "lon": place.lon},
        "event_text": view.summary or view.title, "link": source and source.url,
        "cite_info": source and (source.published_at or source.known_at),
        "coded_date": coded_at and clock.format_instant(coded_at), "as_of": as_of,
    }


# --- CSV -------------------------------------------------------------------------------------

def _csv(columns: tuple[str, ...], dating: Callable[[Occurred], object], row: Callable, why: str):
    def write(reader: Reader, where: TimelineFilter, at: PointInTime) -> Iterator[bytes]:
        # The count of what is left out leads the file, so a first pass reads only the dates.
        left_out = sum(dating(d.occurred) is None for page in _pages(reader, where, at, _dated.decode) for d in page)
        yield (f"# as_of known_at={at.as_of.known_at} recorded_at={at.as_of.recorded_at}; "
               f"left out: {left_out} events {why}; not in this format: {NOT_HELD}\n").encode()
        out = io.StringIO()
        table = csv.writer(out, lineterminator="\n")
        table.writerow(columns)
        for views in _pages(reader, where, at):
            table.writerows(row(view, dated) for view in views if (dated := dating(view.occurred)) is not None)
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    return write


def _cell(value) -> str:
    return "" if value is None else str(value)


def acled_row(view: EventView, dated: tuple[str, int]) -> list[str]:
    event_date, precision = dated
    event_type, sub_event_type = interop.acled_types(view.kind, view.codes)
    first, second = sides(view)
    place = view.places[0] if view.places else None
    region = view.places[1].name if len(view.places) > 1 else ""
    source = _first_source(view)
    known_since = clock.parse_instant(view.known_since, "known_since") // clock.MICROS if view.known_since else None
    return [_cell(value) for value in (
        exported_id(view), event_date, event_date[:4], precision, DISORDER.get(event_type, ""), event_type,
        sub_event_type, first[0] if first else "", "; ".join(first[1:]), "", second[0] if second else "",
        "; ".join(second[1:]), "", "", "", place and interop.country_number(place.country), "",
        place and interop.country_name(place.country), region, "", "", place and place.name, place and place.lat,
        place and place.lon, "", source and source.publisher, "", view.summary or view.title,
        view.fatalities and view.fatalities.best,
        "; ".join(tag for tag in view.tags if not tag.startswith("dataset:")), known_since)]


def ged_row(view: EventView, precision: int) -> list[str]:
    place, source, counts = (view.places[0] if view.places else None), _first_source(view), view.fatalities
    published = source and (source.published_at or source.known_at)
    return [_cell(value) for value in (
        exported_id(view), view.occurred.start, view.occurred.end, precision, counts and counts.best,
        counts and counts.low, counts and counts.high, place and interop.country_name(place.country),
        place and place.lat, place and place.lon, source and source.url, published and published[:10])]


_WRITERS = {
    "timelinejs": _timelinejs,
    "plover": _plover,
    "acled-csv": _csv(ACLED_COLUMNS, interop.acled_date, acled_row,
                      "vaguer than a month, open-ended or without a start (time_precision holds a day to a month)"),
    "ged-csv": _csv(GED_COLUMNS, interop.ged_precision, ged_row,
                    "vaguer than a year, open-ended or without a start (date_prec holds a day to a year)"),
}
