from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ediscovery.errors import UnsafePathError
from ediscovery.evidence import PAGED_KINDS, custodians_slug, native_path, resolve_inside, safe_id, slug

SAFE = re.compile(r"[A-Za-z0-9_-]{1,128}")
HOSTILE = [
    "../../etc/passwd",
    "C:\\evil.bat",
    "c:evil",
    "/etc/passwd",
    "data/../../x",
    "data/./x",
    "data//x",
    "data\\x",
    "data/x\x00.txt",
    "data/line\nbreak",
    "data/x:stream",
    "..",
    ".",
    "",
    "data/" + "a" * 300 + "/..",
]

NATIVE_TABLE = [
    ("organizations", (), 1, "data/native/directory/organizations/page-0001.json"),
    ("users", ("org-1",), 2, "data/native/directory/users/org-1/page-0002.json"),
    ("chat_list", ("user_1",), 1, "data/native/chat_lists/user_1/page-0001.json"),
    ("chat_messages", ("claude_chat_x",), 12, "data/native/chats/claude_chat_x/messages-0012.json"),
    ("file_metadata", ("claude_file_1",), None, "data/native/files/claude_file_1/metadata.json"),
    ("file", ("claude_file_1",), None, "data/native/files/claude_file_1/content.bin"),
    ("generated_file_metadata", ("g1",), None, "data/native/generated_files/g1/metadata.json"),
    ("generated_file", ("g1",), None, "data/native/generated_files/g1/content.bin"),
    ("artifact_metadata", ("v1",), None, "data/native/artifacts/v1/metadata.json"),
    ("artifact", ("v1",), None, "data/native/artifacts/v1/content.json"),
    ("project_list", ("user_1",), 1, "data/native/project_lists/user_1/page-0001.json"),
    ("project", ("p1",), None, "data/native/projects/p1/project.json"),
    ("project_attachments", ("p1",), 3, "data/native/projects/p1/attachments-0003.json"),
    ("project_collaborators", ("p1",), 1, "data/native/projects/p1/collaborators-0001.json"),
    ("project_document", ("d1",), None, "data/native/project_documents/d1/document.json"),
    ("project_document_metadata", ("d1",), None, "data/native/project_documents/d1/metadata.json"),
    ("activities", ("user_1",), 10000, "data/native/activities/user_1/page-10000.json"),
    ("transcript", ("chat", "c1"), None, "data/transcripts/chats/c1.pdf"),
    ("transcript", ("project", "p1"), None, "data/transcripts/projects/p1.pdf"),
    ("transcript", ("activity", "u1"), None, "data/transcripts/activity/u1.pdf"),
]


@pytest.mark.parametrize(("kind", "ids", "page", "expected"), NATIVE_TABLE)
def test_native_path_follows_the_architecture_table(
    kind: str, ids: tuple[str, ...], page: int | None, expected: str
) -> None:
    assert native_path(kind, *ids, page=page) == expected


def test_native_path_replaces_unsafe_ids_by_their_hash() -> None:
    hashed = "x-" + hashlib.sha256(b"../evil").hexdigest()
    assert native_path("file", "../evil") == f"data/native/files/{hashed}/content.bin"


@pytest.mark.parametrize(
    ("kind", "ids", "page"),
    [
        ("nonsense", ("a",), None),
        ("report", ("a",), None),
        ("chat_messages", ("c",), None),
        ("file", ("f",), 1),
        ("file", (), None),
        ("users", ("a", "b"), 1),
        ("activities", ("u",), 0),
        ("transcript", ("email", "x"), None),
        ("transcript", ("chat", "x"), 1),
    ],
)
def test_native_path_refuses_unknown_kinds_and_wrong_arguments(
    kind: str, ids: tuple[str, ...], page: int | None
) -> None:
    with pytest.raises(ValueError):
        native_path(kind, *ids, page=page)


def test_paged_kinds_are_exactly_the_paged_rows() -> None:
    assert {"organizations", "users", "chat_list", "chat_messages", "project_list", "activities",
            "project_attachments", "project_collaborators", "local_session_messages", "remote_session_list",
            "remote_session_messages", "code_artifact_list", "compliance_access"} == PAGED_KINDS  # fmt: skip


