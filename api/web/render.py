"""Jinja2 templates, autoescaped, with the few filters the pages need."""

from __future__ import annotations

import time

from jinja2 import Environment, PackageLoader, select_autoescape
from litestar import MediaType, Response

from api.web.chart import draw
from api.web.page import AGREEMENT_KINDS, LEAD_UP_DAYS, TimelinePage
from domain import clock
from domain.entries import EventKind


def human(moment: str | int | None) -> str:
    """A knowledge or record time as people read it: `20 Aug 2024, 00:00 UTC`."""
    if moment is None:
        return "—"
    micros = moment if isinstance(moment, int) else clock.parse_instant(moment, "time")
    t = time.gmtime(micros // clock.MICROS)
    return f"{t.tm_mday} {time.strftime('%b', t)} {t.tm_year:04d}, {t.tm_hour:02d}:{t.tm_min:02d} UTC"


def linkable(url: str | None) -> bool:
    return isinstance(url, str) and url.startswith(("https://", "http://"))


def chart_of(page: TimelinePage):
    return draw(page.ongoing + page.events, page.agreements, (page.query.where.start, page.query.where.end), LEAD_UP_DAYS)


def occurred_of(entry) -> str:
    """An entry's world time, where it states one: the report's date, or a correction of it."""
    data = entry.data if isinstance(entry.data, dict) else {}
    return data.get("occurred") or (data.get("changes") or {}).get("occurred") or ""


def describe(entry) -> str:
    """What an entry says, in a few words: who took which position or stance, which source, why."""
    data = entry.data if isinstance(entry.data, dict) else {}
    if data.get("party"):
        return f"{data['party']}: {data['position'].replace('_', ' ')}"
    if data.get("stance"):
        return f"{data.get('by')}: {data['stance']}"
    if data.get("claimant"):
        return f"claim by {data['claimant']}"
    if data.get("reason"):
        return data["reason"]
    return (data.get("source") or {}).get("publisher") or ""


templates = Environment(loader=PackageLoader("api.web", "templates"), autoescape=select_autoescape(default=True),
                        trim_blocks=True, lstrip_blocks=True)
templates.filters.update(human=human, linkable=linkable)
templates.globals.update(chart_of=chart_of, occurred_of=occurred_of, describe=describe, lead_up_days=LEAD_UP_DAYS,
                         agreement_kinds=AGREEMENT_KINDS, kinds=EventKind.__args__,
                         filter_names=("from", "to", "kind", "track", "actor", "place", "tag", "q", "compare_at", "include_retracted"))


def html(template: str, status: int = 200, **context) -> Response:
    return Response(templates.get_template(template).render(**context), media_type=MediaType.HTML, status_code=status)
