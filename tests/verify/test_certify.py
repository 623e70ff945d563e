"""The FRE 902(14) certification: its text from fixed records (golden), and the command on a real
sealed collection. Regenerate the golden text with EDISCOVERY_REGEN_GOLDEN=1."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from ediscovery.certify import Facts, certification
from ediscovery.cli import cli
from ediscovery.verify import verify
from tests.verify.finished import finished_bag
from tests.verify.test_real_collection import Collection, plain  # noqa: F401 (the fixture)

GOLDEN = Path(__file__).parent / "golden" / "certification.txt"
RECEIPT = {
    "archive": {"name": "alice-example.com_20261126T010203Z-a1b2c3.7z", "sha256": "ab" * 32, "size": 123456},
    "bag": {"manifest_json_sha256": "cd" * 32},
}


def _facts(tmp_path: Path) -> Facts:
    bag = finished_bag(tmp_path / "run")
    manifest = json.loads((bag / "manifest.json").read_bytes())
    custody = [json.loads(line) for line in (bag / "custody.jsonl").read_bytes().splitlines()]
    return Facts(Path(RECEIPT["archive"]["name"]), manifest, custody, RECEIPT, verify(bag),  # type: ignore[index]
                 datetime(2026, 11, 27, 9, 30, tzinfo=UTC))  # fmt: skip


def test_the_certification_text_is_the_golden_one(tmp_path: Path) -> None:
    text = certification(_facts(tmp_path), "Jane Doe, Senior Forensic Examiner")
    if os.environ.get("EDISCOVERY_REGEN_GOLDEN") == "1":
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_the_certification_states_only_what_the_records_show(tmp_path: Path) -> None:
    facts = _facts(tmp_path)
    text = certification(facts, "Jane Doe")
    assert "I am Jane Doe, [title]." in text and "[State your employer" in text
    assert facts.manifest["records"]["root"] in text and RECEIPT["archive"]["sha256"] in text  # type: ignore[index]
    assert "The receipt was not time-stamped" in text and "The receipt is not signed." in text
    assert "did not read the platform's audit log" in text
    assert "These records do not show:" in text


@pytest.mark.slow
def test_certify_drafts_text_and_pdf_for_a_sealed_collection(tmp_path: Path, plain: Collection) -> None:  # noqa: F811
    args = ["certify", str(plain.archive), "--signer", "Jane Doe, Examiner", "--out", str(tmp_path)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    text = (tmp_path / f"{plain.archive.name}.certification.txt").read_text(encoding="utf-8")
    assert "verified layer by layer: VALID." in text and plain.archive.name in text
    pdf = PdfReader(tmp_path / f"{plain.archive.name}.certification.pdf")
    extracted = " ".join(page.extract_text() for page in pdf.pages)
    assert "CERTIFICATION OF DATA COPIED" in extracted and "PROCESS DESCRIPTION" in extracted
    assert len(pdf.pages) >= 2
    empty = CliRunner().invoke(cli, ["certify", str(plain.archive), "--signer", " "])
    assert empty.exit_code == 2
