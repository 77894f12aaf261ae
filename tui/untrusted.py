"""The one door for text that came from a server, a file or a user: shown literally, never as
markup, never as terminal control.

Every backend's strings (names, IPs, OS versions, error messages, job fail reasons, ...) pass
through :func:`clean` before they reach a widget, a toast or a headless output, and reach Rich
as :class:`rich.text.Text` built by :func:`literal`, never as a markup string.

The rule: C0 control characters except tab, DEL, C1 controls and the invisible bidirectional
and line-breaking format characters are each replaced by one visible placeholder cell, so a
name such as ``"\\x1b]0;pwned\\x07"`` shows as ``␛]0;pwned␇`` and cannot set the terminal's
title, clear the screen, open a hyperlink or reverse the text that follows. The replacement
keeps the string's length (one character for one), so spans laid over it still line up.
"""

from __future__ import annotations

from rich.text import Text

C1_PLACEHOLDER = "\ufffd"
"""What a C1 control or an invisible format character shows as (�)."""

_TRANSLATION: dict[int, int] = {code: 0x2400 + code for code in range(0x20) if code != 0x09}
"""C0 controls become their Control Pictures (``\\x1b`` → ``␛``, ``\\x07`` → ``␇``)."""
_TRANSLATION[0x7F] = 0x2421  # DEL → ␡
_TRANSLATION.update({code: ord(C1_PLACEHOLDER) for code in range(0x80, 0xA0)})
_TRANSLATION.update({
    code: ord(C1_PLACEHOLDER)
    for code in (
        0x061C,  # Arabic letter mark
        0x200B, 0x200E, 0x200F,  # zero-width space, LRM, RLM
        *range(0x202A, 0x202F),  # LRE RLE PDF LRO RLO (U+202E: right-to-left override)
        *range(0x2066, 0x206A),  # LRI RLI FSI PDI
        0x2028, 0x2029,  # line and paragraph separators
        0xFEFF,  # zero-width no-break space (BOM)
    )
})


def clean(value: object) -> str:
    """``value`` as a string with every control character replaced by a visible placeholder.

    ``None`` is the empty string; anything else goes through ``str`` first. Tab is kept (Rich
    expands it; the table turns it into a space).
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    # isprintable() is False for every character the table replaces (Cc, Cf, Zl, Zp), so
    # plain names take the fast path.
    return text if text.isprintable() else text.translate(_TRANSLATION)


def literal(value: object, style: str = "") -> Text:
    """``value`` cleaned and wrapped as Rich ``Text``: its brackets are characters, not markup."""
    return Text(clean(value), style=style)


def has_terminal_controls(output: str) -> bool:
    """True when ``output`` holds a byte a terminal would act on besides layout: BEL, C1, a
    bidi override, or an ESC that does not start an SGR colour sequence (what Rich writes).

    For tests and headless checks over what was written to a terminal.
    """
    import re

    without_sgr = re.sub(r"\x1b\[[0-9;:]*m", "", output)
    return any(
        (ch == "\x1b" or ch == "\x07" or 0x80 <= ord(ch) < 0xA0 or ord(ch) in _BIDI)
        for ch in without_sgr
    )


_BIDI = frozenset(code for code, to in _TRANSLATION.items() if to == ord(C1_PLACEHOLDER)
                  and code >= 0xA0)
