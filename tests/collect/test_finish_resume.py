"""A run killed while rendering, bagging, sealing or verifying is finished by the same command.

Real processes against the live sandbox: ``EDISCOVERY_CRASH_AT_STAGE`` SIGKILLs ``ediscovery
collect`` as a finishing step starts; the same command run again must finish that run (not start
an incremental one), and its archive must verify and match an uninterrupted collection.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ediscovery.sandbox import generate_tenant
from ediscovery.verify import verify

KEY_ENV = "EDISCOVERY_TEST_KEY"
PASSWORD_ENV = "EDISCOVERY_TEST_ARCHIVE_PASSWORD"
PASSWORD = "correct horse battery staple"
CRASH_ENV = "EDISCOVERY_CRASH_AT_STAGE"


def run_cli(
    base_url: str,
    key: str,
    out: Path,
    *,
    crash_at: str | None = None,
    pdf: bool = True,
    password: bool = False,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop(CRASH_ENV, None)
    env.pop("EDISCOVERY_CRASH_AFTER_STORED", None)
    env.update({KEY_ENV: key, PASSWORD_ENV: PASSWORD, **(extra_env or {})})
    if crash_at is not None:
        env[CRASH_ENV] = crash_at
    args = ["--matter", "Acme v. Widget", "--custodian", "alice@example.com", "--api-url", base_url]
    args += ["--key-env", KEY_ENV, "--out", str(out), "-q", "--json", "--max-rpm", "100000"]
    args += [] if pdf else ["--no-pdf"]
    args += ["--password-env", PASSWORD_ENV] if password else []
    code = "import sys; from ediscovery.cli.collect import command; command(sys.argv[1:])"
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=240,
        check=False,
    )


def finished(process: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert process.returncode == 0, process.stderr
    result: dict[str, Any] = json.loads(process.stdout)
    return result


def comparable(bag: Path) -> dict[str, Any]:
    """manifest.json without what differs between two runs (ids, times, request ids)."""
    manifest = json.loads((bag / "manifest.json").read_bytes())
    entries = []
    for entry in manifest["entries"]:
        meta = dict(entry["metadata"])
        meta.pop("sources", None)
        meta.pop("listed_on", None)  # the request id and time of the tenant-wide page that listed it
        entries.append((entry["path"], entry["kind"], entry["source_id"], entry["status"], meta))
    return {
        "status": manifest["status"],
        "counts": manifest["counts"],
        "errors": manifest["errors"],
        "limitations": sorted((item["kind"], item["source_id"]) for item in manifest["limitations"]),
        "entries": entries,
    }


def custody_actions(bag: Path) -> list[str]:
    return [json.loads(line)["action"] for line in (bag / "custody.jsonl").read_text().splitlines()]


def content_downloads(bag: Path) -> list[str]:
    records = [json.loads(line) for line in (bag / "requests.jsonl").read_text().splitlines()]
    return [r["path"] for r in records if r["path"].endswith("/content") and r["status"] == 200]


def bags(matter: Path) -> list[Path]:
    return sorted(p for p in matter.iterdir() if p.is_dir() and not p.name.startswith("."))


def plant_half_seal(matter: Path) -> list[Path]:
    """What a seal killed half-way leaves: a truncated archive, a temp file, a stale receipt."""
    (bag,) = bags(matter)
    planted = [
        matter / f"{bag.name}.7z",
        matter / f".{bag.name}.7z.part-0123456789abcdef",
        matter / f"{bag.name}.7z.receipt.json",
    ]
    for path in planted:
        path.write_bytes(b"7z\xbc\xaf\x27\x1c half written")
    return planted


def assert_resumed_like(resumed: dict[str, Any], reference: dict[str, Any], password: str | None) -> Path:
    """The resumed run sealed one verified archive equal in content to the uninterrupted one."""
    archive, bag = Path(resumed["archive"]), Path(resumed["bag"])
    assert archive.is_file()
    assert Path(f"{archive}.sha256").is_file() and Path(f"{archive}.receipt.json").is_file()
    assert resumed["status"] == reference["status"] == "complete"
    assert resumed["counts"] == reference["counts"]
    assert any(resumed["counts"].values())
    report = verify(archive, password=password)
    assert report.ok, [str(p) for p in report.problems]
    assert comparable(bag) == comparable(Path(reference["bag"]))
    downloads = content_downloads(bag)
    assert downloads and len(downloads) == len(set(downloads)), "a content download was repeated"
    assert bags(bag.parent) == [bag]
    return bag


@pytest.mark.slow
def test_runs_killed_while_rendering_or_sealing_are_finished_by_the_same_command(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    reference = finished(run_cli(live_sandbox, demo_key, tmp_path / "reference"))
    transcripts = [e for e in comparable(Path(reference["bag"]))["entries"] if e[1] == "transcript"]
    assert transcripts, "the reference run rendered no transcript"
    for stage in ("render", "seal"):
        out = tmp_path / stage
        killed = run_cli(live_sandbox, demo_key, out, crash_at=stage)
        assert killed.returncode == -signal.SIGKILL, killed.stderr
        planted = plant_half_seal(out / "acme-v.-widget") if stage == "seal" else []
        resumed = finished(run_cli(live_sandbox, demo_key, out))
        bag = assert_resumed_like(resumed, reference, None)
        actions = custody_actions(bag)
        assert actions.count("run_finished") == 1
        assert actions[-1] == "bag_written"
        assert actions.count("run_resumed") == 1
        if stage == "seal":
            assert not planted[1].exists()
            assert actions.count("stale_archive_removed") == 1
            assert actions.count("bag_written") == 2


@pytest.mark.slow
def test_a_sealed_run_killed_while_verifying_is_sealed_again_with_its_password(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    reference = finished(run_cli(live_sandbox, demo_key, tmp_path / "reference", pdf=False, password=True))
    out = tmp_path / "killed"
    killed = run_cli(live_sandbox, demo_key, out, crash_at="verify", pdf=False, password=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    first = finished(run_cli(live_sandbox, demo_key, out, pdf=False, password=True))
    bag = assert_resumed_like(first, reference, PASSWORD)
    assert custody_actions(bag).count("run_finished") == 1
    later = finished(run_cli(live_sandbox, demo_key, out, pdf=False, password=True))
    assert Path(later["bag"]) != bag
    manifest = json.loads((Path(later["bag"]) / "manifest.json").read_bytes())
    assert manifest["previous_run"]["run_id"] == json.loads((bag / "manifest.json").read_bytes())["run_id"]
    assert verify(Path(later["archive"]), password=PASSWORD).ok


@pytest.mark.slow
def test_a_run_started_encrypted_is_never_resumed_in_the_clear(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    killed = run_cli(live_sandbox, demo_key, out, crash_at="seal", pdf=False, password=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    plain = run_cli(live_sandbox, demo_key, out, pdf=False)
    assert plain.returncode == 2, plain.stderr
    assert "encrypted: True then, False now" in plain.stderr
    assert "Run the command again with the options the run was started with." in plain.stderr
    assert not list(out.rglob("*.7z"))
    with_pdf = run_cli(live_sandbox, demo_key, out, password=True)
    assert with_pdf.returncode == 2 and "transcripts: False then, True now" in with_pdf.stderr
    resumed = finished(run_cli(live_sandbox, demo_key, out, pdf=False, password=True))
    receipt = json.loads(Path(f"{resumed['archive']}.receipt.json").read_bytes())
    assert receipt["archive"]["encrypted"] is True
    assert verify(Path(resumed["archive"]), password=PASSWORD).ok


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["render", "seal"])
def test_ctrl_c_while_finishing_exits_130_with_state_saved_and_is_in_custody(
    live_sandbox: str, demo_key: str, tmp_path: Path, stage: str
) -> None:
    out = tmp_path / "out"
    env_hook = {"EDISCOVERY_INTERRUPT_AT_STAGE": stage}
    interrupted = run_cli(live_sandbox, demo_key, out, extra_env=env_hook)
    assert interrupted.returncode == 130, interrupted.stderr
    assert "Interrupted; the collection state is saved." in interrupted.stderr
    assert "Run the same command again to resume where it stopped." in interrupted.stderr
    assert "Traceback" not in interrupted.stderr and "Aborted!" not in interrupted.stderr
    (bag,) = bags(out / "acme-v.-widget")
    last = json.loads((bag / "custody.jsonl").read_text().splitlines()[-1])
    assert (last["action"], last["details"]["message"]) == ("error", "interrupted")
    finished(run_cli(live_sandbox, demo_key, out))


@pytest.mark.slow
def test_ctrl_c_while_collecting_exits_130_and_the_same_command_finishes(tmp_path: Path) -> None:
    import time

    from ediscovery.sandbox import DEMO_KEY, FaultConfig, create_app, running_server

    app = create_app(generate_tenant(seed=7, scale="tiny"), faults=FaultConfig(latency_ms=150))
    out = tmp_path / "out"
    args = ["--matter", "Acme v. Widget", "--custodian", "alice@example.com", "--key-env", KEY_ENV,
            "--out", str(out), "-q", "--no-pdf", "--max-rpm", "100000"]  # fmt: skip
    code = "import sys; from ediscovery.cli.collect import command; command(sys.argv[1:])"
    with running_server(app) as base_url:
        process = subprocess.Popen(
            [sys.executable, "-c", code, *args, "--api-url", base_url],
            env={**os.environ, KEY_ENV: DEMO_KEY}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not list(out.glob("*/*/custody.jsonl")) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 130, stderr
        assert "Interrupted; the collection state is saved." in stderr and "Traceback" not in stderr
        (bag,) = bags(out / "acme-v.-widget")
        last = json.loads((bag / "custody.jsonl").read_text().splitlines()[-1])
        assert (last["action"], last["details"]["message"]) == ("error", "interrupted")
        assert finished(run_cli(base_url, DEMO_KEY, out, pdf=False))["status"] == "complete"
