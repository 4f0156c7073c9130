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
            cleaned[name] = _check_of(fields[name].type)(value, path, problems)
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
    value = _check_of(_info(kind))(raw, prefix, problems)
    return value, problems


def refusal(problems: Problems) -> InvalidInput:
    errors = [{"field": path or "body", "detail": f"{path or 'body'}: {detail}"} for path, detail in problems]
    return InvalidInput("; ".join(e["detail"] for e in errors), errors=errors)


@functools.cache
def _info(kind: type) -> mi.Type:
    return mi.type_info(kind)


Check = Callable[[Any, str, Problems], Any]  # (value, its path, problems to add to) -> the value, trimmed
_checks: dict[tuple[int, int], tuple[Any, Any, Check]] = {}


def _check_of(info: mi.Type, meta: mi.Metadata | None = None) -> Check:
    """The check of a type, made once: every report and batch entry walks the same few types, so
    what each type asks is worked out here, not again for every value."""
    key = (id(info), id(meta))
    if key not in _checks:  # the types are kept with their check, so their ids stay theirs
        _checks[key] = (info, meta, _made(info, meta))
    return _checks[key][2]


def _made(info: mi.Type, meta: mi.Metadata | None) -> Check:
    if isinstance(info, mi.Metadata):
        inner = _check_of(info.type, info)
        if not (info.extra or {}).get("free_text"):
            return inner
        return lambda value, path, problems: inner(value.strip() if isinstance(value, str) else value, path, problems)
    if isinstance(info, mi.UnionType):
        return _union(info, meta)
    if isinstance(info, mi.StructType):
        return _struct(info)
    if isinstance(info, mi.ListType):
        return _list(info)
    if isinstance(info, mi.DictType):
        return _dict(info)
    return _scalar(info, meta)


def _union(info: mi.UnionType, meta: mi.Metadata | None) -> Check:
    nullable = _takes_null(info)
    choices = [_check_of(t, meta) for t in info.types if not isinstance(t, mi.NoneType)]

    def check(value: Any, path: str, problems: Problems) -> Any:
        if value is None and nullable:
            return None
        if len(choices) == 1:
            return choices[0](value, path, problems)
        for choice in choices:
            found: Problems = []
            cleaned = choice(value, path, found)
            if not found:
                return cleaned
        problems.append((path, "is not of an accepted type"))
        return value
    return check


def _struct(info: mi.StructType) -> Check:
    fields = {f.encode_name: f for f in info.fields}
    known, names = ", ".join(fields), {*fields, info.tag_field}
    rule = next((STRUCT_RULES[k] for k in info.cls.__mro__ if k in STRUCT_RULES), None)
    checks: list[tuple[str, bool, bool, Check]] = []  # made at first use: a struct may hold itself

    def check(value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, dict):
            problems.append((path, "must be an object"))
            return value
        if not checks:
            checks.extend((name, field.required, _takes_null(field.type), _check_of(field.type))
                          for name, field in fields.items())
        if info.forbid_unknown_fields and not value.keys() <= names:
            for name in value:
                if name not in fields and name != info.tag_field:
                    problems.append((_join(path, name), f"is not a known field; known: {known}"))
        cleaned = {}
        for name, required, nullable, check_field in checks:
            if name in value:
                item = value[name]  # a null where null is taken, as most optional fields are, is done with here
                cleaned[name] = None if item is None and nullable else \
                    check_field(item, f"{path}.{name}" if path else name, problems)
            elif required:
                problems.append((_join(path, name), "is required"))
        if rule:
            problems += [(_join(path, name), detail) for name, detail in rule(cleaned)]
        return cleaned
    return check


def _takes_null(info: mi.Type) -> bool:
    return isinstance(info, mi.UnionType) and any(isinstance(t, mi.NoneType) for t in info.types)


def _list(info: mi.ListType) -> Check:
    item = _check_of(info.item_type)

    def check(value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, list):
            problems.append((path, "must be a list"))
            return value
        if info.max_length is not None and len(value) > info.max_length:
            problems.append((path, f"holds {len(value)} items; at most {info.max_length} are allowed"))
            return value
        if info.min_length is not None and len(value) < info.min_length:
            problems.append((path, f"must hold at least {info.min_length} item(s)"))
        return [item(each, f"{path}[{n}]", problems) for n, each in enumerate(value)]
    return check


def _dict(info: mi.DictType) -> Check:
    item = _check_of(info.value_type)

    def check(value: Any, path: str, problems: Problems) -> Any:
        if not isinstance(value, dict):
            problems.append((path, "must be an object"))
            return value
        return {key: item(each, _join(path, key), problems) for key, each in value.items()}
    return check


def _scalar(info: mi.Type, meta: mi.Metadata | None) -> Check:
    problem_of = _scalar_rule(info, meta)

    def check(value: Any, path: str, problems: Problems) -> Any:
        problem = problem_of(value)
        if problem:
            problems.append((path, problem))
        return value
    return check


def _scalar_rule(info: mi.Type, meta: mi.Metadata | None) -> Callable[[Any], str | None]:
    """What is wrong with a value of a scalar type, if anything."""
    extra = (meta.extra if meta else None) or {}
    described = ((meta.extra_json_schema if meta else None) or {}).get("description")
    if isinstance(info, mi.LiteralType):
        values, kind = info.values, type(info.values[0])
        return lambda value: None if value in values and type(value) is kind else (
            _padded(value) or f"{value!r} is not one of: {', '.join(map(str, values))}")
    if isinstance(info, mi.StrType):
        return functools.partial(_text, info, extra, described, info.pattern and re.compile(info.pattern).search)
    if isinstance(info, mi.BoolType):
        return lambda value: None if isinstance(value, bool) else f"must be true or false, not {_json_type(value)}"
    if isinstance(info, (mi.IntType, mi.FloatType)):
        return functools.partial(_number, info=info)
    if isinstance(info, mi.NoneType):
        return lambda value: None if value is None else "must be null"
    return lambda value: None  # Any, and what JSON cannot hold


def _text(info: mi.StrType, extra: dict, described: str | None, matches: Callable | None, value: Any) -> str | None:
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
    if matches and matches(value) is None:
        return f"{value!r} is not {described or 'in the expected format'}"
    if "check" in extra:
        return CHECKS[extra["check"]](value)
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


def _json_type(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "an object", type(None): "null"}.get(type(value), type(value).__name__)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
