"""The tolerant field types read every value exactly as their Python validators alone did;
the Rust fast path only skips the Python call for values already of the right type."""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BeforeValidator, TypeAdapter, ValidationError

from tui.api.client import _skip_reason
from tui.api.models import TaskListItem
from tui.api.models.common import Bool, Float, Int, Str, _to_bool, _to_num, _to_str

# The definitions before the fast path: the reference for what each value reads as.
TOLERANT = {
    "str": (Str, Annotated[str | None, BeforeValidator(_to_str)]),
    "int": (Int, Annotated[int | None, BeforeValidator(_to_num)]),
    "float": (Float, Annotated[float | None, BeforeValidator(_to_num)]),
    "bool": (Bool, Annotated[bool | None, BeforeValidator(_to_bool)]),
}
VALUES: list[Any] = [None, "", " ", "abc", "12", " 12 ", "1.5", "1e3", "null", "None", "true",
                     "False", "yes", "0", "1", 0, 1, 12, -3, 1.0, 1.5, float("inf"), True, False,
                     [1], {"a": 1}, 2**70]


def _read(kind: Any, value: Any) -> tuple[str, Any]:
    try:
        out = TypeAdapter(kind).validate_python(value)
        return ("ok", (type(out), out))
    except ValidationError:
        return ("error", None)


@pytest.mark.parametrize("name", sorted(TOLERANT))
def test_same_value_and_type_as_the_tolerant_validator(name: str) -> None:
    fast, tolerant = TOLERANT[name]
    for value in VALUES:
        assert _read(fast, value) == _read(tolerant, value), (name, value)


# A pydantic list record (the source list's records are msgspec's: tests/api/test_records.py).
@pytest.mark.parametrize(("row", "reason"), [
    ({"id": "s-1", "name": [1]}, "name: Input should be a valid string"),
    ({"id": "s-2", "source_server": {"oem_system": "maybe"}},
     "source_server.oem_system: Input should be a valid boolean, unable to interpret input"),
    ({"id": "s-4", "migrate_speed": "fast"},
     "migrate_speed: Input should be a valid number, unable to parse string as a number"),
    ({"id": "s-5", "sub_tasks": [{"name": [1]}]}, "sub_tasks.0.name: Input should be a valid string"),
])
def test_a_skipped_record_names_the_field_without_union_tags(row: dict[str, Any],
                                                             reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TaskListItem.model_validate(row)
    assert _skip_reason(row, 3, caught.value) == f"record 3 (id {row['id']}): {reason}"
