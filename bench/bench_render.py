"""Render benchmark: parallel speed-up and per-page cost as chats grow.

Prints two ratios measured in the same run:

* pages/s of ``render_collection`` with ``jobs=2`` divided by pages/s of plain single-process
  WeasyPrint writing the same HTML (anchor; target >= 1.8 on two cores);
* seconds per page of a 5,000-message chat divided by seconds per page of a 100-message
  chat, both rendered in one process (target <= 1.2: no super-linear work), with the peak
  RSS of the process (long chats are laid out in segments, so it stays near the short one's).

Each side of the parallel ratio is the best of two alternating runs, and the load average is
printed before and after: on a shared machine other work steals the second core, and a
figure measured under load says little about the renderer.

Run: ``.venv/bin/python bench/bench_render.py`` (two to three minutes on two cores).
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from weasyprint import HTML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ediscovery.evidence.stored import StoredBag  # noqa: E402
from ediscovery.render import RenderOptions, render_collection  # noqa: E402
from ediscovery.render.options import RenderResult  # noqa: E402
from ediscovery.render.plan import plan_jobs, read_collection  # noqa: E402
from ediscovery.render.worker import build_html  # noqa: E402
from tests.render.render_bag import BagBuilder, message  # noqa: E402

TEXT = (
    "Here is a **draft** of the plan, with a list:\n\n- first point about the schedule\n"
    "- second point about the budget\n\n> Review by Friday.\n\nThe numbers are 1, 2 and 3."
)


def _messages(count: int) -> list[dict[str, object]]:
    return [
        message(
            f"claude_chat_msg_{i:06d}",
            "user" if i % 2 == 0 else "assistant",
            f"Message {i}. {TEXT}",
            f"2026-04-10T{8 + i // 3600 % 12:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z",
        )
        for i in range(count)
    ]


def _bag(root: Path, chats: dict[str, int]) -> Path:
    bag = BagBuilder(root)
    for n, (chat_id, count) in enumerate(sorted(chats.items())):
        bag.chat(chat_id, _messages(count), created_at=f"2026-04-{10 + n:02d}T08:00:00Z", page_size=1000)
    return bag.finish()


def _pages(result: RenderResult) -> int:
    return sum(d.page_count for d in result.documents)


def _plain_seconds(htmls: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    pages = 0
    for html in htmls:
        document = HTML(string=html, base_url=(ROOT / "templates").as_uri() + "/").render()
        document.write_pdf(pdf_variant="pdf/a-3b")
        pages += len(document.pages)
    return time.perf_counter() - start, pages


def _pool_seconds(root: Path, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    result = render_collection(root, out, RenderOptions(jobs=2))
    return time.perf_counter() - start, _pages(result)


def parallel_ratio(tmp: Path) -> float:
    root = _bag(tmp / "par", {f"claude_chat_{i:02d}": 150 for i in range(8)})
    bag = StoredBag.open(root)
    htmls = [build_html(bag, job, RenderOptions()) for job in plan_jobs(bag, read_collection(bag, "UTC"))]
    plain, pooled = [], []
    for attempt in range(2):
        plain.append(_plain_seconds(htmls))
        pooled.append(_pool_seconds(root, tmp / f"par-out-{attempt}"))
    base_seconds, base_pages = min(plain)
    seconds, pages = min(pooled)
    print(f"plain WeasyPrint, 1 process: {base_pages / base_seconds:.2f} pages/s ({base_pages} pages)")
    print(f"render_collection jobs=2:    {pages / seconds:.2f} pages/s ({pages} pages)")
    return (pages / seconds) / (base_pages / base_seconds)


def scale_ratio(tmp: Path) -> float:
    per_page = {}
    for count in (100, 5000):
        root = _bag(tmp / f"scale{count}", {"claude_chat_scale": count})
        start = time.perf_counter()
        result = render_collection(root, tmp / f"scale{count}-out", RenderOptions(jobs=1))
        seconds = time.perf_counter() - start
        per_page[count] = seconds / _pages(result)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{count:>5} messages: {_pages(result)} pages in {seconds:.1f}s, "
            f"{per_page[count] * 1000:.1f} ms/page, peak RSS so far {rss:.0f} MiB"
        )
    return per_page[5000] / per_page[100]


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    print(f"load average before: {_load()} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        ratio = parallel_ratio(Path(tmp))
        print(f"RATIO parallel jobs=2 / single WeasyPrint: {ratio:.2f} (target >= 1.8)")
        scale = scale_ratio(Path(tmp))
        print(f"RATIO s/page 5000 msgs / 100 msgs: {scale:.2f} (target <= 1.2)")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
