"""Base classes and tolerant field types shared by every SMS model.

Reading is tolerant: unknown fields are ignored, enum-like fields are plain ``str`` (unknown
values are kept), documented nulls are accepted, and the reference's own drift is absorbed
(numbers sent as strings, ``enterprise_project_id: 0``, ``""`` for a missing number).
Writing is strict: write models forbid unknown fields and validate the spec's ranges.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Union

from tui.api.models.tolerant import to_bool as _to_bool
from tui.api.models.tolerant import to_bytes as _to_bytes
from tui.api.models.tolerant import to_num as _to_num
from tui.api.models.tolerant import to_str as _to_str

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, StrictBool,
                      StrictFloat, StrictInt, StrictStr)


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
"""One shared ``fields_set`` per distinct set of fields sent (see ``SmsModel``)."""


class SmsModel(BaseModel):
    """Base of every model read from SMS: tolerant, immutable."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)

    def model_post_init(self, context: Any, /) -> None:
        # Pydantic gives every instance its own set of the field names it was sent: ~2 KB
        # each, a third of a 10,000-source snapshot's memory. The models are frozen, so the
        # sets never change (copies copy them first): instances sent the same fields share one.
        fields = self.__pydantic_fields_set__
        shared = _FIELDS_SETS.setdefault(frozenset(fields), fields)
        object.__setattr__(self, "__pydantic_fields_set__", shared)


class ListResponse(SmsModel):
    """Base of a list answer (one page); the client notes the records it could not read."""

    _skipped: tuple[str, ...] = PrivateAttr(default=())

    @property
    def skipped(self) -> tuple[str, ...]:
        """Why each unreadable record of this page was left out (server text: clean it)."""
        return self._skipped


class WriteModel(BaseModel):
    """Base of every request body: strict, validated on assignment too."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)

    def to_body(self) -> dict[str, Any]:
        """The exact JSON object to send."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


# Each type is a left-to-right union: a value already of the right type (checked in Rust)
# passes as it is; anything else goes through the tolerant Python validator, as before. With
# a Python call per field, 10,000 sources x ~50 fields were half of a fleet read's CPU; the
# union gives the same results and calls Python only for drifted values.
_FIRST_MATCH = Field(union_mode="left_to_right")

Str = Annotated[Union[StrictStr, None, Annotated[str | None, BeforeValidator(_to_str)]],
                _FIRST_MATCH]
"""A string that also accepts numbers (the reference sends ``enterprise_project_id: 0``)."""
Int = Annotated[Union[StrictInt, None, Annotated[int | None, BeforeValidator(_to_num)]],
                _FIRST_MATCH]
"""An integer that also accepts numeric strings and ``""`` (btrfs examples send strings)."""
Float = Annotated[Union[StrictFloat, None, Annotated[float | None, BeforeValidator(_to_num)]],
                  _FIRST_MATCH]
"""A float that also accepts numeric strings."""
Bool = Annotated[Union[StrictBool, None, Annotated[bool | None, BeforeValidator(_to_bool)]],
                 _FIRST_MATCH]
"""A boolean that also accepts ``"true"``/``"false"``."""

SizeBytes = Annotated[int | None, BeforeValidator(_to_bytes)]
"""Bytes that also accept numeric strings and human sizes (btrfs examples send ``"3.30GiB"``)."""


def items(alias: str | None = None) -> Any:
    """A list field that defaults to empty and treats ``null`` as empty."""
    return Field(default_factory=list, alias=alias) if alias else Field(default_factory=list)


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value


NullList = BeforeValidator(_none_to_list)

class ErrorDetail(SmsModel):
    """One entry of an error body's ``details``."""

    error_code: Str = None
    error_msg: Str = None


class ErrorBody(SmsModel):
    """The SMS error body (also what APIG sends, with ``request_id``)."""

    error_code: Str = None
    error_msg: Str = None
    error_param: Annotated[list[str], NullList] = Field(default_factory=list)
    details: Annotated[list[ErrorDetail], NullList] = Field(default_factory=list)
    encoded_authorization_message: Str = None
    request_id: Str = None


class CreatedResponse(SmsModel):
    """The answer of a POST that creates something: its ``id``."""

    id: Str = None
