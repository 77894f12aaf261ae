"""Why a source counts as a problem (``p``), in a dozen cells: the list's Problem column."""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.untrusted import clean


def problem_reason(source: Any, stall: Any = None) -> Text:
    """The first reason ``p`` keeps this source, most urgent first; empty when there is none.

    Stalled, agent off, an environment check in ERROR, one in WARN (by the check's name),
    then the state itself (error, unavailable)."""
    if stall is not None:
        return Text("⚠ stalled", style="bold yellow")
    if source.connected is False:
        return Text("✖ agent off", style="bold bright_red")
    checks = list(source.checks or ())
    for result, symbol, style in (("ERROR", "✖", "bold bright_red"), ("WARN", "▲", "yellow")):
        failed = [c for c in checks if getattr(c, "result", None) == result]
        if failed:
            name = clean(getattr(failed[0], "name", None) or result)
            more = f" +{len(failed) - 1}" if len(failed) > 1 else ""
            return Text(f"{symbol} {name}{more}", style=style)
    if source.state == "error":
        return Text("✖ task failed", style="bold bright_red")
    if source.state == "unavailable":
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
