"""The ``ediscovery collect`` command: one run for a matter and its custodians, sealed and verified.

Exit status: 0 complete, 4 incomplete (items failed after retries; the collection is written
and lists them), 1 error, 2 usage, 130 interrupted (state saved; run the same command again).
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import click
import httpx

from ediscovery.api import ComplianceClient
from ediscovery.api.credentials import api_key_from_env
from ediscovery.archive.attestation import Attestation
from ediscovery.archive.volumes import parse_volume_size
from ediscovery.cli.options import (
    ClientSeams,
    api_options,
    attestation_options,
    configure_logging,
    fail,
    feed_lag_option,
    password_from_env,
)
from ediscovery.collect.reports import listed_chats
from ediscovery.collect.run import CollectOptions
from ediscovery.collect.scope import Scope, make_scope
from ediscovery.collect.sources import parse_sources
from ediscovery.errors import ArchiveError, EdiscoveryError, Interrupted, UsageError
from ediscovery.pipeline import PipelineOptions, PipelineResult, RequestSink, finishing, run_pipeline
from ediscovery.progress import NullReporter, Reporter, WaitNotes
from ediscovery.render.options import RenderOptions

EXIT_INCOMPLETE = 4


def _reporter(quiet: bool) -> Reporter:
    if quiet:
        return NullReporter()
    from ediscovery.cli.progress import RichReporter

    return RichReporter()


def _catch_interrupts(task: asyncio.Task[Any] | None) -> dict[int, Any]:
    """Ctrl-C and SIGTERM stop the run wherever it is; returns the handlers they replace.

    While the run talks to the network the main task is cancelled, so every request in flight
    ends cleanly; during the finishing steps (rendering, bagging, sealing: synchronous work) the
    signal raises KeyboardInterrupt where that work is. Either way the run records the interruption
    in its custody log and exits 130 with its state saved.
    """

    def handler(signum: int, frame: FrameType | None) -> None:
        if finishing() or task is None:
            raise KeyboardInterrupt
        task.get_loop().call_soon_threadsafe(task.cancel)

    return {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}


def _transport() -> httpx.AsyncBaseTransport | None:
    """The transport a test put in the click context (``ClientSeams``), else the network."""
    ctx = click.get_current_context(silent=True)
    seams = ctx.find_object(ClientSeams) if ctx is not None else None
    return seams.transport if seams is not None else None


async def _run(options: PipelineOptions, values: dict[str, Any], reporter: Reporter) -> PipelineResult:
    key = api_key_from_env(values["key_env"])
    sink = RequestSink(reporter)
    async with ComplianceClient(
        options.collect.api_url,
        key,
        transport=_transport(),
        max_rpm=values["max_rpm"],
        concurrency=values["jobs"],
        timeout=values["timeout"],
        on_request=sink,
        on_wait=WaitNotes(reporter),
        api_version=options.collect.api_version,
    ) as client:
        previous = _catch_interrupts(asyncio.current_task())
        try:
            return await run_pipeline(
                client,
                options,
                requests=sink,
                reporter=reporter,
            )
        except (asyncio.CancelledError, KeyboardInterrupt) as exc:
            raise Interrupted(
                "Interrupted; the collection state is saved.",
                hint="Run the same command again to resume where it stopped.",
            ) from exc
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


@click.command("collect")
@click.option("--matter", required=True, help="Matter name (names the output folder).")
@click.option(
    "--custodian",
    "custodians",
    required=True,
    multiple=True,
    help="Custodian email (case-insensitive) or user_... id; repeat for several.",
)
@click.option("--since", help="Start date or date-time, inclusive (read in --tz).")
@click.option("--until", help="End date or date-time, exclusive (read in --tz).")
@click.option("--tz", default="UTC", show_default=True, help="IANA time zone of --since/--until.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("collections"),
    show_default=True,
    help="Output folder.",
)
@api_options
@click.option("--jobs", type=click.IntRange(1, 64), default=8, show_default=True, help="Concurrent requests.")
@click.option(
    "--render-jobs",
    type=click.IntRange(0, 64),
    default=0,
    show_default=True,
    help="Processes laying out transcripts (0: one per CPU).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 3600),
    default=60.0,
    show_default=True,
    help="Seconds an answer may take (plus 1 s per 16 KiB received); a slower one is retried.",
)
@click.option("--password-env", metavar="VAR", help="Environment variable holding the archive password.")
@click.option("--volume-size", help="Split the archive into volumes of this size (e.g. 4g).")
@click.option("--no-pdf", is_flag=True, help="Do not render PDF transcripts.")
@click.option("--bates-prefix", default="", help="Bates number prefix.")
@click.option("--bates-start", type=int, default=1, show_default=True, help="First Bates number.")
@click.option("--bates-digits", type=int, default=9, show_default=True, help="Bates number digits.")
@click.option("--legend", default="CONFIDENTIAL", show_default=True, help="Legend on every PDF page.")
@click.option(
    "--full", is_flag=True, help="Collect everything again instead of only changes since the last run."
)
@click.option(
    "--sources",
    multiple=True,
    metavar="LIST",
    help="Sources to collect, comma-separated: chats,projects,activities,code-artifacts,settings "
    "(default: all).",
)
@click.option(
    "--allow-unknown-custodian",
    is_flag=True,
    help="Collect a user_... id that no directory lists even when the API holds nothing of it.",
)
@click.option(
    "--corroborate",
    is_flag=True,
    help="After collecting, read the platform's audit log of this run's calls and match it with "
    "requests.jsonl, request by request (waits --feed-lag first).",
)
@feed_lag_option
@attestation_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object on stdout.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.option("-v", "--verbose", count=True, help="More diagnostics on stderr (repeatable).")
def command(**values: Any) -> None:
    """Collect custodians' Claude Enterprise data into a sealed, verified evidence bag.

    Exit status: 0 complete, 4 incomplete, 1 error, 2 usage, 130 interrupted.
    """
    try:
        result = _collect(values)
    except EdiscoveryError as exc:
        fail(exc)
    if values["as_json"]:
        click.echo(json.dumps(result.to_json(), sort_keys=True, ensure_ascii=False))
    else:
        click.echo(f"{result.status}: {result.archive or result.bag}")
        for line in summary_lines(result):
            click.echo(f"  {line}")
        for error in result.manifest.errors:
            click.echo(f"  {error['kind']} {error['source_id']}: {error['message']}", err=True)
    if result.attestation_error:
        click.echo(f"Error: {result.attestation_error}", err=True)
        sys.exit(1)
    sys.exit(0 if result.status == "complete" and not result.verify_problems else EXIT_INCOMPLETE)


def summary_lines(result: PipelineResult) -> list[str]:
    """What the run did, in a few lines: chats listed, in range and collected; the rest; the report."""
    manifest = result.manifest
    counts = manifest.counts
    listed = sum(listed_chats(manifest.to_dict()).values())
    out_of_range = sum(1 for item in manifest.limitations if item.get("kind") == "chat_out_of_range")
    failed = sum(1 for error in manifest.errors if error.get("kind") == "chat")
    lines = [
        f"chats: {listed} listed, {out_of_range} with no message in the range, "
        f"{counts.get('chats', 0)} collected, {failed} failed",
        ", ".join(f"{counts.get(kind, 0)} {kind.replace('_', ' ')}" for kind in counts if kind != "chats"),
    ]
    if manifest.limitations:
        lines.append(f"{len(manifest.limitations)} limitation(s) listed in manifest.json")
    report = result.bag / "reports" / "collection-report.pdf"
    lines.append(f"report: {report if report.is_file() else report.with_suffix('.html')}")
    return lines


def _check_usage(values: dict[str, Any]) -> None:
    """Every option value that can be wrong, checked before any request (usage errors: exit 2)."""
    if not str(values["matter"]).strip():
        raise UsageError("--matter is empty.", hint="Name the matter, e.g. --matter 'Acme v. Widget'.")
    if values["volume_size"] is not None:
        try:
            parse_volume_size(values["volume_size"])
        except ArchiveError as exc:
            raise UsageError(exc.message) from exc
    Attestation(values["tsa_url"], values["sign_key"], values["sign_cert"]).check()
    RenderOptions(
        bates_prefix=values["bates_prefix"],
        bates_start=values["bates_start"],
        bates_digits=values["bates_digits"],
        legend=values["legend"],
    ).check()


RECORDED = ("max_rpm", "no_pdf", "volume_size", "bates_prefix", "bates_start", "bates_digits", "legend",
            "password_env", "key_env", "corroborate", "feed_lag", "tsa_url")  # fmt: skip
"""Options recorded in the ``run_started`` custody event besides the run's identity."""


