"""Dataset snapshots (SPEC §10): ACLED and UCDP GED rows read as events, and a snapshot diffed
against what the log holds into the commands that bring it up to date.

Pure: rows come in as text, the log's current views come in as EventViews, commands go out.
Each row is the event `uuid5(NAMESPACE_URL, "urn:ceasefire:<dataset>:<row id>")`.
"""

from __future__ import annotations

import csv
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime

import msgspec

from domain import clock, interop, validation
from domain.commands import CorrectEvent, Op, ReinstateEvent, ReportEvent, RetractEvent
from domain.dates import normalise
from domain.entries import Actor, Codes, Fatalities, Place, Source
from domain.errors import InvalidInput
from domain.view import EventView

FORMATS = ("acled-csv", "ged-csv")
DEFAULT_NAMES = {"acled-csv": "acled", "ged-csv": "ucdp-ged"}
DIFFERING = ("kind", "title", "summary", "occurred", "places", "actors", "tags", "codes", "fatalities")
MAX_ERRORS = 100  # a wholly wrong file names its first hundred problems, not a million


class Row(msgspec.Struct, kw_only=True):
    """One dataset row as the event it says exists."""

    row_id: str
    event_id: str
    line: int
    fields: dict  # the report's fields, DIFFERING, as the log would hold them
    known_at: int  # the row's timestamp, else the snapshot's (microseconds)

    @property
    def published_at(self) -> str:
        return clock.format_instant(self.known_at)


class Counts(msgspec.Struct, kw_only=True):
    reported: int = 0
    corrected: int = 0
    retracted: int = 0
    reinstated: int = 0
    unchanged: int = 0


class Plan(msgspec.Struct, kw_only=True):
    ops: list[Op]
    lines: list[int]  # the physical line each op comes from (0: a row no longer in the snapshot)
    counts: Counts
    known_at: str  # when the snapshot's retractions and reinstatements became known


def row_uri(dataset: str, row_id: str) -> str:
    return f"urn:ceasefire:{dataset}:{row_id}"


def event_id_of(dataset: str, row_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, row_uri(dataset, row_id)))


def row_id_of(source_url: str) -> str | None:
    """The dataset row an event came from, by its first source's URI."""
    if not source_url.startswith("urn:ceasefire:"):
        return None
    return source_url.removeprefix("urn:ceasefire:").partition(":")[2] or None


def dataset_tag(dataset: str) -> str:
    return f"dataset:{dataset}"


# --- reading rows ----------------------------------------------------------------------------

