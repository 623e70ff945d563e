"""Render benchmark: the cost of a transcript page against the engine's, parallel speed-up, and
per-page cost as chats grow.

Prints three ratios measured in the same run, each side the median of ``SAMPLES`` alternating
samples (with the spread), and the load average before and after (a figure measured while
other work steals the second core says little about the renderer):

* **engine**: pages/s of ``render_collection`` (one process) divided by pages/s of plain
  WeasyPrint laying out and drawing the same message text as bare HTML (each message a heading
  and its paragraphs, the engine's default style) in the same process — target >= 0.9;
* **parallel**: pages/s of ``render_collection`` with ``jobs=2`` divided by ``jobs=1`` on the
  same bag — target >= 1.8 on two idle cores;
* **scale**: seconds per page of a 5,000-message chat divided by seconds per page of a
  100-message chat, both in one process (target <= 1.2: no super-linear work), with the peak
  RSS of the process (long chats are laid out in segments, so it stays near the short one's).

Run: ``.venv/bin/python bench/bench_render.py`` (about ten minutes on two cores).
"""

from __future__ import annotations

import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from weasyprint import HTML

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ediscovery.render import RenderOptions, render_collection  # noqa: E402
from ediscovery.render.markup import markdown_html  # noqa: E402
from ediscovery.render.options import RenderResult  # noqa: E402
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


SAMPLES = 3


def _plain_html(chats: dict[str, int]) -> list[str]:
    """The same message text as the transcripts, as bare HTML: each message its sender, time and
    id as paragraphs, then its Markdown as the transcript converts it; no template, no style."""
    htmls = []
    for count in chats.values():
        body = "".join(
            f"<p>{'Alice Example' if i % 2 == 0 else 'Claude'} 2026-04-10 08:00:00 +00:00</p>"
            f"<p>claude_chat_msg_{i:06d}</p>{markdown_html(f'Message {i}. {TEXT}')}"
            for i in range(count)
        )
        htmls.append(f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>")
    return htmls


def _plain_seconds(htmls: list[str]) -> tuple[float, int]:
    start = time.perf_counter()
    pages = 0
    for html in htmls:
        document = HTML(string=html).render()
        document.write_pdf(pdf_variant="pdf/a-3b")
        pages += len(document.pages)
    return time.perf_counter() - start, pages


def _render_seconds(root: Path, out: Path, jobs: int) -> tuple[float, int]:
    start = time.perf_counter()
    result = render_collection(root, out, RenderOptions(jobs=jobs))
    return time.perf_counter() - start, _pages(result)


def _rates(samples: list[tuple[float, int]]) -> list[float]:
    return [pages / seconds for seconds, pages in samples]


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


CHATS = {f"claude_chat_{i:02d}": 150 for i in range(8)}


def engine_and_parallel(tmp: Path) -> tuple[list[float], list[float]]:
    """(transcript ÷ plain engine, jobs=2 ÷ jobs=1) for each sample."""
    root = _bag(tmp / "par", CHATS)
    htmls = _plain_html(CHATS)
    engine, parallel = [], []
    for sample in range(SAMPLES):
        plain = _plain_seconds(htmls)
        one = _render_seconds(root, tmp / f"one-{sample}", 1)
        two = _render_seconds(root, tmp / f"two-{sample}", 2)
        (plain_rate, one_rate, two_rate) = _rates([plain, one, two])
        print(
            f"sample {sample + 1}: plain WeasyPrint {plain_rate:.2f} pages/s ({plain[1]} pages); "
            f"transcripts jobs=1 {one_rate:.2f}, jobs=2 {two_rate:.2f} pages/s ({one[1]} pages)"
        )
        engine.append(one_rate / plain_rate)
        parallel.append(two_rate / one_rate)
    return engine, parallel


def scale_ratio(tmp: Path) -> list[float]:
    """s/page of the long chat ÷ s/page of the short one, for each sample: the two are laid out
    in turn, so both sides of a sample meet the same machine."""
    roots = {count: _bag(tmp / f"scale{count}", {"claude_chat_scale": count}) for count in (100, 5000)}
    ratios = []
    for sample in range(SAMPLES):
        per_page = {}
        for count, root in roots.items():
            start = time.perf_counter()
            result = render_collection(root, tmp / f"scale{count}-{sample}", RenderOptions(jobs=1))
            seconds = time.perf_counter() - start
            per_page[count] = seconds / _pages(result)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"sample {sample + 1}, {count:>5} messages: {_pages(result)} pages in {seconds:.1f}s, "
                f"{per_page[count] * 1000:.1f} ms/page, peak RSS so far {rss:.0f} MiB"
            )
        ratios.append(per_page[5000] / per_page[100])
    return ratios


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    print(f"load average before: {_load()} on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as tmp:
        engine, parallel = engine_and_parallel(Path(tmp))
        print(f"RATIO transcript / plain WeasyPrint pages/s: {_median(engine)} (target >= 0.9)")
        print(f"RATIO jobs=2 / jobs=1 pages/s: {_median(parallel)} (target >= 1.8)")
        scale = scale_ratio(Path(tmp))
        print(f"RATIO s/page 5000 msgs / 100 msgs: {_median(scale)} (target <= 1.2)")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
