from __future__ import annotations

import errno
import hashlib
import itertools
import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import jsonschema
import pytest

from ediscovery.errors import DiskFullError, EvidenceError
from ediscovery.evidence import CustodyLog, default_actor, dumps, key_fingerprint, verify_chain
from ediscovery.resources import schema_path

from .conftest import ACTOR

Clock = Callable[[], datetime]


def _log(path: Path, clock: Clock, events: int = 4) -> Path:
    with CustodyLog(path, clock=clock, actor=ACTOR, tool_version="0.1.0") as log:
        log.append("run_started", {"matter": "Acme", "key": key_fingerprint("sk-ant-secret")})
        for n in range(1, events):
            log.append(
                "item_stored",
                {"path": f"data/{n}.json", "sha256": "0" * 64, "kind": "file", "source_id": str(n)},
            )
    return path


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _rehash(event: dict[str, object]) -> bytes:
    body = {k: v for k, v in event.items() if k != "hash"}
    event["hash"] = hashlib.sha256(dumps(body)).hexdigest()
    return dumps(event) + b"\n"


def test_events_are_canonical_chained_lines(tmp_path: Path, clock: Clock) -> None:
    path = _log(tmp_path / "custody.jsonl", clock)
    events = [json.loads(line) for line in _lines(path)]
    assert [e["seq"] for e in events] == [1, 2, 3, 4]
    assert events[0]["prev_hash"] == "0" * 64
    assert events[0]["at"] == "2026-11-26T01:02:04Z"
    assert events[0]["actor"] == ACTOR and events[0]["tool"] == {"name": "ediscovery", "version": "0.1.0"}
    for previous, event in itertools.pairwise(events):
        assert event["prev_hash"] == previous["hash"]
    for line, event in zip(_lines(path), events, strict=True):
        assert line == dumps(event) + b"\n"
        body = {k: v for k, v in event.items() if k != "hash"}
        assert event["hash"] == hashlib.sha256(dumps(body)).hexdigest()
    assert verify_chain(path) == []


def test_events_match_the_published_schema(tmp_path: Path, clock: Clock) -> None:
    validator = jsonschema.Draft202012Validator(
        json.loads(schema_path("custody-event.schema.json").read_text())
    )
    for line in _lines(_log(tmp_path / "custody.jsonl", clock)):
        assert list(validator.iter_errors(json.loads(line))) == []


def test_reopening_continues_the_chain(tmp_path: Path, clock: Clock) -> None:
    path = _log(tmp_path / "custody.jsonl", clock, events=2)
    with CustodyLog(path, clock=clock, actor=ACTOR) as log:
        assert log.seq == 2
        event = log.append("run_resumed", {})
    assert event["seq"] == 3
    assert event["prev_hash"] == json.loads(_lines(path)[1])["hash"]
    assert verify_chain(path, expected_head=event["hash"]) == []


def test_the_key_appears_only_as_a_fingerprint(tmp_path: Path, clock: Clock) -> None:
    path = _log(tmp_path / "custody.jsonl", clock)
    assert b"sk-ant-secret" not in path.read_bytes()
    assert key_fingerprint("sk-ant-secret") == "sha256:" + hashlib.sha256(b"sk-ant-secret").hexdigest()[:16]


def test_a_torn_last_line_is_cut_and_recorded(tmp_path: Path, clock: Clock) -> None:
    path = _log(tmp_path / "custody.jsonl", clock, events=2)
    torn = b'{"action":"item_stored","actor":{"ho'
    with open(path, "ab") as stream:
        stream.write(torn)
    assert any("torn" in p.message for p in verify_chain(path))
    with CustodyLog(path, clock=clock, actor=ACTOR) as log:
        assert log.seq == 3
    repaired = json.loads(_lines(path)[-1])
    assert repaired["action"] == "log_repaired"
    assert repaired["details"] == {
        "removed_bytes": len(torn),
        "removed_sha256": hashlib.sha256(torn).hexdigest(),
    }
    assert verify_chain(path) == []


