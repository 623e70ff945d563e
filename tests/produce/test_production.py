"""A production volume from two custodians' collections, read back the way a review platform would."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from ediscovery.errors import ProductionError, UsageError
from ediscovery.produce import ProductionResult, build_production
from ediscovery.produce.formats.dat import DAT_COLUMNS, parse_dat
from ediscovery.resources import schema_path

from .bags import ALICE, HOSTILE, BagBuilder, build_alice, build_bob, fake_render, message


@pytest.fixture(scope="module")
def sources(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two custodians' bags, shared read-only by the tests of this module."""
    root = tmp_path_factory.mktemp("bags")
    return build_alice(root / "alice"), build_bob(root / "bob")


@pytest.fixture(scope="module")
def produced(sources: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> ProductionResult:
    """One volume built once; tests only read it (the tamper test works on a copy)."""
    out = tmp_path_factory.mktemp("out")
    return build_production([sources[1], sources[0]], out, renderer=fake_render, rsmf_slice="day")


def _dat(result: ProductionResult) -> list[dict[str, str]]:
    rows = parse_dat((result.volume_dir / "DATA" / "VOL001.dat").read_bytes().decode("utf-8"))
    assert rows[0] == list(DAT_COLUMNS)
    assert all(len(row) == len(DAT_COLUMNS) for row in rows)
    return [dict(zip(DAT_COLUMNS, row, strict=True)) for row in rows[1:]]


def _pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [page for page in text.split("\f") if page.strip()]


def test_dat_reads_back_with_consistent_families(produced: ProductionResult) -> None:
    rows = _dat(produced)
    by_bates = {r["BEGBATES"]: r for r in rows}
    chat = next(r for r in rows if r["SOURCE_ID"] == "claude_chat_a1")
    assert chat["CONVERSATION_TITLE"] == HOSTILE.replace("\x14", " ").replace("®", "\n")
    children = [r for r in rows if r["PARENT_ID"] == chat["BEGBATES"]]
    assert [c["DOCTYPE"] for c in children] == ["File", "GeneratedFile", "Artifact", "ChatSlice", "ChatSlice"]
    for row in rows:
        if row["PARENT_ID"]:
            parent = by_bates[row["PARENT_ID"]]
            assert (row["BEGATTACH"], row["ENDATTACH"]) == (parent["BEGATTACH"], parent["ENDATTACH"])
            assert parent["BEGATTACH"] == parent["BEGBATES"] <= row["BEGBATES"] <= parent["ENDATTACH"]
    assert chat["ENDATTACH"] == children[-1]["ENDBATES"]
    assert by_bates[chat["BEGBATES"]]["PARTICIPANTS"].endswith(";Claude (claude-opus-5)")


def _assert_bates_agree(produced: ProductionResult) -> None:
    rows = _dat(produced)
    volume = produced.volume_dir
    opt = (volume / "DATA" / "VOL001.opt").read_bytes().decode("ascii").split("\r\n")[:-1]
    assert len(opt) == len(rows)
    expected_numbers: list[str] = []
    for row, line in zip(rows, opt, strict=True):
        key, vol, path, brk, _, _, pages = line.split(",")
        assert (key, vol, path, brk, pages) == (
            row["BEGBATES"],
            "VOL001",
            row["PDFPATH"],
            "Y",
            row["PAGECOUNT"],
        )
        stamps = _pdf_pages(volume / path.replace("\\", "/"))
        assert len(stamps) == int(row["PAGECOUNT"])
        first, last = int(row["BEGBATES"][4:]), int(row["ENDBATES"][4:])
        numbers = [f"PROD{n:09d}" for n in range(first, last + 1)]
        assert [n for n, page in zip(numbers, stamps, strict=True) if n in page] == numbers
        expected_numbers += numbers
    assert expected_numbers == [f"PROD{n:09d}" for n in range(1, len(expected_numbers) + 1)]
    custodians = [r["CUSTODIAN"] for r in rows]
    assert custodians == sorted(custodians) and set(custodians) == {"alice@example.com", "bob@example.com"}
    assert produced.next_bates == len(expected_numbers) + 1


def test_bates_agree_between_pdfs_dat_and_opt_across_custodians(produced: ProductionResult) -> None:
    _assert_bates_agree(produced)


@pytest.mark.slow
def test_bates_agree_with_the_real_transcript_renderer(sources: tuple[Path, Path], tmp_path: Path) -> None:
    produced = build_production([sources[1], sources[0]], tmp_path / "out", formats=("dat", "opt"))
    _assert_bates_agree(produced)
    chat_pdf = _pdf_pages(produced.volume_dir / "PDF" / "PROD000000001.pdf")
    assert "CONFIDENTIAL" in chat_pdf[0]


def test_natives_are_byte_exact_and_named_by_control_number(
    produced: ProductionResult, sources: tuple[Path, Path]
) -> None:
    alice_bag = sources[0]
    rows = _dat(produced)
    upload = next(r for r in rows if r["SOURCE_ID"] == "claude_file_a1")
    assert upload["FILENAME"] == "../../etc/passwd.txt"
    assert upload["NATIVEPATH"] == f"NATIVES\\{upload['BEGBATES']}.txt"
    copied = (produced.volume_dir / "NATIVES" / f"{upload['BEGBATES']}.txt").read_bytes()
    assert copied == (alice_bag / "data/native/files/claude_file_a1/content.bin").read_bytes()
    assert hashlib.sha256(copied).hexdigest() == upload["SHA256HASH"]
    text = (produced.volume_dir / "TEXT" / f"{upload['BEGBATES']}.txt").read_text(encoding="utf-8")
    assert text.startswith("file bytes \ufffd")


def test_rsmf_files_are_emails_with_one_valid_zip(produced: ProductionResult) -> None:
    schema = json.loads(schema_path("rsmf-manifest-2.0.schema.json").read_text(encoding="utf-8"))
    files = sorted((produced.volume_dir / "RSMF").iterdir())
    assert [f.name for f in files][:2] == ["PROD000000001_20260410.rsmf", "PROD000000001_20260411.rsmf"]
    for path in files:
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert message["X-RSMF-Version"] == "2.0.0"
        attachments = list(message.iter_attachments())
        assert [a.get_filename() for a in attachments] == ["rsmf.zip"]
        assert attachments[0]["Content-Transfer-Encoding"] == "base64"
        archive = zipfile.ZipFile(io.BytesIO(attachments[0].get_content()))
        manifest = json.loads(archive.read("rsmf_manifest.json"))
        jsonschema.validate(manifest, schema, format_checker=jsonschema.FormatChecker())
        assert int(message["X-RSMF-EventCount"]) == len(manifest["events"])
        names = {a["id"] for e in manifest["events"] for a in e.get("attachments", [])}
        assert names == set(archive.namelist()) - {"rsmf_manifest.json"}
        assert int(message["X-RSMF-AttachmentCount"]) == len(names)
        assert message["X-RSMF-EventCollectionID"] == manifest["conversations"][0]["id"]


def test_rsmf_day_slice_carries_model_participant_tool_calls_and_offsets(produced: ProductionResult) -> None:
    path = produced.volume_dir / "RSMF" / "PROD000000001_20260410.rsmf"
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    archive = zipfile.ZipFile(io.BytesIO(next(message.iter_attachments()).get_content()))
    manifest = json.loads(archive.read("rsmf_manifest.json"))
    assert [p["display"] for p in manifest["participants"]] == ["Alice Þorsdóttir", "Claude (claude-opus-5)"]
    assert message["X-RSMF-Participants"] == "Alice Þorsdóttir, Claude (claude-opus-5)"  # Relativity: commas
    assert [e["timestamp"] for e in manifest["events"]] == [
        "2026-04-10T10:09:10+02:00",
        "2026-04-10T10:09:11+02:00",
    ]
    assert {"name": "Tool call", "value": 'web_search({"q": "x"})'} in manifest["events"][1]["custom"]
    assert manifest["events"][0]["body"] == HOSTILE
    assert message["X-RSMF-BeginDate"] == "2026-04-10T10:09:10+02:00"
    native = next(produced.volume_dir.glob("NATIVES/PROD000000004.*"))
    assert archive.read(native.name) == native.read_bytes()
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    assert "Alice Þorsdóttir: Here" not in message.get_body(("plain",)).get_content()
    assert "Claude (claude-opus-5): Here is a draft." in message.get_body(("plain",)).get_content()


def test_volume_manifest_verifies_with_sha256sum(produced: ProductionResult, tmp_path: Path) -> None:
    shutil.copytree(produced.volume_dir.parent, tmp_path / "copy")
    volume = tmp_path / "copy" / "VOL001"
    subprocess.run(["sha256sum", "-c", "--quiet", "MANIFEST-SHA256.txt"], cwd=volume, check=True)
    subprocess.run(["sha256sum", "-c", "--quiet", "VOL001.sha256"], cwd=volume.parent, check=True)
    listed = [line.split("  ", 1)[1] for line in (volume / "MANIFEST-SHA256.txt").read_text().splitlines()]
    assert "production.json" in listed and "DATA/VOL001.dat" in listed
    (volume / "TEXT" / "PROD000000001.txt").write_text("altered")
    bad = subprocess.run(
        ["sha256sum", "-c", "--quiet", "MANIFEST-SHA256.txt"], cwd=volume, capture_output=True
    )
    assert bad.returncode != 0


def test_production_json_records_sources_and_bates(
    produced: ProductionResult, sources: tuple[Path, Path]
) -> None:
    alice_bag = sources[0]
    record = json.loads((produced.volume_dir / "production.json").read_text(encoding="utf-8"))
    manifest_hash = hashlib.sha256((alice_bag / "manifest.json").read_bytes()).hexdigest()
    assert record["sources"][0]["manifest_sha256"] == manifest_hash
    assert [s["custodians"] for s in record["sources"]] == [["alice@example.com"], ["bob@example.com"]]
    assert record["bates"]["first"] == "PROD000000001" and record["bates"]["last"] == produced.last_bates


@pytest.mark.slow
def test_same_input_gives_same_load_files(alice_bag: Path, tmp_path: Path) -> None:
    first = build_production(
        [alice_bag], tmp_path / "a", renderer=fake_render, formats=("dat", "rsmf", "text")
    )
    second = build_production(
        [alice_bag], tmp_path / "b", renderer=fake_render, formats=("dat", "rsmf", "text")
    )
    for rel in ("DATA/VOL001.dat", "RSMF/PROD000000001.rsmf", "TEXT/PROD000000001.txt", "production.json"):
        assert (first.volume_dir / rel).read_bytes() == (second.volume_dir / rel).read_bytes()
    assert not (first.volume_dir / "DATA" / "VOL001.opt").exists()


def test_tampered_native_stops_the_production(alice_bag: Path, tmp_path: Path) -> None:
    (alice_bag / "data/native/generated_files/claude_gen_file_a1/content.bin").write_bytes(b"a,b\n9,9\n")
    with pytest.raises(ProductionError, match="does not match its manifest SHA-256"):
        build_production([alice_bag], tmp_path / "out", renderer=fake_render)


def test_existing_volume_is_never_overwritten(alice_bag: Path, tmp_path: Path) -> None:
    (tmp_path / "out" / "VOL001").mkdir(parents=True)
    (tmp_path / "out" / "VOL001" / "keep.txt").write_text("x")
    with pytest.raises(ProductionError, match="already exists"):
        build_production([alice_bag], tmp_path / "out", renderer=fake_render)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"formats": ("dat", "xml")}, "Unknown production format"),
        ({"rsmf_slice": "week"}, "Unknown RSMF slice"),
        ({"volume_name": "../x"}, "Invalid volume name"),
        ({"bates_prefix": "A B"}, "Invalid Bates prefix"),
    ],
)
def test_bad_options_are_usage_errors(alice_bag: Path, tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build_production([alice_bag], tmp_path / "out", renderer=fake_render, **kwargs)


def test_chat_collected_twice_is_produced_once_from_the_newest_run(tmp_path: Path) -> None:
    old = BagBuilder(tmp_path / "old", [ALICE])
    old.chat(ALICE, "claude_chat_x", "Plan", [message("m1", "user", "2026-04-10T08:00:00Z", "first")])
    new = BagBuilder(tmp_path / "new", [ALICE])
    msgs = [
        message("m1", "user", "2026-04-10T08:00:00Z", "first"),
        message("m2", "assistant", "2026-04-12T08:00:00Z", "x"),
    ]
    new.chat(ALICE, "claude_chat_x", "Plan", msgs)
    sources = [new.finish("20261201T000000Z-bbbbbb"), old.finish("20261126T000000Z-aaaaaa")]
    result = build_production(sources, tmp_path / "out", renderer=fake_render, formats=("dat",))
    rows = _dat(result)
    assert [(r["SOURCE_ID"], r["MESSAGE_COUNT"]) for r in rows] == [("claude_chat_x", "2")]
    record = json.loads((result.volume_dir / "production.json").read_text(encoding="utf-8"))
    assert [s["run_id"] for s in record["sources"]] == ["20261126T000000Z-aaaaaa", "20261201T000000Z-bbbbbb"]


def test_chats_without_attachments_render_together_and_families_alone(
    sources: tuple[Path, Path], tmp_path: Path
) -> None:
    calls: list[list[str]] = []

    def recording(bag: Path, out: Path, options: Any, chat_ids: Any) -> Any:
        calls.append(list(chat_ids))
        return fake_render(bag, out, options, chat_ids)

    result = build_production(list(sources), tmp_path / "out", renderer=recording, formats=("dat",))
    assert calls == [["claude_chat_a1"], ["claude_chat_a2"], ["claude_chat_b1", "claude_chat_b2"]]
    rows = _dat(result)
    assert [r["SOURCE_ID"] for r in rows][-2:] == ["claude_chat_b1", "claude_chat_b2"]
    assert rows[-1]["BEGBATES"] == f"PROD{int(rows[-2]['ENDBATES'][4:]) + 1:09d}"


def test_failed_production_leaves_no_partial_volume(alice_bag: Path, tmp_path: Path) -> None:
    def broken(bag: Path, out: Path, options: Any, chat_ids: Any) -> Any:
        raise ProductionError("renderer exploded")

    with pytest.raises(ProductionError, match="renderer exploded"):
        build_production([alice_bag], tmp_path / "out", renderer=broken)
    assert list((tmp_path / "out").glob("*")) == []  # neither a half volume nor the work folder


def _file_fields_describe_the_native(volume: Path, rows: list[dict[str, str]]) -> None:
    for row in rows:
        native = row["NATIVEPATH"]
        assert native and ";" not in native, row["BEGBATES"]
        path = volume / native.replace("\\", "/")
        data = path.read_bytes()
        assert row["FILEEXT"] == path.suffix.lstrip("."), row["BEGBATES"]
        assert int(row["FILESIZE"]) == len(data), row["BEGBATES"]
        assert row["MD5HASH"] == hashlib.md5(data).hexdigest(), row["BEGBATES"]
        assert row["SHA256HASH"] == hashlib.sha256(data).hexdigest(), row["BEGBATES"]
        if row["FILENAME"] and row["DOCTYPE"] in ("File", "ProjectDocument") and "." in row["FILENAME"]:
            assert row["FILENAME"].rsplit(".", 1)[1].lower() == row["FILEEXT"], row["BEGBATES"]


def test_every_rows_file_fields_describe_the_one_file_its_nativepath_names(
    produced: ProductionResult,
) -> None:
    rows = _dat(produced)
    _file_fields_describe_the_native(produced.volume_dir, rows)
    slices = [r for r in rows if r["DOCTYPE"] == "ChatSlice"]
    assert slices and all(
        r["NATIVEPATH"].startswith("RSMF\\") and r["MIMETYPE"] == "message/rfc822" for r in slices
    )
    assert any(r["DOCTYPE"] == "ProjectDocument" for r in rows)


def test_an_unsliced_rsmf_is_the_chats_native(sources: tuple[Path, Path], tmp_path: Path) -> None:
    produced = build_production([sources[1], sources[0]], tmp_path / "out", renderer=fake_render)
    rows = _dat(produced)
    _file_fields_describe_the_native(produced.volume_dir, rows)
    chats = [r for r in rows if r["DOCTYPE"] == "Chat"]
    assert chats and all(r["NATIVEPATH"] == f"RSMF\\{r['BEGBATES']}.rsmf" for r in chats)
    named = {r["NATIVEPATH"].replace("\\", "/") for r in rows}
    files = {
        p.relative_to(produced.volume_dir).as_posix() for p in (produced.volume_dir / "NATIVES").iterdir()
    }
    assert files <= named  # no native that no row names


def test_collections_of_two_matters_are_refused_and_leave_no_folder(
    sources: tuple[Path, Path], tmp_path: Path
) -> None:
    other = tmp_path / "other"
    shutil.copytree(sources[1], other)
    manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    manifest["matter"] = "Another v. Matter"
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(
        ProductionError, match=r"belong to 2 matters \('Acme v. Widget', 'Another v. Matter'\)"
    ):
        build_production([sources[0], other], tmp_path / "out", renderer=fake_render)
    assert not (tmp_path / "out").exists()


def test_an_empty_production_is_an_error_not_an_empty_volume(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    empty = BagBuilder(tmp_path / "empty", custodians=[ALICE]).finish("20260101T000000Z-000000")
    with pytest.raises(ProductionError, match="Nothing to produce"):
        build_production([empty], tmp_path / "out", renderer=fake_render)
    assert not (tmp_path / "out").exists()


MIXED = "The contract العقد الجديد was signed in תל אביב on Friday"


def test_right_to_left_text_is_carried_as_typed_by_text_files_and_load_files(tmp_path: Path) -> None:
    """PDF text layers hold bidi runs in visual order (README); TEXT files and DAT carry the
    phrase as typed, which is what review platforms index."""
    (tmp_path / "bag").mkdir()
    bag = BagBuilder(tmp_path / "bag", [ALICE])
    bag.chat(
        ALICE, "claude_chat_rtl", f"عنوان {MIXED}", [message("m1", "user", "2026-04-10T08:09:10Z", MIXED)]
    )
    root = bag.finish("20260410T080000Z-abcdef")
    volume = build_production(
        [root], tmp_path / "out", renderer=fake_render, formats=("dat", "text")
    ).volume_dir
    [row] = [r for r in _dat_of(volume) if r["DOCTYPE"] == "Chat"]
    assert row["CONVERSATION_TITLE"] == f"عنوان {MIXED}"
    text = (volume / row["TEXTPATH"].replace("\\", "/")).read_text(encoding="utf-8")
    assert MIXED in text


def _dat_of(volume: Path) -> list[dict[str, str]]:
    rows = parse_dat((volume / "DATA" / "VOL001.dat").read_bytes().decode("utf-8"))
    return [dict(zip(DAT_COLUMNS, r, strict=True)) for r in rows[1:]]
