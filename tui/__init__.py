"""migdash: a terminal dashboard for server-migration fleets, and its simulator."""

import sys
import types


def _skip_httpx_cli() -> None:
    """Keep httpx from importing its command-line tool.

    httpx imports ``httpx._main`` (click, pygments, rich.syntax: ~100 ms, a third of a bare
    Textual app's start) whenever click is installed, and uvicorn installs it. migdash never
    runs that tool; a stand-in module makes ``httpx.main`` say so instead.
    """
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    stand_in = types.ModuleType("httpx._main")

    def main() -> None:
        raise SystemExit("the httpx command line is not available inside migdash")

    stand_in.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = stand_in


_skip_httpx_cli()
