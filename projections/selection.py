"""The timeline's SQL: `matching.meets` as clauses on a row, and the bounded index ranges that find rows.

Rows are read from the (bucket, occurred_start, …) index, one bounded range per
bucket (see projections.index), merged in world order. When the filter names an
actor, a tag or a place, the ranges are read from `event_facets` instead, which
holds, per facet, the (bucket, occurred_start) of every row of an event that
had it: a rare name then costs its own rows, not a scan of the window.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from adapters.store import Tx
from domain.dates import days_before
from projections import dialects
from projections.index import SEP, day_of, facet, longest_days, name_keys, nul_safe
from projections.matching import TimelineFilter, normalise, words

if TYPE_CHECKING:
    from projections.queries import PointInTime

ROW = "{s}event_states s"
WALKED_ROWS, MOST_WALKED = 500, 4000  # rows a text search on PostgreSQL tests in world order (see _walked_then_indexed)
VIEW = "JOIN {s}event_views v ON v.id = s.view_id"  # a row's view, read only for the rows answered with


def clauses(where: TimelineFilter, dialect: str) -> tuple[list[str], list]:
    """The filters of `where` as SQL on the row `s`: `matching.meets`, row by row."""
    sql, params = ["s.visible = 1"], []
    if not where.include_retracted:
        sql.append("s.retracted = 0")
    if where.start:
        sql.append("s.occurred_end >= ?")
        params.append(where.start)
        if where.ongoing != "include":
            sql.append("s.occurred_start < ?" if where.ongoing == "only" else "s.occurred_start >= ?")
            params.append(where.start)
    elif where.ongoing == "only":
        sql.append("1 = 0")  # nothing began before a window that has no start
    if where.end:
        sql.append("s.occurred_start <= ?")
        params.append(where.end)
    if where.kinds:
        sql.append(f"s.kind IN ({', '.join('?' * len(where.kinds))})")
        params += where.kinds
    if where.track:
        sql.append("s.track = ?")
        params.append(nul_safe(where.track))
    if where.actor is not None:  # a run of whole words of a name; no word at all names nobody
        asked = words(where.actor)
        sql.append("s.actors LIKE ? ESCAPE '\\'" if asked else "1 = 0")
        params += [f"% {_like(' '.join(asked))} %"] if asked else []
    for column, value in (("places", where.place), ("tags", where.tag)):
        if value is not None:
            sql.append(f"s.{column} LIKE ? ESCAPE '\\'")
            params.append(f"%{SEP}{_like(nul_safe(normalise(value.strip())))}{SEP}%")
    prefixes = words(where.text or "")
    if prefixes:
        text_index = dialects.for_dialect(dialect)
        sql.append(f"s.text_id IN ({text_index.MATCHING_IDS})")
        params.append(text_index.query(prefixes))
    return sql, params


def facets_of(where: TimelineFilter) -> list[str]:
    """Facets whose rows all hold every answer, if the filter names one: the words asked of an actor's
    name (two by two when there are several), else a tag, else a place. The first is read in world
    order; the others are looked up."""
    asked = words(where.actor or "")
    if asked:
        keys = name_keys(asked)
        return list(dict.fromkeys(keys[len(asked):] if len(asked) > 1 else keys))
    if where.tag is not None:
        return [facet("tag", normalise(where.tag.strip()))]
    if where.place is not None:
        return [facet("place", normalise(where.place.strip()))]
    return []


def select(tx: Tx, recorded: tuple[str, list], at: PointInTime, where: TimelineFilter, extra: list[str],
           extra_params: list, limit: int) -> list:
    """Rows at (K, R) meeting `where` and the extra clauses on `s`, in world order, with their views."""
    chosen, *also = facets_of(where) or [None]
    text_index = dialects.for_dialect(tx.dialect.name)
    by_text = where.start is None and where.end is None and chosen is None and words(where.text or "")
    sql, params = clauses(replace(where, text=None) if by_text else where, tx.dialect.name)
    recorded_sql, recorded_params = recorded
    valid = f"{recorded_sql} AND s.known_from <= ? AND s.known_to > ? AND {' AND '.join([*sql, *extra])}"
    valid_params = [*recorded_params, at.known_at, at.known_at, *params, *extra_params]
    if by_text:
        return _by_text(tx, text_index, where, valid, valid_params, limit)
    if where.start is None and where.end is None and chosen is None:  # from the world's start: one index
        return tx.rows(f"SELECT s.event_id, s.occurred_start, v.view FROM {ROW} {VIEW} WHERE {valid} "
                       "ORDER BY s.occurred_start, s.event_id LIMIT ?", [*valid_params, limit])
    bounds = sorted(ranges(tx, at, where), key=lambda bucket_range: bucket_range[1] or "")
    if chosen is None:  # b is the row itself
        found = f"SELECT s.id, s.occurred_start, s.event_id FROM {ROW} {text_index.BY_BUCKET}"
        bounded, facet_params = "s.bucket = {bucket} AND s.occurred_start >= {low} AND s.occurred_start <= {high}", []
    else:
        found = (f"SELECT s.id, b.occurred_start, b.event_id FROM {{s}}event_facets b JOIN {ROW} {text_index.BY_EVENT} "
                 "ON s.event_id = b.event_id AND s.bucket = b.bucket AND s.occurred_start = b.occurred_start")
        # A given name is shared by many people: each further word asked is looked up before the row is read.
        bounded = "b.facet = ? AND " + "".join(
            "EXISTS (SELECT 1 FROM {s}event_facets f WHERE f.facet = ? AND f.bucket = b.bucket "
            "AND f.occurred_start = b.occurred_start AND f.event_id = b.event_id) AND " for _ in also) + (
            "b.bucket = {bucket} AND b.occurred_start >= {low} AND b.occurred_start <= {high}")
        facet_params = [chosen, *also]
    order = "s.occurred_start, s.event_id" if chosen is None else "b.occurred_start, b.event_id"
    if chosen is not None and text_index.MERGES_RANGES and bounds:
        # A name's rows are few in each range and the page takes some from most of them: one compound
        # statement whose ranges SQLite merges in world order, reading each only as far as the page needs.
        each = _bound(f"{found} WHERE {bounded} AND {valid}", "?", "?", "?")
        params = [p for bucket, low, high in bounds for p in (*facet_params, bucket, low or "", high, *valid_params)]
        return with_views(tx, tx.rows(" UNION ALL ".join([each] * len(bounds)) + " ORDER BY 2, 3 LIMIT ?",
                                      [*params, limit]))
    one_range = f"{found} WHERE {bounded} AND {valid} ORDER BY {order} LIMIT ?"
    found_rows = []
    for group in _read_together(bounds, text_index.EACH_RANGE is not None):
        # Ranges are read in the order of their lowest start: once a page's worth of rows all start
        # before a range can begin, it cannot change the page (a long log's first page is mostly the
        # open-ended events of its first years, from one or two ranges).
        if len(found_rows) >= limit:
            group = [bound for bound in group if (bound[1] or "") <= found_rows[limit - 1]["occurred_start"]]
        if not group:
            break
        if text_index.EACH_RANGE:
            columns = [[bucket for bucket, _, _ in group], [low or "" for _, low, _ in group], [h for *_, h in group]]
            each_range = text_index.EACH_RANGE.replace("{one_range}", _bound(one_range, "r.bucket", "r.low", "r.high"))
            found_rows += tx.rows(each_range, [*columns, *facet_params, *valid_params, limit, limit])
        else:
            found_rows += tx.rows(_bound(one_range, "?", "?", "?"),
                                  [*facet_params, group[0][0], group[0][1] or "", group[0][2], *valid_params, limit])
        found_rows = sorted(found_rows, key=lambda row: (row["occurred_start"], row["event_id"]))[:limit]
    return with_views(tx, found_rows)


def _read_together(bounds: list, at_once: bool) -> list[list]:
    """Ranges, lowest start first, in the groups each read by one statement: one range each where a
    statement costs little (SQLite, in process); else those sharing the lowest start, then all others
    (PostgreSQL, where each is a round trip and a plan)."""
    if not at_once or not bounds:
        return [[bound] for bound in bounds]
    first = [bound for bound in bounds if bound[1] == bounds[0][1]]
    return [first, bounds[len(first):]]


def _bound(one_range: str, bucket: str, low: str, high: str) -> str:
    return one_range.replace("{bucket}", bucket).replace("{low}", low).replace("{high}", high)


def with_views(tx: Tx, rows: list) -> list[dict]:
    """The rows (id, occurred_start, event_id) with their views, read only now: a row's view is
    kilobytes, and most rows a query reads are not in its answer."""
    if not rows:
        return []
    views = {row["id"]: row["view"] for row in tx.rows(
        f"SELECT s.id, v.view FROM {ROW} {VIEW} WHERE s.id IN ({', '.join('?' * len(rows))})", [row["id"] for row in rows])}
    return [{"event_id": row["event_id"], "occurred_start": row["occurred_start"], "view": views[row["id"]]}
            for row in rows]


def _by_text(tx: Tx, text_index, where: TimelineFilter, valid: str, params: list, limit: int) -> list:
    """Matches of the text index in world order, to the end of the page."""
    query = text_index.query(words(where.text), tx)
    if not text_index.IN_WORLD_ORDER:
        return with_views(tx, _walked_then_indexed(tx, text_index, query, valid, params, limit)[:limit])
    # Then the rest of the page's last day, since within a day the timeline orders by event id and the
    # text index by text id.
    first = tx.rows(f"{text_index.IN_WORLD_ORDER} AND {valid} ORDER BY w.rowid LIMIT ?", [query, *params, limit])
    if len(first) < limit:
        found = first
    else:
        last_day = text_index.day_of_key(first[-1]["text_key"])
        same_day = tx.rows(f"{text_index.ON_ONE_DAY} AND {valid}", [
            query, text_index.text_key(0, last_day), text_index.text_key(0, last_day + 1), *params])
        found = [row for row in first if text_index.day_of_key(row["text_key"]) < last_day] + same_day
    return with_views(tx, sorted(found, key=lambda row: (row["occurred_start"], row["event_id"]))[:limit])


def _walked_then_indexed(tx: Tx, text_index, query: str, valid: str, params: list, limit: int) -> list:
    """Matches of a text index that hands them over in no order (PostgreSQL's GIN), in world order.

    Rows are walked in world order and tested by their ids, WALKED_ROWS first, then as many more as the
    matches found so far say the page needs (up to MOST_WALKED); a word too rare for that is asked of
    the text index for its matches after the rows walked, which are then few enough to sort."""
    after, after_params, found, walk = "", [], [], WALKED_ROWS
    in_order = ("SELECT s.id, s.text_id, s.occurred_start, s.event_id FROM {row} WHERE {valid} "
                "ORDER BY s.occurred_start, s.event_id")
    while True:
        walked = tx.rows(text_index.WALKED.format(rows=in_order.format(row=ROW, valid=valid + after)),
                         [*params, *after_params, walk, query, limit - len(found), walk - 1])
        matched = [row for row in walked if row["id"] is not None]
        last = next((row for row in walked if row["id"] is None), None)
        found += matched
        if last is None or len(found) >= limit:
            return found
        after = " AND (s.occurred_start > ? OR (s.occurred_start = ? AND s.event_id > ?))"
        after_params = [last["occurred_start"], last["occurred_start"], last["event_id"]]
        walk = (limit - len(found)) * walk * 5 // 4 // len(matched) if matched else MOST_WALKED + 1
        if walk > MOST_WALKED:
            indexed = f"{valid}{after} AND s.text_id IN ({text_index.MATCHING_IDS})"
            return found + tx.rows(f"{in_order.format(row=ROW, valid=indexed)} LIMIT ?",
                                   [*params, *after_params, query, limit - len(found)])


def ranges(tx: Tx, at: PointInTime, where: TimelineFilter) -> list[tuple[int, str | None, str]]:
    """(bucket, lowest start, highest start) for each bucket that may hold an answer.

    A row meets a window starting at `from` only if it starts within its bucket's longest interval
    before it, and is known at K only if it starts within its bucket's largest lead after K."""
    known_day, found = day_of(at.known_at), []
    for row in tx.rows("SELECT bucket, max_lead, max_days FROM {s}index_buckets ORDER BY bucket"):
        longest = longest_days(row["bucket"])
        longest = None if longest is None else min(longest, row["max_days"])  # the longest it holds
        if where.start is None or where.ongoing != "exclude" and longest is None:
            low = None
        elif where.ongoing == "exclude":
            low = where.start
        else:
            low = days_before(where.start, longest)
        high = min(where.end or "9999-12-31", _days_after(known_day, row["max_lead"]))
        if not low or low <= high:
            found.append((row["bucket"], low, high))
    return found


def _days_after(day: date, days: int) -> str:
    return (day + timedelta(days=min(days, (date.max - day).days))).isoformat()


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
