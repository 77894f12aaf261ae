"""ZStack's query language as the simulator evaluates it: ``q=<field><op><value>`` conditions
(all must hold), ``start``/``limit`` paging, ``replyWithCount`` and ``sort=+field|-field``.

A field may name a list's member (``vmNics.ip=192.168.0.7``): the condition holds when any
element matches, as ZStack's joins do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from tui.sim.zstack.engine import ZStackSimError

MAX_LIMIT = 1000
_OPS = ("!?=", "?=", "!~=", "~=", ">=", "<=", "!=", "=", ">", "<")
_NULL_OPS = (" is null", " not null")


def _values(item: Mapping[str, Any], path: str) -> list[Any]:
    current: list[Any] = [item]
    for part in path.split("."):
        nxt: list[Any] = []
        for value in current:
            if isinstance(value, Mapping):
                value = value.get(part)
                if isinstance(value, list):
                    nxt.extend(value)
                else:
                    nxt.append(value)
        current = nxt
    return current


def _compare(value: Any, wanted: str) -> int | None:
    if value is None:
        return None
    try:
        a, b = float(value), float(wanted)
    except (TypeError, ValueError):
        a2, b2 = str(value), wanted
        return (a2 > b2) - (a2 < b2)
    return (a > b) - (a < b)


def _like(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("%")) + "$", re.S)


def condition(text: str) -> Callable[[Mapping[str, Any]], bool]:
    """One ``q=`` condition as a predicate; a malformed one is 503 SYS.1007, as ZStack says."""
    for op in _NULL_OPS:
        if text.endswith(op):
            field = text[: -len(op)].strip()
            want_null = op == " is null"
            return lambda item: any(v is None for v in _values(item, field)) == want_null
    for op in _OPS:
        field, found, value = text.partition(op)
        if found and field and re.fullmatch(r"[A-Za-z][\w.]*", field):
            return _predicate(field, op, value)
    raise ZStackSimError(503, "SYS.1007", f"invalid query condition {text!r}")


def _predicate(field: str, op: str, value: str) -> Callable[[Mapping[str, Any]], bool]:
    if op in ("?=", "!?="):
        members = set(value.split(","))
        inside = op == "?="
        return lambda item: any((str(v) in members) == inside for v in _values(item, field)
                                if v is not None)
    if op in ("~=", "!~="):
        pattern = _like(value)
        matches = op == "~="
        return lambda item: any(bool(pattern.match(str(v))) == matches
                                for v in _values(item, field) if v is not None)
    if op == "=":
        return lambda item: any(v is not None and str(v) == value for v in _values(item, field))
    if op == "!=":
        return lambda item: all(str(v) != value for v in _values(item, field))
    sign = {">": (1,), "<": (-1,), ">=": (0, 1), "<=": (-1, 0)}[op]
    return lambda item: any(_compare(v, value) in sign for v in _values(item, field))


def _sort_value(value: Any) -> tuple[int, float, str]:
    # Numbers by value (memorySize 17179869184 after 8589934592), text after, nulls last.
    if value is None:
        return (2, 0.0, "")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, float(value), "")
    return (1, 0.0, str(value))


def run(items: Iterable[Mapping[str, Any]], params: Mapping[str, Any],
        conditions: Sequence[str]) -> dict[str, Any]:
    """Filter, sort and page ``items``; the query answer's JSON."""
    predicates = [condition(c) for c in conditions]
    rows = [i for i in items if all(p(i) for p in predicates)]
    sort = params.get("sort")
    if sort:
        key = sort.lstrip("+-")
        rows.sort(key=lambda r: _sort_value(r.get(key)), reverse=sort.startswith("-"))
    try:
        start = int(params.get("start") or 0)
        limit = int(params.get("limit") or MAX_LIMIT)
    except ValueError:
        raise ZStackSimError(503, "SYS.1007", "start and limit must be integers") from None
    if start < 0 or not 0 < limit <= MAX_LIMIT:
        raise ZStackSimError(503, "SYS.1007", f"start must be >= 0 and limit 1-{MAX_LIMIT}")
    if str(params.get("count", "")).lower() == "true":
        return {"total": len(rows)}
    answer: dict[str, Any] = {"inventories": rows[start: start + limit]}
    if str(params.get("replyWithCount", "")).lower() == "true":
        answer["total"] = len(rows)
    return answer


__all__ = ["MAX_LIMIT", "condition", "run"]
