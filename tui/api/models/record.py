"""Read records decoded by msgspec, for the models a fleet poll reads by the ten thousand.

The dashboard reads every source of a 10,000-source fleet every few seconds. Decoded by
msgspec straight from a page's bytes into these frozen structs, a page costs a fraction of
what orjson plus pydantic did, a record holds ~250 bytes instead of ~5 KB (no per-instance
``fields_set``), and comparing two records is one call in C.

Reading stays as tolerant as the pydantic read models (:mod:`tui.api.models.common`):
unknown fields are ignored and nulls accepted; a record the server drifted on (numbers sent
as strings, ``enterprise_project_id: 0``, ``""`` for a missing number, ``"3.30GiB"``,
``"yes"``, ``null`` for a list) fails msgspec's strict-ish read, and is then repaired one field
at a time at the place msgspec's error names, with the same rules, and read again. A field
the reference spells several ways has a private field per other spelling (:func:`spelled`),
folded into it after decoding (the field's own name wins).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import msgspec
import orjson

from tui.api.models.tolerant import to_bool, to_bytes, to_num, to_str

R = TypeVar("R", bound="Record")


class RecordError(ValueError):
    """A record that cannot be read even after repairs; the message names the field."""


class Record(msgspec.Struct, frozen=True, kw_only=True, gc=False, repr_omit_defaults=True):
    """Base of a tolerant, immutable read record (never part of a reference cycle: gc=False
    keeps 10,000 of them out of every garbage collection)."""

    @classmethod
    def model_validate(cls: type[R], data: Any) -> R:
        """``data`` (decoded JSON) read as this record; :class:`RecordError` if it cannot be.

        Named like pydantic's so the client reads a record the same way whichever library
        backs the model."""
        return read(data, cls)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """A record inside a pydantic model (a task's volume groups, an agent's disks) is read
        by :func:`read`, and dumped as plain data."""
        from pydantic_core import core_schema  # only when a pydantic model embeds a record

        def validate(value: Any) -> Any:
            return value if isinstance(value, cls) else read(value, cls)

        return core_schema.no_info_plain_validator_function(
            validate, serialization=core_schema.plain_serializer_function_ser_schema(
                msgspec.to_builtins))

    def model_copy(self: R, *, update: Mapping[str, Any] | None = None) -> R:
        """A copy with ``update``'s fields replaced."""
        return msgspec.structs.replace(self, **dict(update or {}))

    def model_dump(self, *, include: set[str] | None = None) -> dict[str, Any]:
        """The record as plain Python data (nested records as dicts)."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        if include is not None:
            out = {k: v for k, v in out.items() if k in include}
        return out


class Page(Record, frozen=True, dict=True, gc=True):
    """Base of one page of a list answer; the client notes the records it could not read."""

    @property
    def skipped(self) -> tuple[str, ...]:
        """Why each unreadable record of this page was left out (server text: clean it)."""
        value: tuple[str, ...] = self.__dict__.get("_skipped", ())
        return value


# -- reading ------------------------------------------------------------------------------

MAX_REPAIRS = 512
"""Repairs tried on one record before it is called unreadable. msgspec names one bad value at
a time, so each repair reads the record again: a detail with 22 btrfs subvolumes whose ids
are numbers (the reference's own example) takes 67. The cap bounds what a hostile record
costs."""

_ERROR = re.compile(r"^Expected `(?P<want>.*?)`, got `(?P<got>[^`]*)`(?: - at `(?P<path>.*)`)?$",
                    re.DOTALL)
_STEP = re.compile(r"\.([^.\[]+)|\[(\d+)\]")


def read(data: Any, tp: type[R]) -> R:
    """``data`` (decoded JSON) as ``tp``, repairing drifted fields; :class:`RecordError` if
    it cannot be read (the message names the field and what was wrong)."""
    tried: set[str] = set()
    for _ in range(MAX_REPAIRS):
        try:
            return msgspec.convert(data, tp, strict=False)
        except msgspec.ValidationError as exc:
            message = str(exc)
            if message in tried:  # the repair did not take: give up rather than loop
                raise RecordError(_why(message)) from None
            tried.add(message)
            data = _repaired(data, message)
    raise RecordError("too many unreadable fields")


def _why(message: str) -> str:
    """``current_task.start_date: expected int | null, got str`` from msgspec's words."""
    m = _ERROR.match(message)
    if not m:
        return message
    where = (m["path"] or "$").removeprefix("$").lstrip(".")
    what = f"expected {m['want']}, got {m['got']}"
    return f"{where}: {what}" if where else what


def _repaired(data: Any, message: str) -> Any:
    """``data`` with the value msgspec complained about repaired (containers on the way are
    copied, never changed in place); RecordError when no rule applies."""
    m = _ERROR.match(message)
    if not m:
        raise RecordError(message)
    steps: list[str | int] = [name if name else int(index)
                              for name, index in _STEP.findall(m["path"] or "")]
    try:
        value = _get(data, steps)
    except (KeyError, IndexError, TypeError):  # a path msgspec named but the data lacks
        raise RecordError(_why(message)) from None
    fixed = _repair(value, m["want"], m["got"])
    if fixed is _UNREPAIRABLE:
        raise RecordError(_why(message))
    return _set(data, steps, fixed)


_UNREPAIRABLE = object()


def _repair(value: Any, want: str, got: str) -> Any:
    """The tolerant rules of the pydantic read types (:mod:`tui.api.models.tolerant`, and
    ``NullList``), applied to one value msgspec refused as ``want``."""
    kinds = set(re.findall(r"[a-z]+", want))
    if value is None and "array" in kinds:
        return []
    if isinstance(value, bool):  # before int: a bool is an int to Python
        if "int" in kinds:
            return int(value)
        if "float" in kinds:
            return float(value)
    elif isinstance(value, (int, float)) and "bool" in kinds and value in (0, 1):
        return bool(value)
    if "str" in kinds:
        fixed = to_str(value)
    elif "int" in kinds:
        fixed = to_bytes(value)
    elif "float" in kinds:
        fixed = to_num(value)
    elif "bool" in kinds:
        fixed = to_bool(value)
    else:
        return _UNREPAIRABLE
    return _UNREPAIRABLE if fixed is value else fixed


def _get(data: Any, steps: list[str | int]) -> Any:
    for step in steps:
        data = data[step]
    return data


def _set(data: Any, steps: list[str | int], value: Any) -> Any:
    if not steps:
        return value
    head, rest = steps[0], steps[1:]
    if isinstance(data, dict):
        return {**data, head: _set(data[head], rest, value)}
    copy = list(data)
    copy[head] = _set(data[head], rest, value)  # type: ignore[index]
    return copy


# -- other spellings ----------------------------------------------------------------------

def spelled(name: str) -> Any:
    """A private field holding the value sent under ``name``, another spelling of a public
    field; the record's ``__post_init__`` folds it in. Decoded in C like any field, so a page
    needs no search for the other spellings."""
    return msgspec.field(default=None, name=name)


def fold(record: Record, field: str, *others: str) -> None:
    """Set ``field`` from the first of ``others`` that was sent, unless ``field`` itself was
    (a list counts as sent when it is not empty).

    The other spellings are looked at first: they are almost never sent, and this runs for
    every record decoded (~8,000 a poll at 10k sources)."""
    for other in others:
        value = getattr(record, other)
        if value is not None and value != []:
            if getattr(record, field) in (None, []):
                msgspec.structs.force_setattr(record, field, value)
            return


# -- pages --------------------------------------------------------------------------------

P = TypeVar("P", bound=Page)


def page_reader(page: type[P], field: str) -> Callable[[bytes, int], P]:
    """A reader of one list page's bytes (``page.skipped``: why any record was left out,
    numbered from ``offset``, the page's place in the list).

    The whole page is decoded by msgspec in one call when it reads cleanly (nearly always);
    otherwise each record is read on its own, repaired where it drifted, and one that still
    cannot be read is left out with the reason, so one bad record never blanks the page.
    JSON that is not JSON raises ValueError; an envelope that is not a page, RecordError."""
    decoder = msgspec.json.Decoder(page, strict=False)
    item = _item_type(page, field)

    def read_page(raw: bytes, offset: int = 0) -> P:
        try:
            return decoder.decode(raw)
        except (msgspec.ValidationError, RecursionError):
            # A drifted record, or nesting deeper than msgspec's recursion allows (orjson
            # reads up to 1,024 levels and refuses deeper with a ValueError): record by record.
            pass
        except msgspec.DecodeError as exc:
            raise ValueError(str(exc)) from None
        data = orjson.loads(raw) if raw else {}
        return read_rows(data, page, field, item, offset)

    return read_page


def _item_type(page: type[Page], field: str) -> type[Record]:
    """The record type of ``page``'s list ``field``."""
    for f in msgspec.structs.fields(page):
        if f.name == field:
            (inner,) = [a for a in getattr(f.type, "__args__", ()) if isinstance(a, type)]
            return inner
    raise TypeError(f"{page.__name__} has no list field {field!r}")


def read_rows(data: Any, page: type[P], field: str, item: type[Record], offset: int = 0) -> P:
    """A decoded page read record by record (see :func:`page_reader`)."""
    rows = data.get(field) if isinstance(data, dict) else None
    if rows is None and isinstance(data, dict):
        rows = []
    if not isinstance(rows, list):
        raise RecordError(f"{field}: expected a list of records")
    good: list[Record] = []
    skipped: list[str] = []
    for index, row in enumerate(rows):
        try:
            good.append(read(row, item))
        except RecordError as exc:
            skipped.append(skip_reason(row, offset + index, str(exc)))
    envelope = read({k: v for k, v in data.items() if k != field}, page)
    out = msgspec.structs.replace(envelope, **{field: good})
    out.__dict__["_skipped"] = tuple(skipped)
    return out


def skip_reason(row: Any, position: int, why: str) -> str:
    """``record 12 (id s-1): current_task.start_date: expected int | null, got str``."""
    ident = row.get("id") or row.get("source_id") if isinstance(row, dict) else None
    who = f"record {position}" + (f" (id {str(ident)[:64]})" if ident else "")
    return f"{who}: {why}"
