"""Why a source counts as a problem (``p``), in a dozen cells: the list's Problem column."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.untrusted import clean


def problem_reason(source: Any, stall: Any = None) -> Text:
    """The first reason ``p`` keeps this source, most urgent first; empty when there is none.

    Stalled, agent off, an environment check in ERROR, one in WARN (by the check's name),
    then the state itself (error, unavailable)."""
    return problem_text(stall is not None, source.connected, failed_checks(source), source.state)


def failed_checks(source: Any) -> tuple[tuple[str, str | None], ...]:
    """The environment checks in ERROR or WARN, as (result, name), in the server's order."""
    return tuple((result, getattr(c, "name", None)) for c in (source.checks or ())
                 if (result := getattr(c, "result", None)) in ("ERROR", "WARN"))


def problem_text(stalled: bool, connected: bool | None,
                 failed: tuple[tuple[str, str | None], ...], state: str | None) -> Text:
    """:func:`problem_reason` from the values it reads (the fleet table keeps only those)."""
    if stalled:
        return Text("⚠ stalled", style="bold yellow")
    if connected is False:
        return Text("✖ agent off", style="bold bright_red")
    for result, symbol, style in (("ERROR", "✖", "bold bright_red"), ("WARN", "▲", "yellow")):
        names = [name for r, name in failed if r == result]
        if names:
            name = clean(names[0] or result)
            more = f" +{len(names) - 1}" if len(names) > 1 else ""
            return Text(f"{symbol} {name}{more}", style=style)
    if state == "error":
        return Text("✖ task failed", style="bold bright_red")
    if state == "unavailable":
        return Text("⊘ unavailable", style="bright_red")
    return Text("")


def failure_note(error_json: str | None) -> Text | None:
    """A failed migration's ``error_json`` decoded: code, message, and what to do."""
    from tui.api.errors import decode_error_json

    ex = decode_error_json(error_json)
    if ex is None:
        return None
    out = Text.assemble(("✖ Failed: ", "bold bright_red"),
                        (f"{clean(ex.code)} " if ex.code else "", "bold"), clean(ex.message))
    if ex.handling and ex.handling not in ex.message:
        out.append("\nWhat to do: ", style="bold")
        out.append(clean(ex.handling), style="italic")
    return out
