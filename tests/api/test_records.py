"""The msgspec read records (tui/api/models/record.py) read every value as the pydantic
tolerant types do, read other spellings, name the field of a record they cannot read, and
read a page the same whether it takes the one-pass path or the record-by-record one."""

from __future__ import annotations

import sys
from typing import Annotated, Any, ClassVar

import orjson
import pytest
from pydantic import BeforeValidator, TypeAdapter, ValidationError

from tui.api.models import ListSourcesResponse, SourceDetail, SourceListItem
from tui.api.models.common import SizeBytes, _to_bool, _to_num, _to_str
from tui.api.models.record import Record, RecordError, page_reader, read, skip_reason

# What each value read as with the pydantic tolerant types: the reference.
TOLERANT: dict[str, Any] = {
    "str": Annotated[str | None, BeforeValidator(_to_str)],
    "int": Annotated[int | None, BeforeValidator(_to_num)],
    "float": Annotated[float | None, BeforeValidator(_to_num)],
    "bool": Annotated[bool | None, BeforeValidator(_to_bool)],
    "size": SizeBytes,
}


class OneStr(Record, frozen=True):
    v: str | None = None


class OneInt(Record, frozen=True):
    v: int | None = None


class OneFloat(Record, frozen=True):
    v: float | None = None


class OneBool(Record, frozen=True):
    v: bool | None = None


RECORDS: dict[str, type[Record]] = {"str": OneStr, "int": OneInt, "float": OneFloat,
                                    "bool": OneBool, "size": OneInt}
VALUES: list[Any] = [None, "", " ", "abc", "12", " 12 ", "1.5", "1e3", "null", "None", "true",
                     "False", "yes", "0", "1", 0, 1, 12, -3, 1.0, 1.5, float("inf"), True, False,
                     [1], {"a": 1}]
SIZES = ["3.30GiB", "3.30G", "3.30GB", "512", "1K", " 2 MiB", "7B", "1.5"]


def _pydantic(kind: str, value: Any) -> tuple[str, Any]:
    try:
        out = TypeAdapter(TOLERANT[kind]).validate_python(value)
        return ("ok", (type(out), out))
    except ValidationError:
        return ("error", None)


def _record(kind: str, value: Any) -> tuple[str, Any]:
    try:
        out = read({"v": value}, RECORDS[kind]).v  # type: ignore[attr-defined]
        return ("ok", (type(out), out))
    except RecordError:
        return ("error", None)


# Values a record reads that the pydantic types refused (never the other way round, and never
# a different value): msgspec's lax mode reads "1e3" as an int and "null" as no boolean, and
# an integer field reads a fraction the way the pydantic byte sizes did (truncated).
READ_NOW = {("int", "'1e3'"): 1000, ("int", "'1.5'"): 1, ("bool", "'null'"): None}


@pytest.mark.parametrize("kind", ["str", "int", "float", "bool"])
def test_every_value_reads_as_with_the_tolerant_pydantic_type(kind: str) -> None:
    for value in VALUES:
        before, now = _pydantic(kind, value), _record(kind, value)
        if (kind, repr(value)) in READ_NOW:
            expected = READ_NOW[kind, repr(value)]
            assert before == ("error", None) and now == ("ok", (type(expected), expected))
        else:
            assert now == before, (kind, value)


def test_human_sizes_read_as_bytes_as_before() -> None:
    for value in SIZES:
        assert _record("size", value) == _pydantic("size", value), value
    assert read({"v": "3.30GiB"}, OneInt).v == int(3.30 * 1024 ** 3)  # type: ignore[attr-defined]


def test_other_spellings_are_read_and_the_field_s_own_name_wins() -> None:
    item = read({"id": "s", "current_task": {"estimate_complete_time": 5}}, SourceListItem)
    assert item.current_task is not None and item.current_task.estimate_completion_time == 5
    both = read({"id": "s", "current_task": {"estimate_complete_time": 5,
                                             "estimate_completion_time": 9}}, SourceListItem)
    assert both.current_task is not None and both.current_task.estimate_completion_time == 9
    detail = read({"id": "d", "volumegroups": [{"name": "vg"}],
                   "btrfs_list": [{"default_subvol_id": 5, "subvolumn": [{"uuid": "u"}]}]},
                  SourceDetail)
    assert [g.name for g in detail.volume_groups] == ["vg"]
    assert detail.btrfs_list[0].default_subvolid == "5"
    assert detail.btrfs_list[0].subvolume[0].uuid == "u"


