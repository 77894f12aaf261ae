"""A minimal HTTP/1.1 server that answers GET /v3/sources pages with recorded bytes.

It costs next to nothing per request (no routing framework, no JSON), so a fetch against it
measures the client alone. Pages are recorded once from a live simulator by ``record``.

    python bench/replay_server.py PAGES_DIR PORT
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def load(directory: Path) -> dict[int, bytes]:
    """Recorded pages by offset (files ``page-<offset>.json``)."""
    return {int(p.stem.split("-")[1]): p.read_bytes() for p in directory.glob("page-*.json")}


async def serve(pages: dict[int, bytes], port: int) -> None:
    """Serve until killed."""
    empty = b'{"count":0,"source_servers":[]}'

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line = head.split(b"\r\n", 1)[0].decode("latin-1")
                target = line.split(" ")[1] if " " in line else "/"
                query = parse_qs(urlsplit(target).query)
                body = pages.get(int(query.get("offset", ["0"])[0]), empty)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, limit=1 << 20)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(serve(load(Path(sys.argv[1])), int(sys.argv[2])))