def _options(values: dict[str, Any], scope: Scope, fingerprint: str) -> PipelineOptions:
    """The pipeline's options from the command's values (the key only as its fingerprint)."""
    collect = CollectOptions(
        matter=values["matter"],
        custodians=tuple(values["custodians"]),
        scope=scope,
        out=values["out"],
        api_url=values["api_url"],
        key_fingerprint=fingerprint,
        api_version=values["api_version"],
        jobs=values["jobs"],
        full=values["full"],
        allow_unknown_custodian=values["allow_unknown_custodian"],
        feed_lag=values["feed_lag"] if values["corroborate"] else None,
        parameters={name: values[name] for name in RECORDED},
    )
    return PipelineOptions(
        collect=collect,
        render=not values["no_pdf"],
        password=password_from_env(values["password_env"]),
        volume_size=values["volume_size"],
        bates_prefix=values["bates_prefix"],
        bates_start=values["bates_start"],
        bates_digits=values["bates_digits"],
        legend=values["legend"],
        render_jobs=values["render_jobs"],
        attestation=Attestation(values["tsa_url"], values["sign_key"], values["sign_cert"]),
    )


def _collect(values: dict[str, Any]) -> PipelineResult:
    if values["verbose"]:
        configure_logging(values["verbose"], False)
    _check_usage(values)
    scope = make_scope(values["since"], values["until"], values["tz"], parse_sources(values["sources"]))
    options = _options(values, scope, api_key_from_env(values["key_env"]).fingerprint)
    reporter = _reporter(values["quiet"] or (values["as_json"] and not sys.stderr.isatty()))
    try:
        return asyncio.run(_run(options, values, reporter))
    finally:
        reporter.close()
