from __future__ import annotations

from pathlib import Path

from ediscovery.evidence.bag import decode_path, encode_path, manifest_bytes, parse_bag_info, parse_manifest


def test_bag_info_carries_matter_custodian_and_oxum(bag: Path) -> None:
    info = parse_bag_info((bag / "bag-info.txt").read_bytes())
    labels = dict(info)
    assert labels["External-Identifier"] == "Acme v. Widget"
    assert labels["Custodian-Email"] == "alice@example.com"
    assert labels["Payload-Oxum"].endswith(".5")
    assert labels["Collection-Run-Id"] == "20261126T010203Z-a1b2c3"


def test_tag_manifest_covers_every_tag_file(bag: Path) -> None:
    listed = set(parse_manifest((bag / "tagmanifest-sha256.txt").read_bytes()))
    expected = {"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sha512.txt", "manifest.json",
                "custody.jsonl", "requests.jsonl", "VERIFY.txt", "reports/summary.csv",
                "records.jsonl"}  # fmt: skip
    assert listed == expected


def test_manifest_paths_percent_encode_newlines_and_sort() -> None:
    data = manifest_bytes({"data/b": "2", "data/a\nx%": "1"})
    assert data == b"1  data/a%0Ax%25\n2  data/b\n"
    assert parse_manifest(data) == {"data/a\nx%": "1", "data/b": "2"}
    assert decode_path(encode_path("data/\r\n%0A")) == "data/\r\n%0A"