class _Problems:
    """Every bad cell, named `line[N].<column>`; raised together once the file is read."""

    def __init__(self):
        self.errors: list[dict[str, str]] = []

    def add(self, line: int, column: str, detail: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            field = f"line[{line}].{column}"
            self.errors.append({"field": field, "detail": f"{field}: {detail}"})

    def raise_any(self) -> None:
        if self.errors:
            more = "" if len(self.errors) < MAX_ERRORS else f" (the first {MAX_ERRORS} shown)"
            raise InvalidInput(f"{self.errors[0]['detail']}; nothing was stored{more}", errors=self.errors)


def read_rows(lines: Iterable[str], format: str, dataset: str, published_at: str | None,
              now: int | None = None) -> list[Row]:
    """Every row of a snapshot, or InvalidInput naming each bad cell; `published_at` is RFC 3339 or a date."""
    problems, rows, seen = _Problems(), [], {}
    shape = _SHAPES[format]
    if shape.timestamp is None and published_at is None:
        raise InvalidInput.at("published_at", f"is required for {format}: its rows carry no timestamp")
    now = clock.now_micros() if now is None else now
    snapshot_at = None if published_at is None else _instant(published_at)
    for line, record in _records(lines, shape.required, problems):
        cell = _Cells(record, line, problems)
        row_id = cell.text(shape.id_column, required=True)
        if row_id and not re.fullmatch(r"\S{1,200}", row_id):
            cell.bad(shape.id_column, "must be 1-200 characters without spaces")
        if row_id in seen:
            cell.bad(shape.id_column, f"{row_id!r} is also on line {seen[row_id]}")
        seen[row_id] = line
        fields, stamp = shape.read(cell)
        stamp = snapshot_at if stamp is None else stamp
        if stamp is None:
            cell.bad(shape.timestamp, "is empty and the snapshot has no published_at to stand in for it")
        elif stamp > now + clock.SKEW_MICROS:
            cell.bad(shape.timestamp or "published_at", f"{clock.format_instant(stamp)} is in the future")
        if cell.ok:
            fields["title"] = fields["title"] or row_id
            fields["tags"] = [dataset_tag(dataset)]
            rows.append(Row(row_id=row_id, event_id=event_id_of(dataset, row_id), line=line, fields=fields,
                            known_at=stamp))
    problems.raise_any()
    return rows


def _records(lines: Iterable[str], required: tuple[str, ...], problems: _Problems) -> Iterator[tuple[int, dict]]:
    """(physical line, {column: value}); leading `#` lines are skipped but counted, the header is next."""
    lines = iter(lines)
    skipped, first = 0, next(lines, "")
    while first.startswith("#"):
        skipped, first = skipped + 1, next(lines, "")
    reader = csv.reader(_chain(first, lines))
    header = [name.strip().lstrip("\ufeff") for name in next(reader, [])]
    header_line = skipped + 1
    for name in required:
        if name not in header:
            problems.add(header_line, name, "is a required column and the header lacks it")
    problems.raise_any()
    ended = reader.line_num  # csv counts the physical lines read: a row starts on the line after the last one ends
    for values in reader:
        line, ended = header_line + ended, reader.line_num
        if not any(value.strip() for value in values):
            continue
        if len(values) != len(header):
            problems.add(line, header[min(len(values), len(header)) - 1] if header else "*",
                         f"the row has {len(values)} cells where the header names {len(header)}")
            continue
        yield line, dict(zip(header, values, strict=True))


def _chain(first: str, rest: Iterator[str]) -> Iterator[str]:
    yield first
    yield from rest


class _Cells:
    """One row's cells, read by type; a bad one is noted and reads as None."""

    def __init__(self, record: dict, line: int, problems: _Problems):
        self.record, self.line, self.problems, self.ok = record, line, problems, True

    def bad(self, column: str, detail: str) -> None:
        self.ok = False
        self.problems.add(self.line, column, detail)

    def text(self, column: str, required: bool = False) -> str:
        value = (self.record.get(column) or "").strip()
        if required and not value:
            self.bad(column, "is required")
        return value

    def number(self, column: str, kind: Callable = int, low: float = 0, high: float = 1_000_000_000) -> float | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = kind(value)
        except ValueError:
            return self.bad(column, f"{value!r} is not {'an integer' if kind is int else 'a number'}")
        if not low <= number <= high:
            return self.bad(column, f"{value} is outside {low}..{high}")
        return number

    def day(self, column: str) -> date | None:
        value = self.text(column, required=True)
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
        for pattern in ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%m/%d/%Y"):
            try:
                return datetime.strptime(value, pattern).date()
            except ValueError:
                continue
        if value:
            self.bad(column, f"{value!r} is not a date (e.g. 2024-08-06 or 06 August 2024)")
        return None

    def choice(self, column: str, allowed: tuple[str, ...], required: bool = False) -> str | None:
        value = self.text(column, required)
        if value and value not in allowed:
            return self.bad(column, f"{value!r} is not one of: {', '.join(allowed)}")
        return value or None

    def country(self, *columns: str) -> str | None:
        for column in columns:
            if (value := self.text(column)) and (code := interop.country_code(value)):
                return code
        named = next((column for column in columns if self.text(column)), columns[-1])
        return self.bad(named, f"{self.text(named)!r} names no ISO 3166-1 country")


def _place(cell: _Cells, name_columns: tuple[str, ...], region_column: str, country: str | None) -> list[Place]:
    if country is None:
        return []
    lat = cell.number("latitude", float, -90, 90)
    lon = cell.number("longitude", float, -180, 180)
    name = next((cell.text(c) for c in name_columns if cell.text(c)), "") or interop.country_name(country)
    places = [Place(name=name[:2000], country=country, lat=lat, lon=lon)]
    region = cell.text(region_column)
    if region and region != name:  # a region too, so `place=Kursk` finds what happened in Kursk Oblast
        places.append(Place(name=region[:2000], country=country))
    return places


def _actors(kind: str, sides: list[list[str]]) -> list[Actor]:
    roles = interop.side_roles(kind)
    return [Actor(name=name[:2000], role=role) for role, names in zip(roles, sides, strict=True)
            for name in names if name]


def _names(cell: _Cells, main: str, associates: str | None = None) -> list[str]:
    return [cell.text(main), *(n.strip() for n in (cell.text(associates) if associates else "").split(";"))]


def _acled(cell: _Cells) -> tuple[dict, int | None]:
    event_date = cell.day("event_date")
    precision = cell.number("time_precision", int, 1, 3) or 1
    event_type = cell.choice("event_type", interop.ACLED_EVENT_TYPES, required=True)
    sub_event_type = cell.choice("sub_event_type", interop.ACLED_SUB_EVENT_TYPES)
    kind = interop.kind_of(event_type or "", sub_event_type or "")
    fatalities = cell.number("fatalities")
    stamp = cell.number("timestamp", int, 0, 253402300799)
    notes = cell.text("notes")
    fields = {
        "kind": kind, "title": notes[:300].strip(), "summary": notes[:20_000],
        "occurred": interop.occurred_of_acled(event_date, precision) if event_date else None,
        "places": _place(cell, ("location", "admin2"), "admin1", cell.country("iso", "country")),
        "actors": _actors(kind, [_names(cell, "actor1", "assoc_actor_1"), _names(cell, "actor2", "assoc_actor_2")]),
        "codes": Codes(acled_event_type=event_type, acled_sub_event_type=sub_event_type),
        "fatalities": None if fatalities is None else Fatalities(best=fatalities),
    }
    return fields, None if stamp is None else stamp * clock.MICROS


GED_KINDS = {"1": "battle", "2": "battle", "3": "violation"}  # state-based, non-state, one-sided violence


def _ged(cell: _Cells) -> tuple[dict, int | None]:
    start, end = cell.day("date_start"), cell.day("date_end")
    precision = cell.number("date_prec", int, 1, 5) or 1
    if start and end and end < start:
        cell.bad("date_end", f"{end} is before date_start {start}")
    kind = GED_KINDS.get(cell.text("type_of_violence"), "battle")
    counts = Fatalities(**{name: cell.number(name) for name in ("low", "best", "high")})
    for column, problem in validation.fatalities(msgspec.structs.asdict(counts)):
        cell.bad(column, problem)
    dyad, where = cell.text("dyad_name"), cell.text("where_coordinates")
    fields = {
        "kind": kind, "title": " in ".join(filter(None, (dyad, where)))[:300],
        "summary": cell.text("source_headline")[:20_000],
        "occurred": interop.occurred_of_ged(start, end, precision) if start and end and end >= start else None,
        "places": _place(cell, ("where_coordinates", "adm_2"), "adm_1", cell.country("country")),
        "actors": _actors(kind, [[cell.text("side_a")], [cell.text("side_b")]]),
        "codes": None,
        "fatalities": None if counts == Fatalities() else counts,
    }
    return fields, None


class _Shape(msgspec.Struct, frozen=True):
    id_column: str
    required: tuple[str, ...]
    timestamp: str | None  # the column saying when a row was last revised
    read: Callable[[_Cells], tuple[dict, int | None]]  # the fields, and the row's timestamp if it has one


_SHAPES = {
    "acled-csv": _Shape("event_id_cnty", ("event_id_cnty", "event_date", "event_type"), "timestamp", _acled),
    "ged-csv": _Shape("id", ("id", "date_start", "date_end", "country"), None, _ged),
}


# --- the diff --------------------------------------------------------------------------------

def plan(dataset: str, rows: list[Row], current: dict[str, EventView], complete: bool,
         published_at: str | None) -> Plan:
    """The commands that bring the log up to the snapshot; `current` holds the log's latest view of
    each event of the dataset (all of them when `complete`)."""
    latest = _instant(published_at) if published_at else max((row.known_at for row in rows), default=None)
    if latest is None:
        raise InvalidInput.at("published_at", "is required: the snapshot has no row with a timestamp")
    known_at = clock.format_instant(latest)
    day = known_at[:10]
    ops, lines, counts = [], [], Counts()
    present = set()
    for row in rows:
        event_id = row.event_id
        present.add(event_id)
        source = _source(dataset, row.row_id, row.published_at)
        view = current.get(event_id)
        if view is None:
            ops.append(Op(command=ReportEvent(id=event_id, source=source, **row.fields)))
            lines.append(row.line)
            counts.reported += 1
            continue
        returning = view.status == "retracted" and _removed_by_snapshot(view, dataset)
        if returning:
            ops.append(Op(event_id=event_id, command=ReinstateEvent(
                reason=f"back in {dataset} snapshot of {day}", source=source, known_at=known_at)))
            lines.append(row.line)
            counts.reinstated += 1
        changes = _changes(view, row.fields)
        if changes and (returning or view.status != "retracted"):  # retracted for another reason: left be
            ops.append(Op(event_id=event_id, command=CorrectEvent(
                changes=changes, reason=f"revised in {dataset} snapshot of {day}", source=source)))
            lines.append(row.line)
            counts.corrected += 1
        elif not returning:
            counts.unchanged += 1
    if complete:
        covered = _coverage(rows)
        for event_id, view in sorted(current.items()):
            row_id = view.sources and row_id_of(view.sources[0].url)
            if event_id in present or view.status == "retracted" or not row_id or not covered(view):
                continue
            ops.append(Op(event_id=event_id, command=RetractEvent(
                reason=f"removed from {dataset} snapshot of {day}", source=_source(dataset, row_id, known_at),
                known_at=known_at)))
            lines.append(0)
            counts.retracted += 1
    return Plan(ops=ops, lines=lines, counts=counts, known_at=known_at)


def _coverage(rows: list[Row]) -> Callable[[EventView], bool]:
    """A complete snapshot is the whole dataset for its countries and dates: whether an event lies there."""
    countries = {row.fields["places"][0].country for row in rows if row.fields["places"]}
    spans = [normalise(row.fields["occurred"]) for row in rows]
    first = min((span.start for span in spans if span.start), default="9999")
    last = max((span.end or "9999-12-31" for span in spans), default="0000")
    return lambda view: ((not view.places or view.places[0].country in countries)
                         and first <= (view.occurred.start or first) <= last)


def _instant(text: str) -> int:
    return clock.parse_instant(text, "published_at")


def _source(dataset: str, row_id: str, published_at: str) -> Source:
    return Source(publisher=dataset, title=f"{dataset} row {row_id}", url=row_uri(dataset, row_id),
                  published_at=published_at)


def _removed_by_snapshot(view: EventView, dataset: str) -> bool:
    """Retracted because a snapshot lacked it (a retraction for any other reason stays)."""
    return bool(view.retraction and view.retraction.reason.startswith(f"removed from {dataset} snapshot"))


def current_fields(view: EventView) -> dict:
    """The view's fields as the log would hold them, in plain JSON."""
    return {"kind": view.kind, "title": view.title, "summary": view.summary, "occurred": view.occurred.edtf,
            **msgspec.to_builtins({name: getattr(view, name) for name in
                                   ("places", "actors", "tags", "codes", "fatalities")})}


def _changes(view: EventView, fields: dict) -> dict:
    wanted = msgspec.to_builtins(fields)
    held = current_fields(view)
    return {name: wanted[name] for name in DIFFERING if wanted[name] != held[name]}


def snapshot_time(published_at: str | None) -> str | None:
    """A snapshot's published_at, checked (RFC 3339 with offset, or a date)."""
    if published_at is None:
        return None
    return clock.format_instant(clock.parse_instant(published_at, "published_at"))


