"""Fetch every source with migdash's client (AK/SK); prints seconds, rows, CPU s.

    .venv/bin/python bench/fetch_ours.py ENDPOINT AK SK
"""

from __future__ import annotations

import asyncio
import sys
import time

from tui.api.auth import AkSkAuth
from tui.api.client import SmsClient


async def fetch(endpoint: str, ak: str, sk: str) -> tuple[float, int, float]:
    async with SmsClient(endpoint, AkSkAuth(ak, sk)) as sms:
        t0, c0 = time.perf_counter(), time.process_time()
        rows = await sms.list_all_sources()
        return time.perf_counter() - t0, len(rows), time.process_time() - c0


def main() -> None:
    elapsed, rows, cpu = asyncio.run(fetch(*sys.argv[1:4]))
    print(f"{elapsed:.4f} {rows} {cpu:.4f}")


if __name__ == "__main__":
    main()
