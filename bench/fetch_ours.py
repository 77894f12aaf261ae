"""Fetch every source with migdash's client (AK/SK); prints the seconds taken and the count.

    .venv/bin/python bench/fetch_ours.py ENDPOINT AK SK
"""

from __future__ import annotations

import asyncio
import sys
import time

from tui.api.auth import AkSkAuth
from tui.api.client import SmsClient


async def fetch(endpoint: str, ak: str, sk: str) -> tuple[float, int]:
    async with SmsClient(endpoint, AkSkAuth(ak, sk)) as sms:
        t0 = time.perf_counter()
        rows = await sms.list_all_sources()
        return time.perf_counter() - t0, len(rows)


def main() -> None:
    elapsed, rows = asyncio.run(fetch(*sys.argv[1:4]))
    print(f"{elapsed:.4f} {rows}")


if __name__ == "__main__":
    main()
