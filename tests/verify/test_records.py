"""Record hashes of a real collection: every record proves against the receipt's root, damage to
a proof, a record or records.jsonl is caught, and the root survives re-sealing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from ediscovery.archive import seal
from ediscovery.cli import cli
from ediscovery.evidence.records import Record, parse_records, records_root
from ediscovery.verify import verify
from ediscovery.verify.proofs import check_proof, prove
from tests.verify.finished import retag
from tests.verify.test_real_collection import Collection, _made

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Collection:
    return _made(tmp_path_factory.mktemp("records"), None)


@pytest.fixture
def copy(collection: Collection, tmp_path: Path) -> Collection:
    return collection.copy_to(tmp_path / "c")


def _records(bag: Path) -> list[Record]:
    return [Record.from_line(line) for line in parse_records((bag / "records.jsonl").read_bytes())]


def _receipt_root(archive: Path) -> str:
    root: str = json.loads(Path(f"{archive}.receipt.json").read_bytes())["bag"]["records_root"]
    return root


def _kinds(path: Path) -> set[str]:
    return {type(p).__name__ for p in verify(path).problems}


def test_the_root_is_in_the_manifest_the_receipt_and_the_custody_log(collection: Collection) -> None:
    bag = collection.bag
    root = records_root(parse_records((bag / "records.jsonl").read_bytes()))
    manifest = json.loads((bag / "manifest.json").read_bytes())
    finished = [json.loads(x) for x in (bag / "custody.jsonl").read_bytes().splitlines()]
    finished = [e for e in finished if e["action"] == "run_finished"]
    assert manifest["records"]["root"] == root == _receipt_root(collection.archive)
    assert finished[-1]["details"]["records_root"] == root
    kinds = {r.kind for r in _records(bag)}
    assert {"chat_messages", "file", "activities"} <= kinds
    messages = [r for r in _records(bag) if r.kind == "chat_messages" and r.item is not None]
    assert len(messages) == manifest["counts"]["messages"]


def test_every_record_proves_against_the_receipt_root(collection: Collection) -> None:
    root = _receipt_root(collection.archive)
    ids = sorted({r.id for r in _records(collection.bag)})
    for record_id in ids:
        document = prove(collection.bag, record_id)
        assert check_proof(document, root=root) == [], record_id
    message = next(r for r in _records(collection.bag) if r.kind == "chat_messages" and r.item is not None)
    from_archive = prove(collection.archive, message.id)
    assert check_proof(from_archive, root=root) == []
    assert json.loads(from_archive["proofs"][0]["content"])["id"] == message.id


def _message_proof(collection: Collection) -> dict[str, Any]:
    message = next(r for r in _records(collection.bag) if r.kind == "chat_messages" and r.item is not None)
    return prove(collection.bag, message.id)


def test_a_flipped_byte_anywhere_in_a_proof_fails_it(collection: Collection) -> None:
    root = _receipt_root(collection.archive)
    document = _message_proof(collection)
    proof = document["proofs"][0]
    edits = {
        "audit path": lambda p: p["audit_path"].__setitem__(
            0, ("0" if p["audit_path"][0][0] != "0" else "1") + p["audit_path"][0][1:]
        ),
        "content": lambda p: p.__setitem__("content", p["content"].replace('"', "'", 1)),
        "record": lambda p: p.__setitem__("record", p["record"].replace('"item":', '"item": ', 1)),
        "index": lambda p: p.__setitem__("index", p["index"] + 1),
    }
    for name, edit in edits.items():
        changed = json.loads(json.dumps(document))
        edit(changed["proofs"][0])
        assert check_proof(changed, root=root), name
    assert check_proof(document, root="0" * 64)
    assert proof == document["proofs"][0]


def test_an_edited_message_is_caught_by_the_records_layer(copy: Collection) -> None:
    record = next(r for r in _records(copy.bag) if r.kind == "chat_messages" and r.item is not None)
    page = copy.bag / record.path
    body = json.loads(page.read_bytes())
    body["chat_messages"][record.item]["id"] = record.id + "x"
    page.write_bytes(json.dumps(body).encode())
    report = verify(copy.bag)
    found = [p for p in report.problems if p.layer == "records"]
    assert any(f"item {record.item} of {record.path}" in p.message for p in found), found


def test_a_rewritten_records_file_is_caught_even_with_tag_manifests_recomputed(copy: Collection) -> None:
    path = copy.bag / "records.jsonl"
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]))
    retag(copy.bag)
    assert "RecordMismatch" in _kinds(copy.bag)


def test_a_rewritten_root_everywhere_in_the_bag_is_caught_by_the_receipt(copy: Collection) -> None:
    path = copy.bag / "records.jsonl"
    lines = parse_records(path.read_bytes())[:-1]
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    manifest = json.loads((copy.bag / "manifest.json").read_bytes())
    manifest["records"].update(root=records_root(lines), count=len(lines))
    (copy.bag / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    retag(copy.bag)
    kinds = {(type(p).__name__, p.layer) for p in verify(copy.bag).problems}
    assert ("ReceiptMismatch", "sidecar") in kinds


def test_the_root_is_stable_across_re_seals(collection: Collection, tmp_path: Path) -> None:
    again = seal(collection.bag, tmp_path / "again.7z")
    assert again.receipt["bag"]["records_root"] == _receipt_root(collection.archive)
    record = next(r for r in _records(collection.bag) if r.kind == "file")
    assert prove(again.archive_path, record.id)["root"] == _receipt_root(collection.archive)


def test_prove_and_verify_proof_on_the_command_line(collection: Collection, tmp_path: Path) -> None:
    record = next(r for r in _records(collection.bag) if r.kind == "file")
    out = tmp_path / "proof.json"
    runner = CliRunner()
    made = runner.invoke(cli, ["prove", str(collection.archive), record.id, "--out", str(out)])
    assert made.exit_code == 0, made.output
    receipt = f"{collection.archive}.receipt.json"
    content = collection.bag / record.path
    good = runner.invoke(cli, ["verify-proof", str(out), "--receipt", receipt, "--file", str(content)])
    assert good.exit_code == 0 and "VALID" in good.output, good.output
    wrong = runner.invoke(cli, ["verify-proof", str(out), "--receipt", receipt, "--file", receipt])
    assert wrong.exit_code == 3 and "INVALID" in wrong.output
    other = runner.invoke(cli, ["verify-proof", str(out), "--root", "ab" * 32])
    assert other.exit_code == 3
    missing = runner.invoke(cli, ["prove", str(collection.archive), "no_such_record"])
    assert missing.exit_code != 0 and "No record with id 'no_such_record'" in missing.output
