"""The one sanitizer for server text (tui.untrusted)."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console

from tui.untrusted import clean, has_terminal_controls, literal

HOSTILE = [
    "\x1b]0;pwned\x07",  # sets the terminal title
    "\x1b[2J",  # clears the screen
    "a\x9bb",  # C1 CSI
    "\x1b]8;;file:///etc/passwd\x1b\\x\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "bell\x07",
    "evil\u202etxt.exe",  # right-to-left override
    "line\nbreak\r",
]


def test_plain_text_is_returned_as_is() -> None:
    name = "web-prod-003 数据库 [/]"
    assert clean(name) is name


def test_every_control_becomes_one_visible_cell() -> None:
    for text in HOSTILE:
        out = clean(text)
        assert len(out) == len(text)
        assert out.isprintable(), repr(out)
        assert not has_terminal_controls(out)
    assert clean("\x1b]0;pwned\x07") == "␛]0;pwned␇"
    assert clean("a\x9bb") == "a\ufffdb"
    assert clean("evil\u202etxt") == "evil\ufffdtxt"


def test_tab_is_kept_and_none_is_empty() -> None:
    assert clean("a\tb") == "a\tb"
    assert clean(None) == ""
    assert clean(42) == "42"


def test_literal_never_parses_markup() -> None:
    for name in ("bad-close[/]tag", "[link=file:///etc/passwd]x[/link]", "[reverse]r[/]"):
        text = literal(name)
        assert text.plain == name
        assert not text.spans
        console = Console(width=80, color_system="truecolor", force_terminal=True)
        with console.capture() as cap:
            console.print(text)
        assert name in cap.get()
        assert "\x1b]8" not in cap.get()


def test_placeholders_are_one_cell_wide() -> None:
    assert cell_len(clean("\x1b\x07\x9b\u202e")) == 4


def test_detector_sees_what_clean_removes() -> None:
    for text in HOSTILE[:-1]:
        assert has_terminal_controls(text), repr(text)
    assert not has_terminal_controls("\x1b[1;31mred\x1b[0m plain")


def test_table_cells_follow_the_same_rule() -> None:
    """The fleet table's own sanitizer is clean() plus tab → space (one rule, not two)."""
    from rich.text import Text

    from widgets.table.cells import fit_cell, fit_text, sanitize

    for text in HOSTILE:
        assert sanitize(text) == clean(text).replace("\t", " ")
        fitted = fit_text(text, 40)
        assert not has_terminal_controls(fitted) and cell_len(fitted) == 40
    assert sanitize("evil\u202etxt") == "evil\ufffdtxt"  # the bidi override too
    assert sanitize("a\tb") == "a b"
    styled = fit_cell(Text("\x1b]0;pwned\u202e", style="bold"), 20)
    assert isinstance(styled, Text) and styled.plain.startswith("␛]0;pwned\ufffd")