@pytest.mark.parametrize(("row", "reason"), [
    ({"id": "s-1", "ip": [1]}, "ip: expected str | null, got array"),
    ({"id": "s-2", "current_task": {"migrate_speed": "fast"}},
     "current_task.migrate_speed: expected float | null, got str"),
    ({"id": "s-4", "connected": "maybe"}, "connected: expected bool | null, got str"),
    ({"id": "s-5", "checks": [{"result": [1]}]},
     "checks[0].result: expected str | null, got array"),
    ({"id": "s-6", "current_task": [1, 2]}, "current_task: expected object | null, got array"),
])
def test_a_record_that_cannot_be_read_names_the_field(row: dict[str, Any], reason: str) -> None:
    with pytest.raises(RecordError) as caught:
        read(row, SourceListItem)
    assert skip_reason(row, 3, str(caught.value)) == f"record 3 (id {row['id']}): {reason}"


def test_repairs_never_change_the_caller_s_data() -> None:
    row = {"id": "s", "memory": " 12 ", "checks": None, "current_task": {"start_date": ""}}
    before = orjson.dumps(row)
    item = read(row, SourceListItem)
    assert item.memory == 12 and item.checks == [] and item.current_task is not None
    assert orjson.dumps(row) == before


def _page(rows: list[Any]) -> bytes:
    return orjson.dumps({"count": len(rows), "source_servers": rows})


GOOD = [{"id": f"s{i}", "name": f"n{i}", "memory": 1 << 34, "connected": True,
         "current_task": {"id": f"t{i}", "state": "RUNNING", "migrate_speed": 2.5,
                          "target_server": {"vm_id": "v", "name": "t"}},
         "checks": [{"id": 1, "params": ["a"], "result": "OK"}], "brand_new": {"x": 1}}
        for i in range(5)]


def test_a_page_reads_the_same_in_one_pass_and_record_by_record() -> None:
    reader = page_reader(ListSourcesResponse, "source_servers")
    fast = reader(_page(GOOD))
    drifted = [dict(r) for r in GOOD]
    drifted[2] = {**drifted[2], "memory": str(1 << 34)}  # forces the record-by-record path
    slow = reader(_page(drifted))
    assert fast.source_servers == slow.source_servers and fast.count == slow.count == 5
    assert fast.skipped == slow.skipped == ()


def test_a_page_leaves_out_only_the_records_it_cannot_read() -> None:
    reader = page_reader(ListSourcesResponse, "source_servers")
    rows: list[Any] = [dict(r) for r in GOOD]
    rows[1] = "not even an object"
    rows[3] = {**rows[3], "connected": "maybe"}
    page = reader(_page(rows), 200)
    assert [s.id for s in page.source_servers] == ["s0", "s2", "s4"]
    assert page.skipped == ("record 201: expected object, got str",
                            "record 203 (id s3): connected: expected bool | null, got str")


def test_a_page_with_another_spelling_reads_it() -> None:
    rows = [{"id": "s", "current_task": {"estimate_complete_time": 7}}]
    page = page_reader(ListSourcesResponse, "source_servers")(_page(rows))
    task = page.source_servers[0].current_task
    assert task is not None and task.estimate_completion_time == 7


def test_not_json_is_a_value_error_and_not_a_page_a_record_error() -> None:
    reader = page_reader(ListSourcesResponse, "source_servers")
    with pytest.raises(ValueError):
        reader(b'{"count": 1, "source_servers": [')
    with pytest.raises(RecordError):
        reader(b'{"count": 1, "source_servers": "nope"}')


def test_records_hold_no_per_instance_dict() -> None:
    # Memory at 10,000 sources: a record is its slots (pydantic kept a dict and a set of the
    # field names sent, ~5 KB, per instance).
    item = read(GOOD[0], SourceListItem)
    assert not hasattr(item, "__dict__")
    assert sys.getsizeof(item) < 400
    assert item == read(dict(GOOD[0]), SourceListItem) and item != read(GOOD[1], SourceListItem)
    assert item.model_copy(update={"ip": "10.0.0.1"}).ip == "10.0.0.1" and item.ip is None


def test_deep_nesting_in_a_field_nobody_reads_costs_only_that_field() -> None:
    # 1,000 levels: deeper than msgspec recurses, within what orjson reads. The record is
    # read; the page is not lost. Past orjson's 1,024 levels the page is not JSON we read.
    reader = page_reader(ListSourcesResponse, "source_servers")
    deep = b"[" * 1000 + b"]" * 1000
    page = reader(b'{"count": 1, "source_servers": [{"id": "a", "junk": ' + deep + b"}]}", 0)
    assert [s.id for s in page.source_servers] == ["a"] and page.skipped == ()
    deeper = b"[" * 5000 + b"]" * 5000
    with pytest.raises(ValueError):
        reader(b'{"count": 1, "source_servers": [{"id": "a", "junk": ' + deeper + b"}]}", 0)
