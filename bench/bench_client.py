"""Benchmark: the Compliance API client against the sandbox on a real loopback server.

The sandbox adds 50 ms latency per request and enforces its 600/min budget; the client runs
with a 600/min budget. It lists every chat org-wide and fetches the messages of ``--chats``
of them. Printed ratios (anchors measured in the same run):

* requests/min achieved ÷ client budget  (target >= 0.90)
* requests made ÷ minimum the API needs  (target  = 1.00; >1 means retries or waste)

Run: ``.venv/bin/python bench/bench_client.py`` (about 30 s for the default 298 chats).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import time

from ediscovery.api import ComplianceClient, RequestRecord
from ediscovery.sandbox import DEMO_KEY, FaultConfig, create_app, generate_tenant, running_server

SERVER_LIMIT = 600


async def collect(base_url: str, chats: int, rpm: int, concurrency: int, records: list[RequestRecord]) -> int:
    """List chats, fetch ``chats`` chats' messages; return how many chats the listing held."""
    async with ComplianceClient(
        base_url, DEMO_KEY, max_rpm=rpm, concurrency=concurrency, on_request=records.append
    ) as client:
        ids = [chat["id"] async for page in client.chats() for chat in page.items()]
        await asyncio.gather(*(client.chat_messages(chat_id) for chat_id in ids[:chats]))
        return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=298, help="chats whose messages are fetched")
    parser.add_argument("--rpm", type=int, default=600, help="client request budget per minute")
    parser.add_argument("--latency-ms", type=int, default=50, help="latency the sandbox adds per request")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    tenant = generate_tenant(seed=7, scale="large", big_file_bytes=1024)
    app = create_app(tenant, faults=FaultConfig(latency_ms=args.latency_ms), rate_limit=SERVER_LIMIT)
    records: list[RequestRecord] = []
    with running_server(app) as base_url:
        started = time.monotonic()
        listed = asyncio.run(collect(base_url, args.chats, args.rpm, args.concurrency, records))
        elapsed = time.monotonic() - started

    fetched = min(args.chats, listed)
    minimum = math.ceil(listed / 1000) + fetched
    made = len(records)
    throttled = sum(1 for r in records if r.status == 429)
    achieved_rpm = made / (elapsed / 60)
    print(f"chats listed: {listed}, chats fetched: {fetched}, elapsed: {elapsed:.1f} s")
    print(f"requests made: {made} (429 answers: {throttled}), minimum needed: {minimum}")
    print(f"achieved requests/min: {achieved_rpm:.1f}, client budget: {args.rpm}/min")
    print(f"RATIO requests/min achieved / budget = {achieved_rpm / args.rpm:.3f}  (target >= 0.90)")
    print(f"RATIO requests made / minimum needed = {made / minimum:.3f}  (target = 1.000)")


if __name__ == "__main__":
    main()
