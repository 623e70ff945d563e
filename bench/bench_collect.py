"""Benchmark of ``ediscovery collect`` against the loopback sandbox (real HTTP, real clock).

Prints, for a medium tenant with 50 ms latency and a 600/min budget:

* collection time ÷ (minimum requests ÷ rate) — target ≤ 1.15. The collection time runs from
  the first to the end of the last HTTP request of the run (``requests.jsonl``), so Python
  start-up, rendering, sealing and verifying are not counted; the whole child-process time
  is printed beside it for information;
* requests made ÷ minimum requests — target ≤ 1.05. The minimum is counted from the sandbox
  tenant itself, not from the run: what the API needs at least for the custodian (directory
  pages, chat list pages of 1000, one messages request per chat, metadata + content per
  file / generated file / artifact — the metadata is evidence of its own, see the README —,
  project get + attachment and collaborator pages of 100, metadata + content per project
  document, activity pages of 5000, sessions, code artifacts, settings);
* peak PSS of the whole process tree (collector and layout workers; shared pages split) of a
  run with PDFs while a 2 GB file downloads — target < 300 MB.

The first two are the median of three runs, with the spread.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import sys
import tempfile
from collections import Counter
from datetime import datetime
from pathlib import Path

from ediscovery.sandbox import FaultConfig, Tenant, create_app, generate_tenant, running_server
from ediscovery.sandbox.activity_log import ActivityQuery

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pipeline import run_collect

RPM = 600
CUSTODIAN = "alice@example.com"


def collect(base_url: str, out: Path, *, pdf: bool = False) -> tuple[float, Path, int]:
    """Run the CLI in a child; return wall seconds, the bag and the process tree's peak PSS (kB)."""
    wall, _epoch, bag, (_rss, pss, _roles) = run_collect(base_url, out, pdf)
    return wall, bag, pss


def _pages(items: int, size: int) -> int:
    return max(1, math.ceil(items / size))


def minimum_requests(tenant: Tenant, custodian: str) -> Counter[str]:
    """What the API needs at least to collect ``custodian`` whole (no date range), by endpoint."""
    uids = tenant.resolve_custodian(custodian)
    need: Counter[str] = Counter(organizations=_pages(len(tenant.orgs), 1000))
    for org in tenant.orgs:
        members = [u for u in tenant.users.values() if any(m.org_uuid == org for m in u.memberships)]
        need["org users"] += _pages(len(members), 1000)
    chats = [chat for uid in uids for chat in tenant.chats_of(uid)]
    need["chat list"] = _pages(len(chats), 1000)
    need["chat messages"] = len(chats)
    created = {p.id for p in tenant.projects.values() if p.creator_id in uids}
    need["project list"] = _pages(len(created), 100)
    projects = set(created)
    files: set[str] = set()
    generated: set[str] = set()
    artifacts: set[str] = set()
    documents: set[str] = set()
    for chat in chats:
        if chat.project_id in tenant.projects:
            projects.add(chat.project_id)
        for message in [] if chat.deleted_at else tenant.messages[chat.id]:
            files.update(message.file_ids)
            generated.update(message.generated_file_ids)
            artifacts.update(message.artifact_version_ids)
    for project in (tenant.projects[pid] for pid in projects):
        files.update(project.file_ids)
        documents.update(project.doc_ids)
        need["project"] += 1
        need["project attachments"] += _pages(len(project.file_ids) + len(project.doc_ids), 100)
        need["project collaborators"] += _pages(len(project.collaborators), 100)
    need["files"] = 2 * len(files)
    need["generated files"] = 2 * len(generated)
    need["artifacts"] = 2 * len(artifacts)
    need["project documents"] = 2 * len(documents)
    acted = list(tenant.activities.select(ActivityQuery(actor_ids=frozenset(uids))))
    need["activities"] = _pages(len(acted), 5000)
    need["organization settings"] = len({m.org_uuid for u in uids for m in tenant.users[u].memberships})
    need.update(_sessions_and_code(tenant, uids))
    return need


def _sessions_and_code(tenant: Tenant, uids: list[str]) -> Counter[str]:
    """Agent sessions (one tenant-wide walk of local ones) and code artifacts: the fewest requests."""
    need: Counter[str] = Counter(local_session_list=_pages(len(tenant.local_sessions), 500))
    for session in tenant.local_sessions.values():
        if session.user_id in uids:
            need["local sessions"] += 1 + _pages(len(session.messages), 1000)
    for uid in uids:
        mine = [s for s in tenant.remote_sessions.values() if s.user_id == uid]
        need["remote session list"] += _pages(len(mine), 500)
        need["remote sessions"] += sum(_pages(len(s.messages), 1000) for s in mine if s.status != "pending")
    owned = [a for a in tenant.code_artifacts.values() if a.owner_user_id in uids]
    need["code artifact list"] = len(uids) * _pages(len(tenant.code_artifacts), 100)
    need["code artifacts"] = sum(len(a.versions) + 1 + int(a.multi_file) for a in owned)
    return need


def request_log(bag: Path) -> tuple[int, float]:
    """Attempts made, and seconds from the first request's start to the last one's end."""
    starts: list[float] = []
    ends: list[float] = []
    with (bag / "requests.jsonl").open() as fh:
        for line in fh:
            record = json.loads(line)
            at = datetime.strptime(record["at"], "%Y-%m-%dT%H:%M:%S.%fZ").timestamp()
            starts.append(at)
            ends.append(at + record["duration_ms"] / 1000)
    return len(starts), max(ends) - min(starts)


SAMPLES = 3


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})"


def main() -> None:
    print(f"load average (1, 5, 15 min): {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        tenant = generate_tenant(seed=7, scale="medium")
        need = minimum_requests(tenant, CUSTODIAN)
        minimum = sum(need.values())
        ideal = minimum / (RPM / 60)
        app = create_app(tenant, faults=FaultConfig(latency_ms=50), rate_limit=RPM)
        spans, made = [], []
        with running_server(app) as url:
            for sample in range(SAMPLES):
                _wall, bag, _ = collect(url, Path(tmp) / f"medium-{sample}")
                count, span = request_log(bag)
                spans.append(span / ideal)
                made.append(count / minimum)
        print("minimum requests: " + ", ".join(f"{k} {v}" for k, v in sorted(need.items())))
        print(f"medium: {minimum} requests needed; ideal {ideal:.1f}s at {RPM}/min; {SAMPLES} samples")
        print(f"collection / (minimum / rate) = {_spread(spans)}   (target <= 1.15)")
        print(f"requests made / minimum = {_spread(made)}   (target <= 1.05)")
        big = generate_tenant(seed=7, scale="tiny", big_file_bytes=2 * 1024**3)
        with running_server(create_app(big, rate_limit=RPM)) as url:
            wall, bag, peak = collect(url, Path(tmp) / "big", pdf=True)
        print(f"2 GB download run with PDFs: wall {wall:.1f}s, peak PSS of the process tree "
              f"{peak / 1024:.1f} MB   (target < 300 MB)")  # fmt: skip


if __name__ == "__main__":
    main()