@given(st.text(min_size=1, max_size=300))
@example("../../etc/passwd")
@example("C:\\evil.bat")
@example(unicodedata.normalize("NFD", "café"))
@example("a" * 255)
@example("line\nbreak")
@example("nul\x00byte")
@example("\ud800")
@example("x-")
@example("x-" + "0" * 64)
def test_safe_id_output_is_always_a_safe_name(value: str) -> None:
    result = safe_id(value)
    assert SAFE.fullmatch(result)
    assert result == value or result.startswith("x-")  # kept as is, or visibly hashed
    if SAFE.fullmatch(value) and not value.startswith("x-"):  # x-… is the hashed names' space
        assert result == value
    else:
        assert result.startswith("x-") and len(result) == 66


@given(st.text(min_size=1, max_size=50), st.text(min_size=1, max_size=50))
def test_distinct_unsafe_ids_get_distinct_names(a: str, b: str) -> None:
    if a != b:
        assert safe_id(a) != safe_id(b)


def test_nfc_and_nfd_spellings_are_different_ids() -> None:
    nfc, nfd = unicodedata.normalize("NFC", "é"), unicodedata.normalize("NFD", "é")
    assert safe_id(nfc) != safe_id(nfd)


@pytest.mark.parametrize("rel", HOSTILE)
def test_resolve_inside_refuses_hostile_paths(tmp_path: Path, rel: str) -> None:
    with pytest.raises(UnsafePathError):
        resolve_inside(tmp_path, rel)


@given(st.text(max_size=80))
@example("../../etc/passwd")
@example("a/" * 40)
@example("é/" + "é" * 200)
def test_resolve_inside_never_returns_a_path_outside_root(
    tmp_path_factory: pytest.TempPathFactory, rel: str
) -> None:
    root = tmp_path_factory.getbasetemp() / "root"
    root.mkdir(exist_ok=True)
    try:
        result = resolve_inside(root, rel)
    except UnsafePathError:
        return
    assert result.is_relative_to(root.resolve()) and result != root.resolve()
    assert ".." not in result.relative_to(root.resolve()).parts


def test_resolve_inside_refuses_a_symlink_pointing_outside(tmp_path: Path) -> None:
    root, outside = tmp_path / "bag", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    os.symlink(outside, root / "data")
    with pytest.raises(UnsafePathError, match="outside"):
        resolve_inside(root, "data/x.json")


@pytest.mark.parametrize(("kind", "ids", "page", "expected"), NATIVE_TABLE)
def test_every_native_path_is_accepted_inside_the_bag(
    tmp_path: Path, kind: str, ids: tuple[str, ...], page: int | None, expected: str
) -> None:
    assert resolve_inside(tmp_path, expected) == tmp_path.resolve() / expected


def test_slug_lowercases_and_replaces_other_characters() -> None:
    assert slug("Acme v. Widget (2026)") == "acme-v.-widget--2026-"
    assert slug("x" * 100) == "x" * 64


@pytest.mark.parametrize("text", ["..", ".", ".hidden"])
def test_slug_never_starts_with_a_dot(text: str) -> None:
    assert not slug(text).startswith(".")


def test_slug_refuses_empty_text() -> None:
    with pytest.raises(ValueError):
        slug("")


def test_custodians_slug_sorts_joins_and_counts() -> None:
    assert custodians_slug(["Bob@Example.com", "alice@example.com"]) == "alice-example.com+bob-example.com"
    assert custodians_slug(["a@x", "A@x"]) == "a-x"
    assert custodians_slug(["a@x", "b@x", "c@x", "d@x"]) == "4-custodians"


def test_custodians_slug_fits_in_a_folder_name_with_the_run_id() -> None:
    emails = [f"{letter * 240}@example.com" for letter in "abc"]
    folder = custodians_slug(emails) + "_20261126T010203Z-a1b2c3"
    assert len(folder.encode()) <= 255


def test_an_id_shaped_like_a_hashed_name_cannot_collide_with_it() -> None:
    hostile = "a/b"
    mimic = safe_id(hostile)
    assert mimic.startswith("x-")
    assert safe_id(mimic) != mimic
