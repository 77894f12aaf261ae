"""The app against the in-process simulator, with the simulator's clock and the app's fixed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tui.app import MigdashApp
from tui.connect import resolve
from tui.service.audit import AuditLog
from tui.sim import ManualClock

FIXED_MONOTONIC = 1000.0


def build_app(tmp_path: Path, *, sources: int = 40, seed: int = 0, read_only: bool = False,
              faults: str | None = None, **sim: Any) -> MigdashApp:
    """A dashboard on a fresh simulator whose time stands still (reproducible pictures)."""
    options: dict[str, Any] = {"sources": sources, "seed": seed, "clock": ManualClock(),
                               "admin": True, **sim}
    if faults:
        options["faults"] = faults
    settings = resolve(demo=True, read_only=read_only, refresh=5.0, sim_options=options)
    return MigdashApp(settings, clock=lambda: FIXED_MONOTONIC,
                      audit=AuditLog(tmp_path / "audit.jsonl", profile="test"))


async def wait_for(pilot: Pilot[Any], predicate: Callable[[], Any], what: str,
                   tries: int = 200) -> None:
    """Let the app run until ``predicate()`` holds (fails the test after ~10 s)."""
    for _ in range(tries):
        if predicate():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def loaded(pilot: Pilot[Any]) -> None:
    """Wait for the first fleet poll to reach the screen."""
    app: Any = pilot.app
    await wait_for(pilot, lambda: app.fleet is not None, "the first fleet poll")
    await pilot.pause()


@pytest.fixture(autouse=True)
def steady_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    """An input's cursor shows while it has focus and does not blink.

    The blink (every 0.5 s) made a picture depend on how long a busy machine took between
    focusing a field and taking the screenshot (seen under pytest-xdist on two loaded cores).
    """
    from textual.widgets import Input

    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None)


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., MigdashApp]:
    def factory(**kw: Any) -> MigdashApp:
        return build_app(tmp_path, **kw)

    return factory


async def tick_and_apply(pilot: Pilot[Any], values: tuple[str, ...]) -> None:
    """In the open state picker, tick ``values`` with keys only (down, space), then enter."""
    from textual.widgets import SelectionList

    picker = pilot.app.screen.query_one(SelectionList)
    order = [picker.get_option_at_index(i).value for i in range(picker.option_count)]
    row = 0
    for value in sorted(values, key=order.index):
        await pilot.press(*["down"] * (order.index(value) - row), "space")
        row = order.index(value)
    await pilot.press("enter")


class SimRecorder:
    """Wraps the in-process simulator's ASGI app and keeps every request that reached it.

    Assertions about what was sent are checked where it counts: at the server."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.seen: list[tuple[str, str, Any]] = []
        """(method, path, JSON body or None) of every request, in arrival order."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        self.seen.append((scope["method"], scope["path"], json.loads(raw) if raw else None))
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        await self.inner(scope, replay, send)

    @property
    def writes(self) -> list[tuple[str, str, Any]]:
        """Every request but the reads."""
        return [entry for entry in self.seen if entry[0] != "GET"]

    def actions(self) -> list[tuple[str, str]]:
        """(task id, operation) of every task action that reached the simulator."""
        return [(path.split("/")[3], body["operation"]) for method, path, body in self.writes
                if method == "POST" and path.endswith("/action")]


def record(app: Any) -> SimRecorder:
    """Start recording what reaches the app's in-process simulator."""
    inner = app.client._http._transport._inner  # SimTransport → httpx.ASGITransport
    recorder = SimRecorder(inner.app)
    inner.app = recorder
    return recorder