def test_a_log_that_is_only_a_torn_line_restarts_at_seq_one(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "custody.jsonl"
    path.write_bytes(b'{"seq":1,"at":"20')
    with CustodyLog(path, clock=clock, actor=ACTOR) as log:
        assert log.seq == 1
    assert json.loads(path.read_bytes())["prev_hash"] == "0" * 64
    assert verify_chain(path) == []


def test_reopening_refuses_a_log_whose_last_complete_line_is_garbage(tmp_path: Path, clock: Clock) -> None:
    path = _log(tmp_path / "custody.jsonl", clock, events=2)
    with open(path, "ab") as stream:
        stream.write(b"not json\n")
    with pytest.raises(EvidenceError, match="unreadable"):
        CustodyLog(path, clock=clock, actor=ACTOR)


def _edit_without_rehash(lines: list[bytes]) -> list[bytes]:
    lines[1] = lines[1].replace(b"data/1.json", b"data/9.json")
    return lines


def _edit_and_rehash(lines: list[bytes]) -> list[bytes]:
    event = json.loads(lines[1])
    event["details"]["path"] = "data/9.json"
    lines[1] = _rehash(event)
    return lines


def _delete(lines: list[bytes]) -> list[bytes]:
    del lines[2]
    return lines


def _insert(lines: list[bytes]) -> list[bytes]:
    event = json.loads(lines[1])
    event["details"]["path"] = "data/planted.json"
    lines.insert(2, _rehash(event))
    return lines


def _reorder(lines: list[bytes]) -> list[bytes]:
    lines[1], lines[2] = lines[2], lines[1]
    return lines


def _garbage(lines: list[bytes]) -> list[bytes]:
    lines[2] = b"{not json}\n"
    return lines


def _reformat(lines: list[bytes]) -> list[bytes]:
    lines[1] = json.dumps(json.loads(lines[1]), indent=None).encode() + b"\n"
    return lines


def _not_an_event(lines: list[bytes]) -> list[bytes]:
    lines[1] = b'{"seq": 2}\n'
    return lines


TAMPERS = {
    "edited": (_edit_without_rehash, "event edited"),
    "edited_and_rehashed": (_edit_and_rehash, "chain broken"),
    "deleted": (_delete, "seq 4 follows seq 2"),
    "inserted": (_insert, "seq 2 follows seq 2"),
    "reordered": (_reorder, "seq 3 follows seq 1"),
    "bad_json": (_garbage, "not valid JSON"),
    "reformatted": (_reformat, "not canonical"),
    "not_an_event": (_not_an_event, "not a custody event"),
}


@pytest.mark.parametrize("name", sorted(TAMPERS))
def test_every_kind_of_tampering_is_detected(tmp_path: Path, clock: Clock, name: str) -> None:
    tamper, message = TAMPERS[name]
    path = _log(tmp_path / "custody.jsonl", clock)
    path.write_bytes(b"".join(tamper(_lines(path))))
    problems = verify_chain(path)
    assert any(message in p.message for p in problems), problems
    assert all(p.line >= 2 for p in problems)
    assert str(problems[0]).startswith(f"custody.jsonl line {problems[0].line}: ")


def test_cutting_events_from_the_end_is_detected_against_the_recorded_head(
    tmp_path: Path, clock: Clock
) -> None:
    path = _log(tmp_path / "custody.jsonl", clock)
    head = json.loads(_lines(path)[-1])["hash"]
    path.write_bytes(b"".join(_lines(path)[:-1]))
    assert verify_chain(path) == []
    [problem] = verify_chain(path, expected_head=head)
    assert problem.expected == head and "head" in problem.message


def test_an_unreadable_log_is_one_problem(tmp_path: Path) -> None:
    [problem] = verify_chain(tmp_path / "missing.jsonl")
    assert "cannot read" in problem.message


def test_disk_full_during_append_leaves_the_chain_intact(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _log(tmp_path / "custody.jsonl", clock, events=2)
    before = path.read_bytes()
    log = CustodyLog(path, clock=clock, actor=ACTOR)
    real_write = os.write

    def half_then_full(fd: int, data: bytes) -> int:
        if len(data) > 10:
            return real_write(fd, bytes(data[:10]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", half_then_full)
    with pytest.raises(DiskFullError):
        log.append("item_stored", {"path": "data/x"})
    monkeypatch.undo()
    assert path.read_bytes() == before
    log.append("run_resumed", {})
    log.close()
    assert verify_chain(path) == []


def test_default_actor_names_user_and_host() -> None:
    actor = default_actor()
    assert set(actor) == {"os_user", "host"} and all(actor.values())


def test_mutating_a_returned_event_does_not_change_later_events(tmp_path: Path, clock: Clock) -> None:
    path = tmp_path / "custody.jsonl"
    with CustodyLog(path, clock=clock, actor=ACTOR) as log:
        first = log.append("run_started", {})
        first["actor"]["os_user"] = "intruder"
        second = log.append("run_finished", {})
    assert second["actor"] == ACTOR
    assert verify_chain(path) == []
