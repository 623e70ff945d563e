"""The progress line tells the truth: each stage's own total and ETA, a rate the budget allows."""

from __future__ import annotations

import io

from rich.console import Console

from ediscovery.cli.progress import RichReporter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _reporter(clock: Clock) -> RichReporter:
    return RichReporter(Console(file=io.StringIO(), force_terminal=False), clock=clock)


def test_each_stage_shows_its_own_counter_total_and_eta() -> None:
    clock = Clock()
    reporter = _reporter(clock)
    reporter.stage("collecting")
    reporter.expect("chats", 40)
    reporter.advance("chats", 40)
    reporter.stage("rendering transcripts")
    clock.now += 10
    reporter.expect("transcripts", 12)
    reporter.advance("transcripts", 4)
    assert reporter.line().plain.startswith("rendering transcripts: transcripts 4/12  ETA 20s")
    reporter.stage("producing documents")
    assert "chats" not in reporter.line().plain.split("  ")[0]
    reporter.close()


def test_the_rate_is_measured_over_the_last_minute_not_extrapolated_from_a_burst() -> None:
    clock = Clock()
    reporter = _reporter(clock)
    reporter.stage("collecting")
    reporter.advance("requests", 20)  # a burst in the first instant
    clock.now += 2
    assert "req/min" not in reporter.line().plain
    for _ in range(480):  # then 8 a second for a minute: 480 a minute
        clock.now += 0.125
        reporter.advance("requests")
    rate = int(reporter.line().plain.split(" req/min")[0].rsplit(" ", 1)[1])
    assert 470 <= rate <= 490
    reporter.close()


def test_transcripts_laid_out_while_collecting_show_beside_the_chats_with_their_total() -> None:
    clock = Clock()
    reporter = _reporter(clock)
    reporter.stage("collecting")
    reporter.expect("chats", 40)
    reporter.advance("chats", 10)
    reporter.expect("laid out", 6)
    reporter.advance("laid out", 2)
    line = reporter.line().plain
    assert line.startswith("collecting: chats 10/40")
    assert "transcripts laid out 2/6" in line
    reporter.close()
