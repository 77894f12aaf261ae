"""The header and ``?`` say why the endpoint cannot be read (pilot tests)."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.app.conftest import FIXED_MONOTONIC, wait_for
from tests.sim_server import free_port
from tui.api.transport import RetryPolicy
from tui.app import MigdashApp
from tui.connect import open_client, resolve
from tui.screens.help import HelpScreen
from tui.service.audit import AuditLog
from tui.service.state import Link
from widgets.status_header import StatusHeader


async def shown(app: Any, pilot: Any) -> tuple[str, str]:
    """(header text, help text) once the first poll has failed."""
    await wait_for(pilot, lambda: app.connection.link is Link.RECONNECTING, "a failed poll")
    await pilot.pause()
    header = str(app.screen.query_one(StatusHeader).render())
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), "the help")
    grid = app.screen._table()  # the help's content, cell by cell
    return header, "\n".join(str(cell) for column in grid.columns for cell in column._cells)


async def test_refused_endpoint_shows_why_in_header_and_help(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", free_port()))
        settings = resolve(endpoint=f"http://127.0.0.1:{s.getsockname()[1]}", refresh=5.0,
                           env={})
        app = MigdashApp(settings, client=open_client(settings, retry=RetryPolicy(attempts=0)),
                         clock=lambda: FIXED_MONOTONIC,
                         audit=AuditLog(tmp_path / "audit.jsonl"))
        async with app.run_test(size=(160, 48)) as pilot:
            header, helptext = await shown(app, pilot)
    assert "reconnecting" in header and "connection refused" in header
    assert "connection refused" in helptext and "host and port" in helptext


async def test_a_bad_response_says_what_was_wrong(make_app: Callable[..., MigdashApp]) -> None:
    app = make_app(faults="malformed=1")
    async with app.run_test(size=(160, 48)) as pilot:
        header, helptext = await shown(app, pilot)
    assert "bad response: the server's answer is not valid JSON" in header
    assert "bad response" in helptext and "not the SMS API" in helptext
