"""Concordance DAT and Opticon encodings read back exactly."""

from __future__ import annotations

import csv

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ediscovery.produce.formats.dat import DAT_COLUMNS, parse_dat, render_dat
from ediscovery.produce.formats.opt import opt_line

HOSTILE = ["þorn þþ", 'a,b,"c"', "line1\nline2\r\nline3", "東京 — Ωmega", "", "tab\tend", "®"]


def test_dat_header_bom_crlf_and_delimiters() -> None:
    text = render_dat([{"BEGBATES": "P1", "CUSTODIAN": "x"}])
    raw = text.encode("utf-8")
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = text.removeprefix("\ufeff").split("\r\n")
    assert lines[0] == "\x14".join(f"þ{c}þ" for c in DAT_COLUMNS)
    assert lines[-1] == "" and "\n" not in "".join(lines)


def test_dat_values_survive_thorn_newlines_commas_and_non_latin() -> None:
    rows = [{c: HOSTILE[i % len(HOSTILE)] for i, c in enumerate(DAT_COLUMNS)}]
    parsed = parse_dat(render_dat(rows))
    assert parsed[0] == list(DAT_COLUMNS)
    expected = [v.replace("\r\n", "\n") for v in (rows[0][c] for c in DAT_COLUMNS)]
    expected = [v.replace("®", "\n") for v in expected]  # the documented ambiguity of ®
    assert parsed[1] == expected


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters="\x14\r\u00ae")), min_size=3, max_size=3))
def test_dat_round_trip_of_arbitrary_text(values: list[str]) -> None:
    columns = ("A", "B", "C")
    parsed = parse_dat(render_dat([dict(zip(columns, values, strict=True))], columns))
    assert parsed[1] == values


def test_opt_line_uses_backslashes_and_page_count() -> None:
    assert (
        opt_line("P000000001", "VOL001", "PDF/P000000001.pdf", 4)
        == "P000000001,VOL001,PDF\\P000000001.pdf,Y,,,4\r\n"
    )
    with pytest.raises(ValueError):
        opt_line("A,B", "VOL001", "x.pdf", 1)


def test_csv_cells_that_would_run_as_formulas_are_shown_as_text() -> None:
    from ediscovery.evidence.derived import render_csv

    text = render_csv([{"A": '=HYPERLINK("http://x","y")', "B": "@SUM(1)", "C": "plain"}], ["A", "B", "C"])
    row = list(csv.reader(text.splitlines()))[1]
    assert row == ['\'=HYPERLINK("http://x","y")', "'@SUM(1)", "plain"]
