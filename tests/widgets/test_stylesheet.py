"""ReusingStylesheet: a refresh with the same variables parses nothing again; new variables
(a theme) still give new rules; the rules are Textual's own."""

from __future__ import annotations

from typing import Any

import pytest
from textual.color import Color
from textual.css import stylesheet as textual_stylesheet
from textual.css.stylesheet import Stylesheet

from widgets.stylesheet import ReusingStylesheet

CSS = "Static { color: $accent; } Label { background: $accent 50%; }"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The CSS texts Textual's parser is run on, from now on."""
    seen: list[str] = []
    real = textual_stylesheet.parse

    def counting(scope: str, css: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(css)
        return real(scope, css, *args, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", counting)
    return seen


def sheet(kind: type[Stylesheet], accent: str) -> Stylesheet:
    s = kind(variables={"accent": accent})
    s.add_source(CSS, read_from=("test", "CSS"))
    s.parse()
    return s


def colors(s: Stylesheet) -> list[Any]:
    return [rule.styles.color if rule.styles.has_rule("color") else rule.styles.background
            for rule in s.rules]


def test_a_refresh_with_the_same_variables_parses_nothing_again(parses: list[str]) -> None:
    s = sheet(ReusingStylesheet, "red")
    before = colors(s)
    s.set_variables({"accent": "red"})  # what App.refresh_css does, then reparse
    s.reparse()
    s.reparse()
    assert parses == [CSS] and colors(s) == before


def test_textuals_own_parses_again_on_every_refresh(parses: list[str]) -> None:
    s = sheet(Stylesheet, "red")
    s.set_variables({"accent": "red"})
    s.reparse()
    assert parses == [CSS, CSS]  # what ReusingStylesheet saves (three times at launch)


def test_new_variables_give_new_rules_as_textuals_do(parses: list[str]) -> None:
    ours, theirs = sheet(ReusingStylesheet, "red"), sheet(Stylesheet, "red")
    for s in (ours, theirs):
        s.set_variables({"accent": "blue"})
        s.reparse()
    assert colors(ours) == colors(theirs)
    assert colors(ours)[0] == Color.parse("blue")
    assert len(parses) == 4  # each sheet: once with red, once with blue


def test_a_source_added_later_is_parsed_with_the_rest_kept(parses: list[str]) -> None:
    s = sheet(ReusingStylesheet, "red")
    s.add_source("Button { color: $accent; }", read_from=("test", "more"))
    s.reparse()
    assert parses == [CSS, "Button { color: $accent; }"]
    assert len(s.rules) == 3
