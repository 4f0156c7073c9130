"""What a writer sends, checked against the commands' own types: every problem at once, in words.

msgspec decodes fast but stops at the first problem and words it for
programmers. This walks the same types (through `msgspec.inspect`, so each
constraint is declared once, on the Structs) and names every bad field:
`Meta(description=…)` says a format in words, and `Meta(extra=…)` carries the
writer's rules: `free_text` is trimmed before it is checked, `one_of` lists a
closed vocabulary, and `check` names one of `CHECKS` below. The rules apply to
what is written only; stored entries decode without them (SPEC §8).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable
from typing import Any

import msgspec
import msgspec.inspect as mi

from domain import clock, dates, vocabulary
from domain.entries import (
    CORRECTABLE_CLAIM_FIELDS,
    CORRECTABLE_FIELDS,
    ClaimFields,
    CorrectionFields,
    Fatalities,
    Place,
    ReportFields,
)
from domain.errors import InvalidInput

Problems = list[tuple[str, str]]  # (field path, what is wrong with it)


def country(code: str) -> str | None:
    return None if code in vocabulary.COUNTRIES else f"{code!r} is not an assigned ISO 3166-1 alpha-2 code"


def calendar_date(text: str) -> str | None:
    try:
        dates.parse(text)
    except InvalidInput as error:
        return error.errors[0]["detail"].removeprefix("occurred: ")
    return None


def instant(text: str) -> str | None:
    try:
        clock.parse_instant(text, "t")
    except InvalidInput as error:
        return error.errors[0]["detail"].removeprefix("t: ")
    return None


CHECKS: dict[str, Callable[[str], str | None]] = {"edtf": calendar_date, "instant": instant, "country": country}


def place(value: dict) -> Problems:
    subdivision, country = value.get("subdivision"), value.get("country")
    if not (isinstance(subdivision, str) and re.fullmatch(r"[A-Z]{2}-[A-Z0-9]{1,3}", subdivision)
            and isinstance(country, str) and country in vocabulary.COUNTRIES):
        return []  # a problem of either field on its own is named already
    if subdivision.split("-")[0] != country:
        return [("subdivision", f"{subdivision!r} is not in {value['country']!r}: its prefix must be the country")]
    return []


def fatalities(value: dict) -> Problems:
    """The counts given read low <= best <= high; any may be missing."""
    given = [(name, count) for name in ("low", "best", "high")
             if isinstance(count := value.get(name), int) and not isinstance(count, bool)]
    return [(upper, f"{high} is less than {lower} ({low}): low <= best <= high")
            for (lower, low), (upper, high) in itertools.pairwise(given) if low > high][:1]


def correction(value: dict) -> Problems:
    """A correction's `changes` are checked (and trimmed) as the report's own fields are."""
    if not isinstance(value.get("changes"), dict):
        return []  # named already
    value["changes"], problems = checked_changes(value["changes"], claim=value.get("claim_id") is not None)
    return problems


def checked_changes(changes: dict, claim: bool) -> tuple[dict, Problems]:
    fields = _CLAIM_FIELDS if claim else _REPORT_FIELDS
    if not changes:
        return changes, [("changes", "names no field to correct")]
    cleaned, problems = {}, []
    for name, value in changes.items():
        path = f"changes.{name}"
        if name not in fields:
            problems.append((path, f"cannot be corrected; correctable: {', '.join(fields)}"))
        elif value is None and fields[name].required:
            problems.append((path, "cannot be removed"))
        else:
            cleaned[name] = _walk(value, fields[name].type, path, problems, None)
    return cleaned, problems


# Rules across the fields of one object; they may trim what they check.
STRUCT_RULES: dict[type, Callable[[dict], Problems]] = {Place: place, CorrectionFields: correction, Fatalities: fatalities}
_REPORT_FIELDS = {f.name: f for f in mi.type_info(ReportFields).fields if f.name in CORRECTABLE_FIELDS}
_CLAIM_FIELDS = {f.name: f for f in mi.type_info(ClaimFields).fields if f.name in CORRECTABLE_CLAIM_FIELDS}


def decoded(raw: Any, kind: type, prefix: str = "") -> Any:
    """`raw` (plain JSON) as an instance of `kind`, its free text trimmed; InvalidInput naming every problem."""
    value, problems = checked(raw, kind, prefix)
    if problems:
        raise refusal(problems)
    return msgspec.convert(value, kind, strict=True)


def checked(raw: Any, kind: type, prefix: str = "") -> tuple[Any, Problems]:
    """(`raw` with its free text trimmed, every problem found); no exception."""
    problems: Problems = []
    value = _walk(raw, _info(kind), prefix, problems, None)
    return value, problems


def refusal(problems: Problems) -> InvalidInput:
    errors = [{"field": path or "body", "detail": f"{path or 'body'}: {detail}"} for path, detail in problems]
    return InvalidInput("; ".join(e["detail"] for e in errors), errors=errors)


@functools.cache
def _info(kind: type) -> mi.Type:
    return mi.type_info(kind)


def _walk(value: Any, info: mi.Type, path: str, problems: Problems, meta: mi.Metadata | None) -> Any:
    if isinstance(info, mi.Metadata):
        if (info.extra or {}).get("free_text") and isinstance(value, str):
            value = value.strip()
        return _walk(value, info.type, path, problems, info)
    if isinstance(info, mi.UnionType):
        return _union(value, info, path, problems, meta)
    if isinstance(info, mi.StructType):
        return _struct(value, info, path, problems)
    if isinstance(info, mi.ListType):
        return _list(value, info, path, problems)
    if isinstance(info, mi.DictType):
        if not isinstance(value, dict):
            problems.append((path, "must be an object"))
            return value
        return {key: _walk(item, info.value_type, _join(path, key), problems, None) for key, item in value.items()}
    problem = _scalar(value, info, meta)
    if problem:
        problems.append((path, problem))
    return value


def _union(value: Any, info: mi.UnionType, path: str, problems: Problems, meta) -> Any:
    if value is None and any(isinstance(t, mi.NoneType) for t in info.types):
        return None
    choices = [t for t in info.types if not isinstance(t, mi.NoneType)]
    if len(choices) == 1:
        return _walk(value, choices[0], path, problems, meta)
    for choice in choices:
        found: Problems = []
        cleaned = _walk(value, choice, path, found, meta)
        if not found:
            return cleaned
    problems.append((path, "is not of an accepted type"))
    return value


def _struct(value: Any, info: mi.StructType, path: str, problems: Problems) -> Any:
    if not isinstance(value, dict):
        problems.append((path, "must be an object"))
        return value
    fields = {f.encode_name: f for f in info.fields}
    cleaned = {}
    for name in value:
        if name not in fields and info.forbid_unknown_fields and name != info.tag_field:
            problems.append((_join(path, name), f"is not a known field; known: {', '.join(fields)}"))
    for name, field in fields.items():
        if name in value:
            cleaned[name] = _walk(value[name], field.type, _join(path, name), problems, None)
        elif field.required:
            problems.append((_join(path, name), "is required"))
    rule = next((STRUCT_RULES[k] for k in info.cls.__mro__ if k in STRUCT_RULES), None)
    if rule:
        problems += [(_join(path, name), detail) for name, detail in rule(cleaned)]
    return cleaned


def _list(value: Any, info: mi.ListType, path: str, problems: Problems) -> Any:
    if not isinstance(value, list):
        problems.append((path, "must be a list"))
        return value
    if info.max_length is not None and len(value) > info.max_length:
        problems.append((path, f"holds {len(value)} items; at most {info.max_length} are allowed"))
        return value
    if info.min_length is not None and len(value) < info.min_length:
        problems.append((path, f"must hold at least {info.min_length} item(s)"))
    return [_walk(item, info.item_type, f"{path}[{n}]", problems, None) for n, item in enumerate(value)]


def _scalar(value: Any, info: mi.Type, meta: mi.Metadata | None) -> str | None:
    extra = (meta.extra if meta else None) or {}
    described = ((meta.extra_json_schema if meta else None) or {}).get("description")
    if isinstance(info, mi.AnyType):
        return None
    if isinstance(info, mi.LiteralType):
        if value in info.values and type(value) is type(info.values[0]):
            return None
        return _padded(value) or f"{value!r} is not one of: {', '.join(map(str, info.values))}"
    if isinstance(info, mi.StrType):
        if not isinstance(value, str):
            return f"must be a string, not {_json_type(value)}"
        if info.min_length and len(value) < info.min_length:
            return "must not be blank" if extra.get("free_text") else "must not be empty"
        if info.max_length is not None and len(value) > info.max_length:
            return f"is {len(value)} characters long; at most {info.max_length} are allowed"
        formatted = info.pattern or "one_of" in extra or "check" in extra
        if formatted and (padded := _padded(value)):  # codes, dates, times, ids: never trimmed for the writer
            return padded
        if "one_of" in extra and value not in extra["one_of"]:
            return f"{value!r} is not one of: {', '.join(extra['one_of'])}"
        if info.pattern and not _matches(info.pattern, value):
            return f"{value!r} is not {described or 'in the expected format'}"
        if "check" in extra:
            return CHECKS[extra["check"]](value)
        return None
    if isinstance(info, mi.BoolType):
        return None if isinstance(value, bool) else f"must be true or false, not {_json_type(value)}"
    if isinstance(info, (mi.IntType, mi.FloatType)):
        return _number(value, info)
    if isinstance(info, mi.NoneType):
        return None if value is None else "must be null"
    return None


def _number(value: Any, info: mi.IntType | mi.FloatType) -> str | None:
    whole = isinstance(info, mi.IntType)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not isinstance(value, int)):
        return f"must be {'an integer' if whole else 'a number'}, not {_json_type(value)}"
    low, high = info.ge, info.le
    if (low is not None and value < low) or (high is not None and value > high):
        return f"must be between {low} and {high}" if low is not None and high is not None else \
            f"must be at least {low}" if low is not None else f"must be at most {high}"
    return None


def _padded(value: Any) -> str | None:
    if isinstance(value, str) and value != value.strip():
        return f"{value!r} begins or ends with whitespace"
    return None


def _matches(pattern: str, value: str) -> bool:
    return re.search(pattern, value) is not None


def _json_type(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object", type(None): "null"}.get(type(value), type(value).__name__)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
