"""Metric lines: one JSON object per line on stdout, and an optional Markdown table."""

from __future__ import annotations

import operator
import sys
from pathlib import Path

import msgspec

COMPARE = {"<=": operator.le, ">=": operator.ge, "<": operator.lt}


class Metric(msgspec.Struct):
    metric: str
    backend: str
    value: float
    unit: str
    baseline: float | None = None
    ratio: float | None = None
    target: str | None = None  # e.g. ">= 0.5": on the ratio when there is a baseline, else on the value
    ok: bool | None = None


def metric(name: str, backend: str, value: float, unit: str, baseline: float | None = None,
           target: str | None = None) -> Metric:
    ratio = value / baseline if baseline else None
    ok = None
    if target:
        sign, bound = target.split()
        ok = COMPARE[sign](ratio if baseline is not None else value, float(bound))
    return Metric(name, backend, round(value, 3), unit, None if baseline is None else round(baseline, 3),
                  None if ratio is None else round(ratio, 4), target, ok)


def emit(line: Metric) -> Metric:
    sys.stdout.write(msgspec.json.encode(line).decode() + "\n")
    sys.stdout.flush()
    return line


def markdown(lines: list[Metric], path: Path, header: str) -> None:
    rows = ["| metric | backend | value | unit | baseline | ratio | target | ok |", "|---|---|---|---|---|---|---|---|"]
    for m in lines:
        cells = [m.metric, m.backend, f"{m.value:g}", m.unit, "" if m.baseline is None else f"{m.baseline:g}",
                 "" if m.ratio is None else f"{m.ratio:.3f}", m.target or "",
                 "" if m.ok is None else ("yes" if m.ok else "**no**")]
        rows.append("| " + " | ".join(cells) + " |")
    path.write_text(header + "\n\n" + "\n".join(rows) + "\n")
