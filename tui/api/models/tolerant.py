"""The tolerant reading rules shared by both read-model layers: the pydantic types of
:mod:`tui.api.models.common` (``Str``, ``Int``, ``Float``, ``Bool``, ``SizeBytes``) and the
msgspec records' repairs (:mod:`tui.api.models.record`). No pydantic here.

Each returns its input unchanged when no rule applies (the caller then refuses the value).
"""

from __future__ import annotations

import re
from typing import Any


def to_str(value: Any) -> Any:
    """A number or boolean as text (the reference sends ``enterprise_project_id: 0``)."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value


def to_num(value: Any) -> Any:
    """A numeric string stripped; ``""``, ``"null"`` and ``"none"`` as no value."""
    if isinstance(value, str):
        stripped = value.strip()
        if stripped == "" or stripped.lower() in ("null", "none"):
            return None
        return stripped
    return value


def to_bool(value: Any) -> Any:
    """``"true"``/``"1"``/``"yes"`` and ``"false"``/``"0"``/``"no"``/``""`` as booleans."""
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "1", "yes"):
            return True
        if low in ("false", "0", "no", ""):
            return False
    return value


_SIZE = re.compile(r"^([0-9]*\.?[0-9]+)\s*([KMGTPE]?)(i?)(B?)$", re.IGNORECASE)
_POWERS = {"": 0, "K": 1, "M": 2, "G": 3, "T": 4, "P": 5, "E": 6}


def to_bytes(value: Any) -> Any:
    """A number of bytes from a numeric string or a human size (btrfs sends ``"3.30GiB"``)."""
    value = to_num(value)
    if isinstance(value, str) and (m := _SIZE.match(value)):
        number, prefix, binary, byte = m.groups()
        # "3.30GiB" / "3.30G" (btrfs, df -h) are powers of 1024; "3.30GB" of 1000.
        base = 1000 if byte and not binary and prefix else 1024
        return int(float(number) * base ** _POWERS[prefix.upper()])
    return value
