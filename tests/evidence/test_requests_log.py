from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ediscovery.errors import EvidenceError
from ediscovery.evidence import RequestLog

RECORD = {
    "at": "2026-11-26T01:02:04Z", "method": "GET", "path": "/v1/compliance/apps/chats",
    "query": {"user_ids[]": ["user_1"], "limit": 100}, "status": 200, "request_id": "req_1",
    "attempt": 1, "bytes": 512, "duration_ms": 12, "error": None,
}  # fmt: skip


def test_each_record_is_one_canonical_line(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    with RequestLog(path) as log:
        log.append(RECORD)
        log.append({**RECORD, "attempt": 2, "status": 429, "error": "rate_limit_error"})
        assert len(path.read_bytes().splitlines()) == 2  # visible before close: unbuffered
    lines = path.read_bytes().splitlines()
    assert json.loads(lines[0]) == RECORD
    assert lines[0].startswith(b'{"at":"2026-11-26T01:02:04Z","attempt":1,"bytes":512')


def test_reopening_appends(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    for _ in range(2):
        with RequestLog(path, fsync_every=1) as log:
            log.append(RECORD)
    assert len(path.read_bytes().splitlines()) == 2


@pytest.mark.parametrize(
    "record",
    [
        {**RECORD, "x-api-key": "k"},
        {**RECORD, "Authorization": "Bearer k"},
        {**RECORD, "api_key": "k"},
        {**RECORD, "password": "p"},
        {**RECORD, "headers": {"X-Api-Key": "k"}},
        {**RECORD, "query": {"apikey": "k"}},
        {**RECORD, "attempts": [{"authorization": "k"}]},
    ],
)
def test_records_with_secret_like_keys_are_refused(tmp_path: Path, record: dict[str, Any]) -> None:
    path = tmp_path / "requests.jsonl"
    with RequestLog(path) as log, pytest.raises(EvidenceError, match="secret-like") as caught:
        log.append(record)
    assert path.read_bytes() == b""
    assert "Bearer k" not in str(caught.value)


def test_a_record_carrying_the_key_value_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "requests.jsonl"
    with RequestLog(path, secrets=["sk-ant-api03-secret"]) as log:
        with pytest.raises(EvidenceError) as caught:
            log.append({**RECORD, "error": "bad key sk-ant-api03-secret rejected"})
        log.append(RECORD)
    assert b"sk-ant" not in path.read_bytes()
    assert "sk-ant" not in str(caught.value)


def test_closed_log_refuses_records(tmp_path: Path) -> None:
    log = RequestLog(tmp_path / "requests.jsonl")
    log.close()
    with pytest.raises(EvidenceError, match="closed"):
        log.append(RECORD)
