"""The simulator on a real loopback socket (uvicorn in a thread), for tests that need what
an in-process transport cannot give: client timeouts, refused connections, a server that keeps
working after the client hung up."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn

PORT_RANGE = range(18200, 18300)
"""Ports these tests may use (the machine is shared; this range is ours)."""


class BufferedBody:
    """Receives the whole request before handing it on, as API gateways do: the write is in
    the server's hands even if the client hangs up while the (delayed) handler runs."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.inner(scope, receive, send)
            return
        chunks = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        done = False

        async def replay() -> Any:
            nonlocal done
            if not done:
                done = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client is gone: nothing more will come

        await self.inner(scope, replay, send)


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # a thread cannot own signals
        pass


def free_port() -> int:
    """A port in :data:`PORT_RANGE` nobody is bound to right now."""
    for port in PORT_RANGE:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 18200-18299")
    raise AssertionError


@contextmanager
def serve(app: Any) -> Iterator[str]:
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            threading.Event().wait(0.02)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
