"""Fetch every source with the official huaweicloudsdksms client; prints seconds, rows, CPU s.

Runs in the SDK's own virtualenv (``.venv-sdk``, made by ``bench_fetch.py``), never the
project's: the SDK is a baseline, not a dependency. Pages are fetched one after another, as
the SDK's synchronous client does.

    .venv-sdk/bin/python bench/fetch_sdk.py ENDPOINT AK SK
"""

import sys
import time

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdksms.v3 import ListServersRequest, SmsClient


def main() -> None:
    endpoint, ak, sk = sys.argv[1:4]
    client = (SmsClient.new_builder().with_credentials(BasicCredentials(ak, sk))
              .with_endpoint(endpoint).build())
    t0, c0 = time.perf_counter(), time.process_time()
    first = client.list_servers(ListServersRequest(limit=200, offset=0))
    rows = len(first.source_servers)
    for offset in range(200, first.count, 200):
        rows += len(client.list_servers(ListServersRequest(limit=200, offset=offset))
                    .source_servers)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert rows == first.count, (rows, first.count)
    print(f"{elapsed:.4f} {rows} {cpu:.4f}")


if __name__ == "__main__":
    main()
