"""Locks: a killed run never stays locked, and two identical commands never both start a run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ediscovery.collect.state import RunState, series_lock
from ediscovery.errors import CollectionError

from .test_finish_resume import KEY_ENV, bags

ROOT = Path(__file__).resolve().parents[2]

_KILLED_WITH_WORKERS = """
import os, signal, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from ediscovery.collect.state import RunState
from ediscovery.processes import die_with_parent
from ediscovery.render.collection import pool_context
import multiprocessing

state = RunState(Path(sys.argv[1]))
if sys.argv[2] in ("pool", "forkserver"):  # render workers, as the renderer starts them
    if sys.argv[2] == "forkserver":  # what pool_context() gives a process with other threads
        context = multiprocessing.get_context("forkserver")
    else:
        context = pool_context()
    pool = ProcessPoolExecutor(2, mp_context=context, initializer=die_with_parent, initargs=(os.getpid(),))
    futures = [pool.submit(time.sleep, 120) for _ in range(2)]
    while len(pool._processes) < 2 or not all(p.is_alive() for p in pool._processes.values()):
        time.sleep(0.05)
    time.sleep(0.5)
    pids = list(pool._processes)
    if sys.argv[2] == "forkserver":
        from multiprocessing import forkserver
        pids.append(forkserver._forkserver._forkserver_pid)
else:  # any forked child that outlives its parent
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(120,))
    child.start()
    pids = [child.pid]
print(" ".join(map(str, pids)), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def _gone(pid: int) -> bool:
    """Exited or a zombie. A process reaped between open and read raises ``ProcessLookupError``."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def _kill_with_children(state: Path, kind: str) -> list[int]:
    """Run the script; its children keep its stdout open, so read one line, not to the end."""
    parent = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WITH_WORKERS, str(state), kind],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert parent.stdout is not None
    line = parent.stdout.readline()
    assert parent.wait(timeout=60) == -signal.SIGKILL
    parent.stdout.close()
    return [int(pid) for pid in line.split()]


@pytest.mark.slow
@pytest.mark.parametrize("start", ["pool", "forkserver"])
def test_render_workers_die_with_a_killed_run_and_the_run_opens_again(tmp_path: Path, start: str) -> None:
    """Forked workers, and a forkserver's (which keep the forkserver alive while they live)."""
    state = tmp_path / "run.sqlite"
    workers = _kill_with_children(state, start)
    assert len(workers) == (3 if start == "forkserver" else 2)
    deadline = time.monotonic() + 30  # a busy machine may take a while to reap them
    while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(_gone(pid) for pid in workers), "render workers outlived their killed parent"
    with RunState(state):
        pass


@pytest.mark.slow
def test_a_forked_child_does_not_inherit_the_run_lock(tmp_path: Path) -> None:
    state = tmp_path / "run.sqlite"
    [child] = _kill_with_children(state, "fork")
    try:
        assert not _gone(child)
        with RunState(state):  # the orphan is alive, but it never had the lock
            pass
    finally:
        os.kill(child, signal.SIGKILL)


def test_a_held_lock_names_the_process_holding_it(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from ediscovery.collect.state import RunState; s = RunState(Path(sys.argv[1])); "
         "print('ready', flush=True); time.sleep(60)", str(tmp_path / "run.sqlite")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(CollectionError) as caught:
            RunState(tmp_path / "run.sqlite")
        assert f"is in use by another process (held by pid {holder.pid} (" in str(caught.value)
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.slow
def test_two_identical_commands_started_together_make_one_run(
    live_sandbox: str, demo_key: str, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["--matter", "Acme v. Widget", "--custodian", "alice@example.com", "--api-url", live_sandbox,
            "--key-env", KEY_ENV, "--out", str(out), "-q", "--no-pdf", "--max-rpm", "100000"]  # fmt: skip
    code = "import sys; from ediscovery.cli.collect import command; command(sys.argv[1:])"
    env = {**os.environ, KEY_ENV: demo_key}
    command = [sys.executable, "-c", code, *args]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    runs = [subprocess.Popen(command, env=env, cwd=ROOT, text=True, **pipes) for _ in range(2)]
    results = [(run.wait(timeout=240), run.communicate()[1]) for run in runs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 1], results
    [refused] = [err for code, err in results if code == 1]
    assert "This matter's collection of these custodians is in use by another process" in refused
    assert len(bags(out / "acme-v.-widget")) == 1


def test_the_series_lock_is_released_with_the_run_state(tmp_path: Path) -> None:
    with RunState(tmp_path / "a_1.sqlite") as state:
        state.series = series_lock(tmp_path, "a")
        with pytest.raises(CollectionError):
            series_lock(tmp_path, "a")
    os.close(series_lock(tmp_path, "a"))
