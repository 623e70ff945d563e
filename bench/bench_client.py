"""Benchmark: the Compliance API client against the sandbox on a real loopback server.

The sandbox adds 50 ms latency per request and enforces a 600/min budget; the client runs with
a 600/min budget. It lists every chat org-wide and fetches the messages of ``--chats`` of them,
against two servers: one whose budget may be spent in a burst (a bucket of 600 requests), and a
strict one that admits one request every 100 ms and saves none up (a bucket of one), where any
request sent early is refused. Printed ratios (anchors measured in the same run), each the
median of ``SAMPLES`` runs with the spread, and the load average:

* requests/min achieved ÷ client budget  (target >= 0.90)
* requests made ÷ minimum the API needs  (target <= 1.05; >1 means retries or waste)

Run: ``.venv/bin/python bench/bench_client.py`` (about three minutes for the default 298 chats).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import statistics
import time

from ediscovery.api import ComplianceClient, RequestRecord
from ediscovery.sandbox import DEMO_KEY, FaultConfig, create_app, generate_tenant, running_server

SERVER_LIMIT = 600
SAMPLES = 3
SERVERS = (("bursting server", None), ("strict server", 1))  # (label, the server's burst)


async def collect(base_url: str, chats: int, rpm: int, concurrency: int, records: list[RequestRecord]) -> int:
    """List chats, fetch ``chats`` chats' messages; return how many chats the listing held."""
    async with ComplianceClient(
        base_url, DEMO_KEY, max_rpm=rpm, concurrency=concurrency, on_request=records.append
    ) as client:
        ids = [chat["id"] async for page in client.chats() for chat in page.items()]
        await asyncio.gather(*(client.chat_messages(chat_id) for chat_id in ids[:chats]))
        return len(ids)


def sample(args: argparse.Namespace, burst: int | None) -> tuple[float, float, int]:
    """One run against a fresh server: (requests/min ÷ budget, requests ÷ minimum, 429 answers)."""
    tenant = generate_tenant(seed=7, scale="large", big_file_bytes=1024)
    faults = FaultConfig(latency_ms=args.latency_ms)
    app = create_app(tenant, faults=faults, rate_limit=SERVER_LIMIT, rate_burst=burst)
    records: list[RequestRecord] = []
    with running_server(app) as base_url:
        started = time.monotonic()
        listed = asyncio.run(collect(base_url, args.chats, args.rpm, args.concurrency, records))
        elapsed = time.monotonic() - started
    minimum = math.ceil(listed / 1000) + min(args.chats, listed)
    throttled = sum(1 for r in records if r.status == 429)
    return len(records) / (elapsed / 60) / args.rpm, len(records) / minimum, throttled


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chats", type=int, default=298, help="chats whose messages are fetched")
    parser.add_argument("--rpm", type=int, default=600, help="client request budget per minute")
    parser.add_argument("--latency-ms", type=int, default=50, help="latency the sandbox adds per request")
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{args.chats} chats, {args.rpm}/min budget, {args.latency_ms} ms latency; {SAMPLES} samples")
    print(f"load average (1, 5, 15 min) before: {load} on {os.cpu_count()} cores")
    for label, burst in SERVERS:
        runs = [sample(args, burst) for _ in range(SAMPLES)]
        rates, made, throttled = ([run[i] for run in runs] for i in range(3))
        print(f"{label}: RATIO requests/min achieved / budget = {_spread(rates)}  (target >= 0.90)")
        print(f"{label}: RATIO requests made / minimum needed = {_spread(made)}  (target <= 1.05); "
              f"429 answers {', '.join(str(int(t)) for t in throttled)}")  # fmt: skip
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min) after: {load}")


if __name__ == "__main__":
    main()
