"""Named speed-limit schedules kept on disk, to load into any task's editor.

Two presets ship with migdash (``presets.toml`` beside this module); the ones an operator saves
go to ``presets.toml`` in ``platformdirs.user_data_dir("migdash")``. The file is TOML::

    [[preset]]
    name = "Business hours 20 Mbit/s, nights free"
    rules = [
      { start = "08:00", end = "18:00", speed = 20 },
    ]

Python reads TOML (``tomllib``) but does not write it; the format is small enough to write here.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from tui.service.schedule import RuleDraft, number_text, to_request

SHIPPED = Path(__file__).with_name("presets.toml")


class PresetError(ValueError):
    """A presets file could not be read or a preset could not be saved; the text says why."""


@dataclass(frozen=True)
class Preset:
    """A named schedule; ``shipped`` ones come with migdash and cannot be overwritten."""

    name: str
    rules: tuple[RuleDraft, ...]
    shipped: bool = False


def default_path() -> Path:
    """Where the operator's own presets live."""
    return Path(user_data_dir("migdash")) / "presets.toml"


def parse(text: str, *, shipped: bool = False, source: str = "presets") -> list[Preset]:
    """The presets of a TOML document; PresetError names the first bad entry."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PresetError(f"{source}: not valid TOML ({exc})") from None
    out: list[Preset] = []
    for k, entry in enumerate(doc.get("preset", [])):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"]:
            raise PresetError(f"{source}: preset {k + 1} has no name")
        rules = entry.get("rules", [])
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
            raise PresetError(f"{source}: preset {entry['name']!r}: rules must be a list of tables")
        drafts = tuple(_draft(r) for r in rules)
        try:
            to_request(drafts)
        except ValueError as exc:
            raise PresetError(f"{source}: preset {entry['name']!r}: {exc}") from None
        out.append(Preset(entry["name"], drafts, shipped))
    return out


def _draft(rule: dict[str, Any]) -> RuleDraft:
    threshold = rule.get("over_speed_threshold")
    return RuleDraft(str(rule.get("start", "")), str(rule.get("end", "")),
                     str(rule.get("speed", "")), "" if threshold is None else number_text(threshold)
                     if isinstance(threshold, (int, float)) else str(threshold))


def _toml_string(value: str) -> str:
    """A TOML basic string: quote, backslash and control characters escaped."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def dump(presets: Sequence[Preset]) -> str:
    """The TOML text of ``presets`` (times written HH:MM, as they would be sent)."""
    lines = ["# migdash speed-limit presets (written by migdash; safe to edit)", ""]
    for preset in presets:
        body = to_request(preset.rules).to_body()["speed_limit"]
        lines += ["[[preset]]", f"name = {_toml_string(preset.name)}", "rules = ["]
        for rule in body:
            fields = [f'start = "{rule["start"]}"', f'end = "{rule["end"]}"',
                      f"speed = {rule['speed']}"]
            if "over_speed_threshold" in rule:
                fields.append(f"over_speed_threshold = {float(rule['over_speed_threshold'])!r}")
            lines.append("  { " + ", ".join(fields) + " },")
        lines += ["]", ""]
    return "\n".join(lines)


class PresetStore:
    """The shipped presets plus the operator's, in a file whose path tests inject."""

    def __init__(self, path: Path | None = None, *, shipped: Path = SHIPPED) -> None:
        self.path = path if path is not None else default_path()
        self.shipped_path = shipped

    def shipped(self) -> list[Preset]:
        """The presets that come with migdash."""
        return parse(self.shipped_path.read_text(encoding="utf-8"), shipped=True,
                     source=str(self.shipped_path))

    def saved(self) -> list[Preset]:
        """The operator's presets (none before the first save)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise PresetError(f"{self.path}: {exc.strerror or exc}") from None
        return parse(text, source=str(self.path))

    def load(self) -> list[Preset]:
        """Every preset: shipped first, then the operator's by name."""
        return [*self.shipped(), *sorted(self.saved(), key=lambda p: p.name.casefold())]

    def save(self, name: str, rules: Sequence[RuleDraft]) -> Preset:
        """Save (or replace) the operator's preset ``name``; PresetError says why not."""
        name = name.strip()
        if not name:
            raise PresetError("a preset needs a name")
        if any(p.name == name for p in self.shipped()):
            raise PresetError(f"{name!r} is a shipped preset: choose another name")
        preset = Preset(name, tuple(rules))
        try:
            to_request(preset.rules)
        except ValueError as exc:
            raise PresetError(f"not saved: {exc}") from None
        kept = [p for p in self.saved() if p.name != name]
        text = dump([*kept, preset])
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Written beside and renamed, so a crash never leaves half a file.
            tmp = self.path.with_suffix(".toml.tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            raise PresetError(f"{self.path}: {exc.strerror or exc}") from None
        return preset
