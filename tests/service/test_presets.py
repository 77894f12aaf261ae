"""Speed-limit presets: the shipped two, saving and loading back, and refusing bad files."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from tui.service import presets as presets_module
from tui.service.presets import Preset, PresetError, PresetStore, dump, parse
from tui.service.schedule import RuleDraft, to_request


@pytest.fixture(autouse=True)
def no_real_user_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A store built without a path must never reach the operator's real data dir."""
    monkeypatch.setattr(presets_module, "default_path", lambda: tmp_path / "default" / "p.toml")


def test_the_two_shipped_presets_load(tmp_path: Path) -> None:
    shipped = PresetStore(tmp_path / "mine.toml").load()
    assert [(p.name, p.shipped) for p in shipped] == [
        ("Business hours 20 Mbit/s, nights free", True), ("Flat 100 Mbit/s", True)]
    business, flat = shipped
    assert to_request(business.rules).to_body() == {
        "speed_limit": [{"start": "08:00", "end": "18:00", "speed": 20}]}
    assert to_request(flat.rules).to_body() == {
        "speed_limit": [{"start": "00:00", "end": "23:59", "speed": 100}]}


def test_save_then_load_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "data" / "presets.toml"
    store = PresetStore(path)
    rules = (RuleDraft("0:00", "8:00", "500"), RuleDraft("8:00", "18:00", "20", "12.5"))
    store.save("Night push", rules)
    store.save('Quote " and \\ back', (RuleDraft("01:00", "02:00", "1"),))
    assert path.exists()
    tomllib.loads(path.read_text())  # what we wrote is TOML
    again = PresetStore(path).saved()
    assert [p.name for p in again] == ["Night push", 'Quote " and \\ back']
    assert again[0].rules == (RuleDraft("00:00", "08:00", "500"),
                              RuleDraft("08:00", "18:00", "20", "12.5"))
    assert to_request(again[0].rules) == to_request(rules)
    assert [p.name for p in PresetStore(path).load()][2:] == ["Night push", 'Quote " and \\ back']


def test_saving_a_name_again_replaces_it(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "p.toml")
    store.save("x", (RuleDraft("01:00", "02:00", "1"),))
    store.save("x", (RuleDraft("03:00", "04:00", "2", "15"),))
    assert store.saved() == [Preset("x", (RuleDraft("03:00", "04:00", "2", "15"),))]


def test_invalid_schedules_and_shipped_names_are_refused(tmp_path: Path) -> None:
    store = PresetStore(tmp_path / "p.toml")
    with pytest.raises(PresetError, match="overlaps"):
        store.save("bad", (RuleDraft("01:00", "03:00", "1"), RuleDraft("02:00", "04:00", "1")))
    with pytest.raises(PresetError, match="shipped"):
        store.save("Flat 100 Mbit/s", (RuleDraft("01:00", "02:00", "1"),))
    with pytest.raises(PresetError, match="name"):
        store.save("  ", (RuleDraft("01:00", "02:00", "1"),))
    assert not (tmp_path / "p.toml").exists()


def test_a_broken_file_is_reported_not_crashed_on(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("[[preset]\nname=")
    with pytest.raises(PresetError, match="not valid TOML"):
        PresetStore(path).load()
    path.write_text('[[preset]]\nname = "late"\nrules = [{ start = "9:00", end = "8:00", speed = 1 }]\n')
    with pytest.raises(PresetError, match="'late'.*must be after the start"):
        PresetStore(path).saved()


def test_control_characters_survive_the_toml_writer() -> None:
    name = "tab\there\x7f\x01 ☃"
    text = dump([Preset(name, (RuleDraft("01:00", "02:00", "1"),))])
    assert parse(text)[0].name == name


def test_a_store_without_a_path_uses_the_user_data_dir(tmp_path: Path) -> None:
    assert PresetStore().path == tmp_path / "default" / "p.toml"
    assert presets_module.SHIPPED.name == "presets.toml"
